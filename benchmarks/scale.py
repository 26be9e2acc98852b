"""Accord at the paper's scale: about 700 documents, 10 M words, from cold, on two cores.

Builds synthetic corpora of 1, 3 and 10 M words from our own demo corpus (``_synthetic.py``:
recombined paragraphs, seeded) and runs the whole job on each, cold (a new store, a new
process): ingest, code with the default coder (``trained.v1`` of the default codebook),
analyse, report. Each job runs in-process, on a Dask LocalCluster of one worker and of two
workers; the configurations alternate within a round and the best of the rounds is kept (the
machine's cores are shared). Per stage: wall time, CPU seconds of the client and of the
workers; per job: passages/s of coding, peak RSS of the client and of every worker process.

    python benchmarks/scale.py                     # 1, 3, 10 M words; 2 rounds
    python benchmarks/scale.py --sizes 10 --rounds 3 --configs local:1,local:2
    python benchmarks/scale.py --nice 10           # kinder to others on a shared machine
    python benchmarks/scale.py --sizes 1,3 --keep  # keep earlier sizes' results in the tables

Results: benchmarks/results/scale.json (every job) and scale.md (the tables of
docs/performance.md). Corpora are kept in benchmarks/results/scale-corpus/ and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from _common import RESULTS, save
from _synthetic import build_corpus

HERE = Path(__file__).resolve().parent
# processes:2 is what runs without --scheduler on two cores (local worker processes).
CONFIGS = ("in-process", "processes:2", "local:1", "local:2")
SIZES_M = (1, 3, 10)
GOAL_S = 300  # the 10 M-word job in at most 5 minutes on two cores
TICKS = os.sysconf("SC_CLK_TCK")


# -- one job, in its own process ----------------------------------------------------------


def descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, depth) of every process below ``pid`` (workers, their children), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [(pid, 0)]
    while todo:
        parent, depth = todo.pop()
        children = [(child, depth + 1) for child in parents.get(parent, [])]
        found += children
        todo += children
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def process_kind(pid: int, depth: int, on_dask: bool) -> str:
    """What a process below the client is: a Dask worker, a sandbox child (per-file time
    limits) or multiprocessing's resource tracker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    if b"resource_tracker" in command:
        return "tracker"
    return "worker" if on_dask and depth == 1 else "sandbox"


