"""accord report --format pdf: Chromium prints the report, and without Chromium the error is
one line that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.errors import ReportError
from accord.report.pdf import CHROMIUM_ENV, print_pdf
from fixtures.browser import CHROMIUM


def test_pdf_report_holds_the_report_title(analysed, tmp_path):
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install with `apt-get install chromium`")
    from pypdf import PdfReader

    store, _ = analysed
    out = tmp_path / "report.pdf"
    args = ["--store", store.path, "report", "--format", "pdf", "--out", str(out)]
    done = CliRunner().invoke(app, args, env={CHROMIUM_ENV: str(CHROMIUM)})
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF")
    reader = PdfReader(str(out))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Accord report: where international organisations already agree on AI" in first
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Medical imaging note" in text and len(reader.pages) > 1


def test_no_chromium_is_a_clear_error(analysed, tmp_path, monkeypatch):
    store, _ = analysed
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no browser on the PATH
    with pytest.raises(ReportError, match="No Chromium found"):
        print_pdf("<html></html>", tmp_path / "x.pdf")
    out = tmp_path / "r.pdf"
    args = ["--store", store.path, "report", "--format", "pdf", "--out", str(out)]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 1 and not out.exists()
    output = " ".join(done.output.split())  # the console wraps long lines
    assert output.startswith("Error: No Chromium found to print the PDF report. Hint:")
    assert "ACCORD_CHROMIUM" in output and "Traceback" not in output
    missing = CliRunner().invoke(app, args, env={CHROMIUM_ENV: str(tmp_path / "chrome")})
    assert missing.exit_code == 1 and "which is not a program" in " ".join(missing.output.split())


def test_pdf_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """A 'browser' that exits with an error leaves no half-written PDF behind."""
    fake = Path(tmp_path) / "broken-chromium"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv(CHROMIUM_ENV, str(fake))
    with pytest.raises(ReportError, match="could not print the PDF"):
        print_pdf("<html><title>t</title></html>", tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
