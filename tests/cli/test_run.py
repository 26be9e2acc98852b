"""accord run: the main job end to end; the same inputs give byte-identical tables."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from accord.cli import app

runner = CliRunner()
CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


def run(store: Path, corpus: Path, out: Path):
    settings = out.parent / "fast.toml"
    settings.write_text(
        "[analysis]\nbootstrap_resamples = 40\nweight_draws = 40\n"
        "[analysis.support]\nmin_passages = 1\nmin_domain_passages = 1\n"
    )
    return runner.invoke(
        app,
        [
            "--quiet",
            "--store",
            str(store),
            "run",
            str(corpus),
            "--out",
            str(out),
            "--coder",
            "rules",
            "--codebook",
            str(CODEBOOK),
            "--settings",
            str(settings),
        ],
    )


def tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "tables").iterdir())}


def test_run_twice_and_in_a_fresh_store_gives_identical_tables(tmp_path, tiny_corpus):
    first = run(tmp_path / "a.db", tiny_corpus, tmp_path / "out-a")
    assert first.exit_code == 0, first.output
    assert "Open the report" in first.output and (tmp_path / "out-a" / "report.html").exists()
    second = run(tmp_path / "a.db", tiny_corpus, tmp_path / "out-b")
    assert second.exit_code == 0, second.output
    assert "0 newly coded" in second.output
    fresh = run(tmp_path / "c.db", tiny_corpus, tmp_path / "out-c")
    assert fresh.exit_code == 0, fresh.output
    a, b, c = (tables(tmp_path / name) for name in ("out-a", "out-b", "out-c"))
    assert set(a) >= {"domains.csv", "domains.parquet", "domains.json", "evidence.csv"}
    assert a == b == c


def test_run_on_nothing_usable_fails_cleanly(tmp_path):
    corpus = tmp_path / "empty"
    corpus.mkdir()
    (corpus / "notes.xlsx").write_bytes(b"not a document")
    result = run(tmp_path / "x.db", corpus, tmp_path / "out")
    assert result.exit_code == 1
    assert "Error: Nothing could be ingested" in result.output
    assert "Traceback" not in result.output
