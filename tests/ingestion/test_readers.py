"""Each reader on real files generated from our own text."""

from __future__ import annotations

import codecs

import pytest

from accord.errors import EncryptedPdf, NoExtractableText, UnreadableFile, UnsupportedFormat
from accord.ingestion.readers import format_of
from accord.ingestion.readers.decoding import decode_text
from accord.ingestion.readers.docx import read_docx
from accord.ingestion.readers.html import read_html
from accord.ingestion.readers.pdf import read_pdf
from accord.ingestion.readers.text import read_markdown
from conftest import write_docx, write_html, write_pdf
from fixtures.texts import DEFENCE, EDUCATION, HEALTH


def test_pdf_text_per_page(tmp_path):
    path = write_pdf(tmp_path / "a.pdf", [[HEALTH], [EDUCATION]], title="Two page bulletin")
    extracted = read_pdf(path.read_bytes())
    assert len(extracted.pages) == 2
    assert "qualified doctor" in extracted.pages[0]
    assert "recommendation systems" in extracted.pages[1]
    assert extracted.title == "Two page bulletin"


def test_encrypted_pdf(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="locked")
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.output(str(tmp_path / "locked.pdf"))
    with pytest.raises(EncryptedPdf, match="encrypted"):
        read_pdf((tmp_path / "locked.pdf").read_bytes())


def test_image_only_pdf_needs_ocr(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (300, 200), "grey"), x=10, y=10, w=120)
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(NoExtractableText) as info:
        read_pdf((tmp_path / "scan.pdf").read_bytes())
    assert info.value.reason == "needs-ocr"


def test_corrupt_pdf():
    with pytest.raises(UnreadableFile) as info:
        read_pdf(b"%PDF-1.7\nthis is not really a pdf")
    assert info.value.reason == "pdf-corrupt"


def test_html_keeps_headings_drops_navigation(tmp_path):
    path = write_html(tmp_path / "p.html", "Guidance for schools", [EDUCATION, DEFENCE])
    extracted = read_html(path.read_bytes())
    text = extracted.pages[0]
    assert "Guidance for schools" in extracted.headings
    assert "Next steps" in extracted.headings
    assert "recommendation systems" in text
    assert "Home" not in text.split()


def test_docx_paragraphs_headings_and_tables(tmp_path):
    path = write_docx(tmp_path / "d.docx", "Adoption plan", [HEALTH, EDUCATION])
    extracted = read_docx(path.read_bytes())
    assert extracted.title == "Adoption plan"
    assert "Adoption plan" in extracted.headings
    assert "Incident registry | Secretariat" in extracted.pages[0]


@pytest.mark.parametrize(
    "data",
    [
        "Café policy – naïve résumé".encode(),
        codecs.BOM_UTF16_LE + "Café policy – naïve résumé".encode("utf-16-le"),
        codecs.BOM_UTF8 + "Café policy – naïve résumé".encode(),
    ],
    ids=["utf-8", "utf-16-bom", "utf-8-bom"],
)
def test_text_encodings(data):
    assert decode_text(data) == "Café policy – naïve résumé"


def test_legacy_encoding_is_detected_not_crashed():
    data = ("Les États membres coopèrent à la sécurité des systèmes " * 5).encode("cp1252")
    assert "coopèrent" in decode_text(data)


def test_binary_with_text_extension():
    with pytest.raises(UnreadableFile) as info:
        decode_text(bytes(range(256)) * 20)
    assert info.value.reason == "binary-file"


def test_markdown_markers_removed():
    extracted = read_markdown(b"# Title here\n\nSome **bold** and [a link](http://x.org) text.\n")
    assert "Title here" in extracted.headings
    assert "Some bold and a link text." in extracted.pages[0]


def test_unsupported_extension():
    with pytest.raises(UnsupportedFormat, match=r"unsupported file type '\.xlsx'"):
        format_of("budget.xlsx")


def test_markdown_front_matter_is_metadata_not_text():
    note = b"---\nnote: 'Paraphrased digest; not the official text.'\n---\n# Title\n\nBody.\n"
    extracted = read_markdown(note)
    assert "Paraphrased" not in extracted.pages[0] and "Body." in extracted.pages[0]
    # A rule and text that is not a YAML mapping is content, kept.
    ruled = read_markdown(b"---\nJust a line of text\n---\nMore text.\n")
    assert "Just a line of text" in ruled.pages[0]
