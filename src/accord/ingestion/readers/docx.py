"""Word documents with python-docx: body paragraphs and tables in reading order."""

from __future__ import annotations

import io
import zipfile

from accord.errors import UnreadableFile
from accord.ingestion.readers import Extracted


def read_docx(data: bytes) -> Extracted:
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"not a readable DOCX file ({exc}).", reason="docx-corrupt") from exc
    blocks: list[str] = []
    headings: set[str] = set()
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if style.startswith(("Heading", "Title")):
                headings.add(text)
            blocks.append(text)
        elif isinstance(item, Table):
            blocks.extend(_table_rows(item))
    title = (document.core_properties.title or "").strip() or None
    return Extracted("docx", ["\n\n".join(blocks)], title, frozenset(headings))


def _table_rows(table: object) -> list[str]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells = [cell.text.strip() for cell in row.cells]
        unique = list(dict.fromkeys(c for c in cells if c))  # merged cells repeat their text
        if unique:
            rows.append(" | ".join(unique))
    return rows
