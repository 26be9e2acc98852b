"""PDF text, page by page, with pypdfium2."""

from __future__ import annotations

import pypdfium2 as pdfium

from accord.errors import EncryptedPdf, NoExtractableText, UnreadableFile
from accord.ingestion.readers import Extracted

# pdfium reports a password-protected file through this error text.
_PASSWORD_ERROR = "password"


def read_pdf(data: bytes) -> Extracted:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if _PASSWORD_ERROR in str(exc).lower():
            raise EncryptedPdf("the PDF is encrypted (password protected).") from exc
        raise UnreadableFile(f"not a readable PDF ({exc}).", reason="pdf-corrupt") from exc
    try:
        pages = [_page_text(pdf, i) for i in range(len(pdf))]
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(f"the PDF is damaged ({exc}).", reason="pdf-corrupt") from exc
    finally:
        pdf.close()
    if not any(page.strip() for page in pages):
        raise NoExtractableText(
            f"no text layer in {len(pages)} page(s); the PDF is scanned images and needs OCR.",
            reason="needs-ocr",
        )
    return Extracted("pdf", pages, title)


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
        finally:
            textpage.close()
    finally:
        page.close()
