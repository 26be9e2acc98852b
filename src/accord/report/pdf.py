"""accord report --format pdf: the HTML report printed to PDF by headless Chromium.

The page is the same self-contained HTML report (charts drawn by its inlined plotly), opened
from a temporary file with the network off, so the PDF shows exactly what a reader of the
HTML sees. Chromium is found as ``$ACCORD_CHROMIUM``, else as the first of CANDIDATES on the
PATH; none found is a one-line error saying how to get one.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from accord.errors import ReportError

logger = logging.getLogger(__name__)

CHROMIUM_ENV = "ACCORD_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, offline and quiet: no sandbox (containers), no GPU, no network of its own.
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
FLAGS = (
    *BROWSER_FLAGS,
    "--no-pdf-header-footer",  # no file path and date printed on every page
    "--print-to-pdf-no-header",  # the same, for Chromium before 120
    "--virtual-time-budget=15000",  # let the charts' scripts finish before printing
)
TIMEOUT_S = 180


def find_chromium() -> str:
    """The Chromium program to print with.

    Raises:
        ReportError: ``$ACCORD_CHROMIUM`` is not a program, or no Chromium is on the PATH.
    """
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ReportError(
            f"{CHROMIUM_ENV} is {configured}, which is not a program.",
            hint=f"Point {CHROMIUM_ENV} at a Chromium or Chrome executable, or unset it.",
        )
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        "No Chromium found to print the PDF report.",
        hint=f"Install Chromium (e.g. `apt-get install chromium`) or set {CHROMIUM_ENV} to "
        "its path; or write --format html and print it from a browser.",
    )


def print_pdf(html_text: str, out: Path) -> Path:
    """Print the HTML page to ``out``; the file appears whole or not at all.

    Raises:
        ReportError: no Chromium, or Chromium failed or produced no PDF.
    """
    chromium = find_chromium()
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="accord-pdf-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html_text, encoding="utf-8")
        printed = Path(folder) / "report.pdf"
        command = [
            chromium,
            *FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"Chromium took more than {TIMEOUT_S} s to print the PDF.") from None
        if done.returncode != 0 or not printed.is_file() or printed.stat().st_size == 0:
            logger.debug("Chromium said: %s", done.stderr.decode("utf-8", "replace")[-2000:])
            raise ReportError(
                f"Chromium ({chromium}) could not print the PDF (exit {done.returncode}).",
                hint="Run with --debug to see its messages.",
            )
        shutil.move(printed, out)
    return out