class Meter:
    """Wall time and CPU seconds per stage, for this process and every process below it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.stages: dict[str, dict[str, float]] = {}
        self.seen: dict[int, float] = {}  # CPU seconds of descendants at their last reading

    def _workers_cpu(self) -> float:
        for pid, _ in descendants(self.pid):
            self.seen[pid] = max(self.seen.get(pid, 0.0), cpu_seconds(pid))
        return sum(self.seen.values())

    @contextmanager
    def stage(self, name: str):
        wall, own, others = time.perf_counter(), time.process_time(), self._workers_cpu()
        yield
        self.stages[name] = {
            "wall_s": round(time.perf_counter() - wall, 2),
            "client_cpu_s": round(time.process_time() - own, 2),
            "workers_cpu_s": round(self._workers_cpu() - others, 2),
        }

    def peaks(self, on_dask: bool) -> dict[str, list[float]]:
        """Peak RSS (MB) of the processes below this one, by kind."""
        found: dict[str, list[float]] = {}
        for pid, depth in descendants(self.pid):
            kind = process_kind(pid, depth, on_dask)
            found.setdefault(kind, []).append(round(peak_rss_mb(pid), 1))
        return found


def run_job(corpus: Path, config: str, workdir: Path) -> dict:
    import accord
    from accord.parallel import DaskExecutor, open_executor

    meter, store_path = Meter(), workdir / "accord.db"
    started = time.perf_counter()
    executor = open_executor(config)
    on_dask = isinstance(executor, DaskExecutor)
    if on_dask:
        with meter.stage("cluster"):
            executor.client.wait_for_workers(executor.local_workers)
    with meter.stage("ingest"):
        ingested = accord.ingest(store_path, corpus, scheduler=executor)
    with meter.stage("code"):
        coded = accord.code(store_path, scheduler=executor)
    peaks = meter.peaks(on_dask)  # before the workers stop
    executor.close()
    with meter.stage("analyse"):
        result = accord.analyse(store_path, out=workdir / "tables")
    with meter.stage("report"):
        accord.write_report(result, workdir / "report.html", store=store_path)
    total = time.perf_counter() - started
    code_wall = meter.stages["code"]["wall_s"]
    return {
        "config": config,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "documents": len(ingested.added),
        "words": ingested.n_words,
        "passages": coded.n_passages,
        "coder": coded.coder,
        "stages": meter.stages,
        "total_s": round(total, 2),
        "passages_per_s": round(coded.n_coded / code_wall, 1) if code_wall else None,
        "peak_rss_mb": {"client": round(peak_rss_mb(os.getpid()), 1), **peaks},
    }


# -- the benchmark: corpora, rounds, tables -------------------------------------------------


def one(corpus: Path, config: str, niceness: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="accord-scale-") as workdir:
        command = [sys.executable, str(HERE / "scale.py"), "--one", str(corpus), config, workdir]
        if niceness:
            command = ["nice", "-n", str(niceness), *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=HERE)
        if done.returncode:
            sys.exit(f"{config} on {corpus} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def best(jobs: list[dict]) -> dict:
    return min(jobs, key=lambda job: job["total_s"])


def stage_table(by_config: dict[str, list[dict]]) -> list[str]:
    """One corpus size: every stage of every configuration (best round), wall and CPU."""
    lines = [
        "| Configuration | Cluster start s | Ingest s | Code s | Analyse s | Report s | "
        "Total s | Coding passages/s | CPU s: client / workers | Peak RSS MB: client / "
        "each worker (its sandbox) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for config, jobs in by_config.items():
        job = best(jobs)
        stage = {k: v["wall_s"] for k, v in job["stages"].items()}
        client = sum(v["client_cpu_s"] for v in job["stages"].values())
        workers = sum(v["workers_cpu_s"] for v in job["stages"].values())
        rss = job["peak_rss_mb"]
        each = ", ".join(f"{w:,.0f}" for w in rss.get("worker", [])) or "—"
        sandbox = max(rss.get("sandbox", [0]))
        lines.append(
            f"| {config} | {stage.get('cluster', 0):.1f} | {stage['ingest']:.1f} | "
            f"{stage['code']:.1f} | {stage['analyse']:.1f} | {stage['report']:.1f} | "
            f"**{job['total_s']:.1f}** | {job['passages_per_s']:,.0f} | "
            f"{client:,.0f} / {workers:,.0f} | {rss['client']:,.0f} / {each} ({sandbox:,.0f}) |"
        )
    return lines


def growth_table(results: dict[int, dict[str, list[dict]]]) -> list[str]:
    """How time and memory grow with the corpus, per configuration (best rounds)."""
    configs = list(dict.fromkeys(c for by_config in results.values() for c in by_config))
    lines = [
        "| Words | Documents | Passages | "
        + " | ".join(f"{c}: total s / client MB" for c in configs)
        + " |",
        "|---|---|---|" + "---|" * len(configs),
    ]
    for by_config in results.values():
        first = best(next(iter(by_config.values())))
        cells = []
        for config in configs:
            if not by_config.get(config):
                cells.append("—")
                continue
            job = best(by_config[config])
            cells.append(f"{job['total_s']:.0f} / {job['peak_rss_mb']['client']:,.0f}")
        lines.append(
            f"| {first['words'] / 1e6:.2f} M | {first['documents']} | {first['passages']:,} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def summary(results: dict[int, dict[str, list[dict]]]) -> list[str]:
    size = max(results)
    largest = results[size]
    lines = []
    if "local:1" in largest and "local:2" in largest:
        one_worker, two = best(largest["local:1"]), best(largest["local:2"])
        coding = one_worker["stages"]["code"]["wall_s"] / two["stages"]["code"]["wall_s"]
        whole = one_worker["total_s"] / two["total_s"]
        lines.append(
            f"- Speed-up at 2 workers over 1 ({size} M words): coding {coding:.2f}x, whole job "
            f"{whole:.2f}x (goal 1.7x)."
        )
    fastest = min((best(jobs) for jobs in largest.values()), key=lambda j: j["total_s"])
    cpu = sum(v["client_cpu_s"] + v["workers_cpu_s"] for v in fastest["stages"].values())
    client_peak = max(best(jobs)["peak_rss_mb"]["client"] for jobs in largest.values())
    lines += [
        f"- Fastest whole job at {size} M words: {fastest['total_s']:.0f} s with "
        f"{fastest['config']} (goal {GOAL_S} s), {cpu:,.0f} CPU seconds in all.",
        f"- Client peak RSS at {size} M words: at most {client_peak:,.0f} MB (goal 2,048).",
    ]
    return lines


def earlier_results() -> dict[int, dict[str, list[dict]]]:
    saved = RESULTS / "scale.json"
    if not saved.is_file():
        return {}
    return {int(k): v for k, v in json.loads(saved.read_text())["results"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=3, metavar=("CORPUS", "CONFIG", "WORKDIR"))
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_M)), help="M words")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--nice", type=int, default=0, help="niceness of the jobs")
    parser.add_argument(
        "--keep", action="store_true", help="keep the results of sizes not run this time"
    )
    args = parser.parse_args()
    if args.one:
        corpus, config, workdir = args.one
        print(json.dumps(run_job(Path(corpus), config, Path(workdir))))
        return
    configs = args.configs.split(",")
    results = earlier_results() if args.keep else {}
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = RESULTS / "scale-corpus" / f"{size}M"
        described = build_corpus(corpus, size * 1_000_000)
        print(f"{size} M words: {described}", file=sys.stderr)
        results[size] = {config: [] for config in configs}
        for round_number in range(args.rounds):
            shift = round_number % len(configs)  # alternate which configuration goes first
            for config in configs[shift:] + configs[:shift]:
                job = one(corpus, config, args.nice)
                results[size][config].append(job)
                print(f"  round {round_number + 1} {config}: {job['total_s']} s", file=sys.stderr)
    results = dict(sorted(results.items()))
    lines = []
    for size, by_config in results.items():
        lines += [f"### {size} M words", "", *stage_table(by_config), ""]
    lines += ["### Growth", "", *growth_table(results), "", *summary(results)]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.md").write_text("\n".join(lines) + "\n")
    save("scale", {"results": {str(k): v for k, v in results.items()}, "summary": summary(results)})
    print("\n".join(lines))


if __name__ == "__main__":
    main()
