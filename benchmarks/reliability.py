"""Reliability campaign (issue 11): kill -9 at random points during ingest and coding against a
clean run, the issue's malformed inputs, mutation fuzzing of the readers, two writers at once.

    nice -n 19 python benchmarks/reliability.py --trials 100 --fuzz-minutes 30
    python benchmarks/reliability.py --quick          # the short version tests/ runs
    python benchmarks/reliability.py --only kill --seed 7 --trial 12   # one reproducer

Prints trials, failures and reproducers, saves benchmarks/results/reliability.json (and the
inputs that failed under benchmarks/results/reliability-reproducers/), exits 1 on any failure.
Not part of the test run; tests/ingestion/test_reliability.py runs ``--quick``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _common import RESULTS, ROOT

sys.path.insert(0, str(ROOT / "tests"))  # the generated inputs the tests use

from fixtures.processes import child_env, corpus_state, make_corpus

REPRODUCERS = RESULTS / "reliability-reproducers"
SECTIONS = ("kill", "malformed", "fuzz", "writers")


@dataclass
class Options:
    trials: int = 100  # kill -9 trials, half during ingest, half during coding
    fuzz_seconds: float = 1800.0
    writer_trials: int = 10
    documents: int = 60
    seed: int = 1
    quick: bool = False  # small inputs and tiny limits: the version the tests run
    only: tuple[str, ...] = SECTIONS
    trial: int | None = None  # run this kill/writers trial only (a reproducer)


@dataclass
class Section:
    name: str
    trials: int = 0
    failures: list[dict] = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    def record(self, name: str, problem: str | None, reproducer: str = "") -> None:
        self.trials += 1
        if problem:
            self.failures.append({"trial": name, "problem": problem, "reproducer": reproducer})


# ---------------------------------------------------------------- processes and snapshots


def stage_command(stage: str, store: Path, ref: Reference) -> list[str]:
    """The command of one pipeline stage: ``accord ingest``, or coding through the API (the
    command line has no coding settings) with small batches, so that there are more
    transactions for a kill to land between."""
    if stage == "ingest":
        return [
            *(sys.executable, "-m", "accord", "--quiet", "--store", str(store), "ingest"),
            *(str(ref.corpus), "--workers", "1"),
        ]
    script = (
        "import sys, accord; s = accord.load_settings(coding={'batch_size': 100}); "
        "accord.code(sys.argv[1], settings=s)"
    )
    return [sys.executable, "-c", script, str(store)]


def run(command: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=timeout)


def coding_state(path: Path) -> list:
    db = sqlite3.connect(path)
    try:
        return [
            db.execute(
                "SELECT codebook_digest, coder, passage_id, dimension, category, round(score, 9),"
                " method, evidence FROM assignments ORDER BY 1, 2, 3, 4, 5"
            ).fetchall(),
            db.execute(
                "SELECT passage_id, codebook_digest, coder, text_hash FROM coded_passages"
                " ORDER BY 1, 2, 3"
            ).fetchall(),
        ]
    finally:
        db.close()


def store_state(path: Path) -> list:
    db = sqlite3.connect(path)
    try:
        extra = [
            db.execute("SELECT * FROM near_duplicates ORDER BY 1, 2").fetchall(),
            db.execute("SELECT source, reason FROM skipped ORDER BY 1").fetchall(),
        ]
    finally:
        db.close()
    return corpus_state(path) + extra


def run_statuses(path: Path, stage: str | None = None) -> list[str]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute(
            "SELECT status FROM runs WHERE stage=coalesce(?, stage) ORDER BY started_at, id",
            (stage,),
        )
        return [r[0] for r in rows]
    finally:
        db.close()


def checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so that a copy of the file is the whole store."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


@dataclass
class Reference:
    """A clean run: the corpus, its store after ingest and after coding, and their timings."""

    corpus: Path
    ingested: Path
    coded: Path
    seconds: dict[str, float]


def reference(work: Path, options: Options) -> Reference:
    ref = Reference(
        make_corpus(work / "corpus", options.documents), work / "ingested.db", work / "coded.db", {}
    )
    for stage, store in (("ingest", ref.ingested), ("code", ref.coded)):
        if stage == "code":
            shutil.copy(ref.ingested, ref.coded)
        started = time.perf_counter()
        result = run(stage_command(stage, store, ref))
        if result.returncode:
            raise SystemExit(f"the clean {stage} failed: {result.stderr}")
        ref.seconds[stage] = time.perf_counter() - started
        checkpoint(store)
    return ref


# ---------------------------------------------------------------- kill -9 trials


def kill_trials(work: Path, ref: Reference, options: Options) -> Section:
    section = Section("kill")
    killed = 0
    for k in _trial_numbers(options.trials, options.trial):
        stage = "ingest" if k % 2 == 0 else "code"
        rng = random.Random(f"{options.seed}-kill-{k}")
        delay = rng.uniform(0.2, 0.9 * ref.seconds[stage])
        problem, was_killed = _kill_once(work / f"kill-{k}.db", stage, delay, ref)
        killed += was_killed
        reproducer = _reproducer(options, "kill", k)
        section.record(f"{stage} killed at {delay:.2f} s", problem, reproducer)
    section.notes["killed_before_finishing"] = killed
    return section


def _kill_once(store: Path, stage: str, delay: float, ref: Reference) -> tuple[str | None, bool]:
    if stage == "code":
        shutil.copy(ref.ingested, store)
    process = subprocess.Popen(
        stage_command(stage, store, ref),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
    )
    time.sleep(delay)
    was_killed = process.poll() is None
    if was_killed:
        process.send_signal(signal.SIGKILL)
    process.wait()
    resumed = run(stage_command(stage, store, ref))
    if resumed.returncode:
        return f"the re-run failed (exit {resumed.returncode}): {resumed.stderr[-300:]}", was_killed
    if stage == "ingest" and store_state(store) != store_state(ref.ingested):
        return "after the re-run the store differs from a clean ingest", was_killed
    if stage == "code" and coding_state(store) != coding_state(ref.coded):
        return "after the re-run the codes differ from a clean coding run", was_killed
    statuses = run_statuses(store)
    if {"running", "failed"} & set(statuses) or statuses.count("interrupted") > 1:
        return f"runs left as {statuses}", was_killed
    store.unlink()
    return None, was_killed


# ---------------------------------------------------------------- two writers at once


def writer_trials(work: Path, ref: Reference, options: Options) -> Section:
    section = Section("writers")
    for k in _trial_numbers(options.writer_trials, options.trial):
        stage = "ingest" if k % 2 == 0 else "code"
        store = work / f"writers-{k}.db"
        if stage == "code":
            shutil.copy(ref.ingested, store)
        processes = [
            subprocess.Popen(
                stage_command(stage, store, ref),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=child_env(),
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=900) for p in processes]
        problem = None
        if any(p.returncode for p in processes):
            problem = f"exit codes {[p.returncode for p in processes]}: {outputs[1][1][-300:]}"
        elif stage == "ingest" and corpus_state(store) != corpus_state(ref.ingested):
            problem = "two ingests at once left a store unlike a clean ingest"
        elif stage == "code" and coding_state(store) != coding_state(ref.coded):
            problem = "two coding runs at once left codes unlike a clean coding run"
        elif run_statuses(store, stage) != ["completed", "completed"]:
            problem = f"{stage} runs: {run_statuses(store, stage)}"
        section.record(f"two {stage} runs at once", problem, _reproducer(options, "writers", k))
        if problem is None:
            store.unlink()
    return section


# ---------------------------------------------------------------- the malformed inputs


def malformed_inputs(work: Path, options: Options) -> Section:
    section = Section("malformed")
    for name, check in MALFORMED_CHECKS.items():
        if options.quick and name in FULL_ONLY:
            continue
        folder = work / f"malformed-{name}"
        folder.mkdir()
        started = time.perf_counter()
        try:
            problem = check(folder, options)
        except Exception as exc:  # a check that crashes is a failure to report, not to hide
            problem = f"{type(exc).__name__}: {exc}"
        section.notes[name] = round(time.perf_counter() - started, 2)
        section.record(name, problem, "python benchmarks/reliability.py --only malformed")
    return section


def _ingest(folder: Path, *sources: Path, manifest: Path | None = None, **ingest):
    import accord as api
    from accord.config import load_settings

    store = api.open_store(folder / "accord.db")
    report = api.ingest(store, *sources, manifest=manifest, settings=load_settings(ingest=ingest))
    return store, {Path(s.source).name: s for s in report.skipped}


def check_outside_corpus(folder: Path, options: Options) -> str | None:
    corpus, outside = folder / "corpus", folder / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "x.txt").write_text("SECRET outside text that must never be stored here.")
    (corpus / "in.txt").write_text("Cooperation on shared rules for artificial intelligence.")
    (corpus / "link.txt").symlink_to(outside / "x.txt")
    rows = ["../outside/x.txt", str(outside / "x.txt"), "../../../etc/passwd", "../../etc/passwd"]
    lines = ["path,organisation,title,year", "in.txt,OECD,In,2020"]
    lines += [f"{row},OECD,Row {k},2020" for k, row in enumerate(rows)]
    (corpus / "manifest.csv").write_text("\n".join(lines) + "\n")
    store, skipped = _ingest(folder, corpus)
    reasons = sorted({s.reason for s in skipped.values()})
    stored = store.db.execute("SELECT count(*) FROM passages WHERE text LIKE '%SECRET%'")
    if stored.fetchone()[0] or reasons != ["outside-corpus"] or len(skipped) != 5:
        return f"outside paths: skipped {sorted(skipped)} as {reasons}"
    return None


def check_report_injection(folder: Path, options: Options) -> str | None:
    """Items 2 and 3: markup in an organisation's name and a URL with an <img onerror>."""
    import csv

    import accord as api

    demo = Path(api.__file__).parent / "data" / "demo"
    corpus = folder / "demo"
    shutil.copytree(demo, corpus)
    with (demo / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["organisation"] = (
        '<a href="https://evil.example">X</a> <span style="font-size:80px">BIG</span>'
    )
    rows[1]["url"] = "https://example.org/a?x=<img src=x onerror=alert(3)>"
    with (corpus / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    api.run(corpus, store=folder / "accord.db", out=folder / "out")
    html = next((folder / "out").glob("*.html")).read_text("utf-8")
    markdown = api.write_report(folder / "accord.db", folder / "report.md", "md").read_text()
    problems = []
    # In the page itself, or in the charts' JSON, where plotly writes "<" as \u003c and
    # renders its labels' tags.
    if any(form in html for form in ('<a href="https://evil', '\\u003ca href=\\"https:')):
        problems.append("a link from an organisation name reaches the HTML report's charts")
    if "<img src=x onerror" in markdown:
        problems.append("an <img onerror> from a manifest URL reaches the Markdown report")
    return "; ".join(problems) or None


def check_error_log_private(folder: Path, options: Options) -> str | None:
    import stat

    from accord.cli._console import error_log_path

    path = error_log_path()
    mode = stat.S_IMODE(path.parent.stat().st_mode)
    # The defect was one shared file in the temp folder itself; a private folder below it is
    # fine (the tests point ACCORD_CACHE_DIR at one).
    if path.parent == Path(tempfile.gettempdir()) or mode & 0o077:
        return f"error log at {path} (folder mode {oct(mode)})"
    return None


def check_near_duplicates_rebuilt(folder: Path, options: Options) -> str | None:
    from fixtures.texts import PARAGRAPHS

    corpus = folder / "corpus"
    corpus.mkdir()
    text = "\n\n".join(PARAGRAPHS)
    (corpus / "a.txt").write_text(text)
    (corpus / "b.txt").write_text(text + "\n\nA closing paragraph added to the second edition.")
    store, _ = _ingest(folder, corpus)
    store.db.execute("DELETE FROM near_duplicates")  # as a kill before the refresh left it
    _ingest(folder, corpus)
    found = store.db.execute("SELECT count(*) FROM near_duplicates").fetchone()[0]
    return None if found == 1 else f"{found} near-duplicate pairs after the re-run"


def check_manifests(folder: Path, options: Options) -> str | None:
    from typer.testing import CliRunner

    from accord.cli import app
    from accord.errors import ManifestError

    corpus = folder / "corpus"
    corpus.mkdir()
    for name in "abc":
        (corpus / f"{name}.txt").write_text(f"Document {name} on cooperation in health data.")
    problems = []
    for label, text, expected in (
        ("unclosed quote", 'path,organisation,title,year\na.txt,OECD,"Open,2020\n', "line 2"),
        ("two path columns", "path,organisation,title,year,file\na.txt,O,T,2020,b.txt\n", "path"),
    ):
        (corpus / "manifest.csv").write_text(text)
        try:
            _ingest(folder, manifest=corpus / "manifest.csv")
            problems.append(f"{label}: accepted")
        except ManifestError as exc:
            if expected not in exc.message:
                problems.append(f"{label}: {exc.message}")
    (corpus / "manifest.csv").write_text(
        "path,organisation,title,year\na.txt,OECD,A,2020\nb.txt,OECD\nc.txt,OECD,C,2021,x\n"
    )
    _, skipped = _ingest(folder, manifest=corpus / "manifest.csv")
    rows = sorted((s.row, s.reason) for s in skipped.values())
    if rows != [(3, "manifest-cell-count"), (4, "manifest-cell-count")]:
        problems.append(f"cell counts: {rows}")
    strict = CliRunner().invoke(
        app,
        ["--store", str(folder / "s.db"), "ingest", "-m", str(corpus / "manifest.csv"), "--strict"],
    )
    if strict.exit_code != 1:
        problems.append(f"--strict exit {strict.exit_code}")
    return "; ".join(problems) or None


def check_layout(folder: Path, options: Options) -> str | None:
    """Items 7, 8 and 10: a folder named like a file, a copy without its manifest row, a
    symlink loop."""
    corpus = folder / "corpus"
    (corpus / "annex.pdf").mkdir(parents=True)
    (corpus / "a.txt").write_text("Health data cooperation between the ministries of the region.")
    (corpus / "manifest.csv").write_text(
        "path,organisation,title,year\na.txt,OECD,Real title,2021\n"
    )
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    _, skipped = _ingest(folder, corpus)
    shutil.copy(corpus / "a.txt", folder / "copy.txt")  # the same bytes, no manifest row
    store, again = _ingest(folder, folder / "copy.txt")
    reasons = {name: s.reason for name, s in skipped.items()}
    kept = store.db.execute("SELECT organisation, year FROM documents").fetchall()
    problems = []
    if reasons != {"annex.pdf": "is-a-directory", "loop.txt": "symlink-loop"}:
        problems.append(f"layout: {reasons}")
    if [tuple(r) for r in kept] != [("OECD", 2021)] or "metadata-kept" not in {
        s.reason for s in again.values()
    }:
        problems.append(f"metadata of a copy: {[tuple(r) for r in kept]}")
    return "; ".join(problems) or None


def check_huge_text(folder: Path, options: Options) -> str | None:
    """A 200,000,000-byte text (20 MB in --quick) is refused fast in bounded memory."""
    from fixtures.hostile import many_words_text

    words = 1_000_000 if options.quick else 28_000_000  # ~7.1 bytes a word
    path = many_words_text(folder / "huge.txt", words)
    limit = 100_000 if options.quick else 2_000_000
    return _bounded(path, "txt", "oversized", peak_mb=300, seconds=30, max_words=limit)


def check_flate_bomb(folder: Path, options: Options) -> str | None:
    """A 1 GiB flate stream in a small PDF (64 MiB in --quick)."""
    from fixtures.hostile import flate_bomb_pdf

    size = (64 if options.quick else 1024) * 1024 * 1024
    path = flate_bomb_pdf(folder / "bomb.pdf", size)
    limit = 8 if options.quick else 512
    return _bounded(
        path, "pdf", "pdf-too-large", peak_mb=300, seconds=30, max_decompressed_mb=limit
    )


def _bounded(
    path: Path, fmt: str, reason: str, *, peak_mb: int, seconds: float, **limits: float
) -> str | None:
    """Parse ``path`` in a fresh process; it must be skipped for ``reason`` within the time and
    the extra memory given."""
    script = f"""
import json, resource, sys, time
from accord.config import IngestSettings
from accord.errors import IngestError
from accord.ingestion.limits import ReadLimits
from accord.ingestion.parse import parse_file
settings = IngestSettings(**{limits!r})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    parse_file({str(path)!r}, {fmt!r}, 150, 8, ReadLimits.of(settings))
    reason = "parsed"
except IngestError as exc:
    reason = exc.reason
peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps([reason, peak, time.perf_counter() - started]))
"""
    result = run([sys.executable, "-c", script], timeout=600)
    if result.returncode:
        return f"the parser process failed: {result.stderr[-300:]}"
    found, peak, elapsed = json.loads(result.stdout)
    if found != reason or peak > peak_mb or elapsed > seconds:
        return f"{found} after {elapsed:.1f} s with {peak:.0f} MB more memory"
    return None


def check_decoding(folder: Path, options: Options) -> str | None:
    from accord.errors import UnreadableFile
    from accord.ingestion.readers.decoding import decode
    from fixtures.texts import HEALTH

    page = (
        '<html><head><meta charset="utf-8"><title>Note</title></head><body><p>{}</p>'
        "<p>" + HEALTH + "</p></body></html>"
    )
    problems = []
    latin = decode(page.format("Café naïve résumé").encode("latin-1"))
    if "Café naïve résumé" not in latin.text:
        problems.append(f"Latin-1 page read as {latin.encoding}")
    damaged = page.format("Les États membres coopèrent").encode().replace(b"\xc3\xa8", b"\xe8")
    if not decode(damaged).encoding.startswith("utf-8"):
        problems.append(f"damaged UTF-8 read as {decode(damaged).encoding}")
    try:
        decode(HEALTH.encode("utf-16-le"))
    except UnreadableFile:
        problems.append("UTF-16 without BOM called binary")
    rng = random.Random(options.seed)
    for trial in range(50):
        data = bytearray((page.format("Café naïve résumé") * 3).encode()[:867])
        for _ in range(22):
            data[rng.randrange(867)] = rng.randrange(256)
        try:
            decode(bytes(data))
        except UnreadableFile as exc:
            problems.append(f"22 random bytes, trial {trial}: {exc.message}")
            break
    return "; ".join(problems) or None


MALFORMED_CHECKS: dict[str, Callable[[Path, Options], str | None]] = {
    "outside-corpus (1)": check_outside_corpus,
    "report injection (2, 3)": check_report_injection,
    "private error log (4)": check_error_log_private,
    "near-duplicates rebuilt (5)": check_near_duplicates_rebuilt,
    "malformed manifests (6)": check_manifests,
    "folders, copies, loops (7, 8, 10)": check_layout,
    "200 MB text (12)": check_huge_text,
    "1 GiB flate PDF (12)": check_flate_bomb,
    "decoding (13)": check_decoding,
}
FULL_ONLY = {"report injection (2, 3)"}  # a whole run on the demo corpus: too slow for tests


# ---------------------------------------------------------------- mutation fuzzing


def fuzz(work: Path, options: Options) -> Section:
    from pebble import ProcessExpired, ProcessPool

    from accord.model.provenance import SKIP_REASONS

    section = Section("fuzz")
    seeds = _fuzz_seeds(work / "seeds")
    rng = random.Random(f"{options.seed}-fuzz")
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + options.fuzz_seconds
    with ProcessPool(max_workers=1, max_tasks=500, initializer=_worker_setup) as pool:
        while time.monotonic() < deadline:
            batch = [_mutant(rng, seeds) for _ in range(16)]
            futures = [
                pool.schedule(_parse_bytes, args=(data, fmt), timeout=20) for fmt, data in batch
            ]
            for (fmt, data), future in zip(batch, futures, strict=True):
                try:
                    outcome = future.result()
                    problem = None if outcome in SKIP_REASONS or outcome == "parsed" else outcome
                except TimeoutError:
                    outcome, problem = "hang", "parsing took more than 20 s"
                except ProcessExpired as exc:
                    outcome, problem = "crash", f"the parser process died (exit {exc.exitcode})"
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                section.record(fmt, problem, _save_reproducer(data, fmt) if problem else "")
    section.notes["outcomes"] = dict(sorted(outcomes.items()))
    section.notes["seconds"] = options.fuzz_seconds
    return section


def _worker_setup() -> None:
    """A worker may use 1.5 GB more than it holds at start: more is a failure, not a swap.
    Parsers' warnings about the damaged files are expected and not shown."""
    import logging
    import resource

    logging.disable(logging.CRITICAL)
    with open("/proc/self/statm") as fh:
        held = int(fh.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (held + 1536 * 2**20, resource.RLIM_INFINITY))


def _parse_bytes(data: bytes, fmt: str) -> str:
    """What ingest makes of these bytes: "parsed", a skip reason, or what went wrong."""
    from accord.errors import AccordError
    from accord.ingestion.parse import parse_file

    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as fh:
        fh.write(data)
        fh.flush()
        try:
            parse_file(fh.name, fmt, 150, 8)
        except AccordError as exc:
            return exc.reason
        except MemoryError:
            return "out of memory (over 1.5 GB)"
        except Exception as exc:  # what the pipeline would record as internal-error: a bug
            return f"bug: {type(exc).__name__}: {exc}"[:300]
    return "parsed"


def _fuzz_seeds(folder: Path) -> dict[str, list[bytes]]:
    from conftest import write_docx, write_html, write_pdf
    from fixtures.hostile import pdf_with_stream
    from fixtures.texts import PARAGRAPHS

    folder.mkdir()
    return {
        "pdf": [
            write_pdf(folder / "a.pdf", [PARAGRAPHS[:2], PARAGRAPHS[2:4]]).read_bytes(),
            pdf_with_stream(b" " * 2000, text=PARAGRAPHS[0][:60]),
        ],
        "html": [write_html(folder / "a.html", "Guidance", PARAGRAPHS[:3]).read_bytes()],
        "docx": [write_docx(folder / "a.docx", "Plan", PARAGRAPHS[:3]).read_bytes()],
        "txt": ["\n\n".join(PARAGRAPHS).encode(), "\n\n".join(PARAGRAPHS).encode("utf-16")],
        "md": [("# Title\n\n" + "\n\n## Part\n\n".join(PARAGRAPHS)).encode()],
    }


def _mutant(rng: random.Random, seeds: dict[str, list[bytes]]) -> tuple[str, bytes]:
    fmt = rng.choice(sorted(seeds))
    data = rng.choice(seeds[fmt])
    if fmt == "docx" and rng.random() < 0.5:
        return fmt, _mutate_zip_member(rng, data)
    return fmt, _mutate(rng, data)


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not out:  # deleted or truncated to nothing: start again from random bytes
            out = bytearray(rng.randbytes(rng.randint(1, 64)))
            continue
        kind = rng.randrange(6)
        at = rng.randrange(len(out))
        if kind == 0:  # flip bits
            out[at] ^= 1 << rng.randrange(8)
        elif kind == 1:  # a random byte, or an interesting one
            out[at] = rng.choice([0, 0xFF, 0x7F, 0x80, 0x0A, 0x28, 0x29, 0x3C, rng.randrange(256)])
        elif kind == 2:  # insert random bytes
            out[at:at] = rng.randbytes(rng.randint(1, 64))
        elif kind == 3:  # delete a range
            del out[at : at + rng.randint(1, 256)]
        elif kind == 4:  # repeat a range
            out[at:at] = out[at : at + rng.randint(1, 512)] * rng.randint(2, 20)
        else:  # truncate
            del out[rng.randint(at, len(out)) :]
    return bytes(out)


def _mutate_zip_member(rng: random.Random, data: bytes) -> bytes:
    """Mutate one XML part inside the DOCX, so that the parser sees past the zip's checksums."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    target = rng.choice([n for n in names if n.endswith(".xml")] or names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as mutated:
        for name in names:
            content = source.read(name)
            mutated.writestr(name, _mutate(rng, content) if name == target else content)
    return out.getvalue()


def _save_reproducer(data: bytes, fmt: str) -> str:
    REPRODUCERS.mkdir(parents=True, exist_ok=True)
    path = REPRODUCERS / f"{hashlib.sha256(data).hexdigest()[:16]}.{fmt}"
    path.write_bytes(data)
    call = f"parse_file('{path}', '{fmt}', 150, 8)"
    return f'python -c "from accord.ingestion.parse import parse_file; {call}"'


# ---------------------------------------------------------------- the campaign


def _trial_numbers(n: int, only: int | None) -> Iterator[int]:
    yield from [only] if only is not None else range(n)


def _reproducer(options: Options, section: str, trial: int) -> str:
    return (
        f"python benchmarks/reliability.py --only {section} --seed {options.seed} --trial {trial}"
    )


def campaign(options: Options, save: Callable[[dict], None] | None = None) -> dict:
    started = time.perf_counter()
    sections: list[Section] = []
    with tempfile.TemporaryDirectory(prefix="accord-reliability-") as tmp:
        work = Path(tmp)
        ref = reference(work, options) if {"kill", "writers"} & set(options.only) else None
        runners = {
            "kill": lambda: kill_trials(work, ref, options),
            "malformed": lambda: malformed_inputs(work, options),
            "fuzz": lambda: fuzz(work, options),
            "writers": lambda: writer_trials(work, ref, options),
        }
        for name in SECTIONS:
            if name in options.only:
                sections.append(runners[name]())
                summary = _summary(options, ref, sections, _recorded_reasons(work), started)
                if save is not None:  # after each section: a later crash loses nothing
                    save(summary)
    return summary


def _summary(options, ref, sections, reasons, started) -> dict:
    from accord.model.provenance import SKIP_REASONS

    undocumented = sorted(reasons - set(SKIP_REASONS))
    return {
        "options": asdict(options),
        "reference_seconds": {k: round(v, 2) for k, v in (ref.seconds if ref else {}).items()},
        "sections": [asdict(s) for s in sections],
        "trials": sum(s.trials for s in sections),
        "failures": sum(len(s.failures) for s in sections) + len(undocumented),
        "undocumented_reasons": undocumented,
        "elapsed_s": round(time.perf_counter() - started, 1),
    }


def _recorded_reasons(work: Path) -> set[str]:
    """Every skip reason any store of the campaign recorded (each must be documented)."""
    found = set()
    for path in work.rglob("*.db"):
        db = sqlite3.connect(path)
        try:
            found |= {r[0] for r in db.execute("SELECT DISTINCT reason FROM skipped")}
        except sqlite3.Error:
            pass
        finally:
            db.close()
    return found


def print_summary(summary: dict) -> None:
    for section in summary["sections"]:
        failures = len(section["failures"])
        print(f"{section['name']:10} {section['trials']:6} trials {failures:4} failures")
        for failure in section["failures"]:
            print(f"    FAIL {failure['trial']}: {failure['problem']}")
            if failure["reproducer"]:
                print(f"         reproduce: {failure['reproducer']}")
        if section["notes"]:
            print(f"    {json.dumps(section['notes'], sort_keys=True)}")
    if summary["undocumented_reasons"]:
        print(f"undocumented skip reasons: {summary['undocumented_reasons']}")
    print(f"{summary['trials']} trials, {summary['failures']} failures in {summary['elapsed_s']} s")


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100, help="kill -9 trials")
    parser.add_argument("--fuzz-minutes", type=float, default=30.0)
    parser.add_argument("--writer-trials", type=int, default=10)
    parser.add_argument("--documents", type=int, default=60, help="documents of the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="the short version the tests run")
    parser.add_argument("--only", choices=SECTIONS, action="append")
    parser.add_argument("--trial", type=int, help="only this trial (with --only kill/writers)")
    args = parser.parse_args(argv)
    if args.quick:
        return Options(2, 3.0, 1, 8, args.seed, True, tuple(args.only or SECTIONS), args.trial)
    return Options(
        args.trials,
        args.fuzz_minutes * 60,
        args.writer_trials,
        args.documents,
        args.seed,
        False,
        tuple(args.only or SECTIONS),
        args.trial,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    name = "reliability" if set(options.only) == set(SECTIONS) else "-".join(options.only)
    target = (
        RESULTS / f"{name}.json" if name == "reliability" else RESULTS / f"reliability-{name}.json"
    )

    def save(summary: dict) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(summary, indent=2) + "\n")

    summary = campaign(options, None if options.quick else save)
    print_summary(summary)
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
