"""Shared fixtures: fresh stores, generated PDFs/DOCX/HTML from our own text, the shared corpus."""

from __future__ import annotations

import csv
import os
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from accord.store.corpus_store import CorpusStore, open_store
from fixtures.texts import PARAGRAPHS

SHARED = Path(
    os.environ.get("ACCORD_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
SHARED_CORPUS = SHARED / "corpus"
# Fixtures shared by several folders' tests (the analysed tiny corpus of the report tests).
pytest_plugins = ["fixtures.report_corpus"]


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """The test run's own per-user folder (vectors, distilled models, error log), not the
    user's ~/.cache/accord: no test depends on what an earlier run left there. Worker
    processes inherit it."""
    previous = os.environ.get("ACCORD_CACHE_DIR")
    os.environ["ACCORD_CACHE_DIR"] = str(tmp_path_factory.mktemp("accord-cache"))
    yield Path(os.environ["ACCORD_CACHE_DIR"])
    if previous is None:
        os.environ.pop("ACCORD_CACHE_DIR", None)
    else:
        os.environ["ACCORD_CACHE_DIR"] = previous


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    with open_store(tmp_path / "accord.db") as fresh:
        yield fresh


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not (SHARED_CORPUS / "manifest.csv").is_file():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS} (set ACCORD_SHARED to its parent)")
    return SHARED_CORPUS


def write_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    header: str | None = "Accord Test Bulletin - Working Draft",
    page_numbers: bool = True,
    title: str | None = None,
    created: datetime | None = None,
) -> Path:
    """A real PDF: each page's paragraphs wrapped by fpdf2, with a running header and numbers.
    ``created`` fixes its creation time (else now), so that its bytes are reproducible."""
    from fpdf import FPDF

    class Bulletin(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("helvetica", size=9)
                self.cell(0, 8, header, align="C")
                self.ln(12)

        def footer(self) -> None:
            if page_numbers:
                self.set_y(-15)
                self.set_font("helvetica", size=9)
                self.cell(0, 8, str(self.page_no()), align="C")

    pdf = Bulletin()
    if title:
        pdf.set_title(title)
    if created is not None:
        pdf.set_creation_date(created)
    for paragraphs in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(4)
    pdf.output(str(path))
    return path


def write_docx(path: Path, heading: str, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = heading
    document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Measure", "Owner"
    table.cell(1, 0).text, table.cell(1, 1).text = "Incident registry", "Secretariat"
    document.save(str(path))
    return path


def write_html(path: Path, title: str, paragraphs: list[str]) -> Path:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    path.write_text(
        textwrap.dedent(f"""\
        <!doctype html><html><head><title>{title}</title></head><body>
        <nav><a href="/">Home</a> | <a href="/news">News</a></nav>
        <main><h1>{title}</h1>{body}<h2>Next steps</h2><p>{paragraphs[0]}</p></main>
        <footer>Site footer with contact details</footer></body></html>"""),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """Five documents in four formats with a manifest: three institutions, our own words."""
    root = tmp_path / "corpus"
    root.mkdir()
    write_pdf(root / "health.pdf", [PARAGRAPHS[:2], PARAGRAPHS[2:4], PARAGRAPHS[4:]])
    write_docx(root / "trade.docx", "Enterprise adoption plan", [PARAGRAPHS[3], PARAGRAPHS[4]])
    write_html(root / "schools.html", "Guidance for schools", [PARAGRAPHS[1], PARAGRAPHS[5]])
    (root / "weapons.txt").write_text("\n\n".join([PARAGRAPHS[2], PARAGRAPHS[4]]), "utf-8")
    (root / "climate.md").write_text(
        "# Climate and AI\n\n" + PARAGRAPHS[5] + "\n\n## Cooperation\n\n" + PARAGRAPHS[4], "utf-8"
    )
    rows = [
        (
            "health",
            "health.pdf",
            "World Health Organization",
            "Medical imaging note",
            "2021",
            "guidance",
        ),
        ("trade", "trade.docx", "OECD", "Enterprise adoption plan", "2023", "report"),
        ("schools", "schools.html", "UNESCO", "Guidance for schools", "2023", "guidance"),
        (
            "weapons",
            "weapons.txt",
            "United Nations General Assembly",
            "Weapons debate",
            "2024",
            "resolution",
        ),
        (
            "climate",
            "climate.md",
            "United Nations Educational, Scientific and Cultural Organization",
            "Climate and AI",
            "2022",
            "report",
        ),
    ]
    with (root / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["id", "path", "organisation", "title", "year", "document_type", "source_note"]
        )
        for row in rows:
            writer.writerow([*row, "written for tests"])
    return root


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory):
    """A trained.v1 model of the test codebook, trained on our own labelled sentences:
    (the training report, the codebook that names the model)."""
    from accord.coding.codebooks import load_codebook
    from accord.validation.training import train
    from fixtures.training import write_training_gold

    folder = tmp_path_factory.mktemp("trained")
    gold = write_training_gold(folder / "gold.jsonl")
    codebook = Path(__file__).parent / "fixtures" / "codebook.yaml"
    report = train([gold], load_codebook(codebook), folder / "model", settings=TRAIN_SETTINGS)
    return report, load_codebook(report.codebook_path)


def _train_settings():
    from accord.coding.training import TrainSettings

    return TrainSettings(min_positives=4, folds=4)


TRAIN_SETTINGS = _train_settings()
