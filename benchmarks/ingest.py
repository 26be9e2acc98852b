"""Benchmark: Accord's ingest of the shared corpus PDFs against raw pypdfium2 extraction of the
same files in the same run. Target: Accord at >= 50 % of raw extraction speed (pages/s)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from _common import require_corpus, save, timer

import accord


def raw_extraction(pdfs: list[Path]) -> tuple[int, int]:
    pages = characters = 0
    for path in pdfs:
        pdf = pdfium.PdfDocument(path)
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            characters += len(textpage.get_text_bounded())
            pages += 1
        pdf.close()
    return pages, characters


def main() -> None:
    corpus = require_corpus()
    pdfs = sorted((corpus / "originals").rglob("*.pdf"))
    times: dict[str, float] = {}
    with timer("raw_pypdfium2_s", times):
        pages, characters = raw_extraction(pdfs)
    with tempfile.TemporaryDirectory() as tmp:
        store = accord.open_store(Path(tmp) / "bench.db")
        with timer("accord_ingest_s", times):
            report = accord.ingest(store, corpus / "originals")
        with timer("accord_reingest_unchanged_s", times):
            accord.ingest(store, corpus / "originals")
    raw_rate = pages / times["raw_pypdfium2_s"]
    accord_rate = pages / times["accord_ingest_s"]
    save(
        "ingest",
        {
            "files": len(pdfs),
            "pages": pages,
            "characters": characters,
            "documents_added": len(report.added),
            "passages": report.n_passages,
            **times,
            "raw_pages_per_s": round(raw_rate, 1),
            "accord_pages_per_s": round(accord_rate, 1),
            "ratio": round(accord_rate / raw_rate, 3),
            "target_ratio": 0.5,
            "meets_target": accord_rate / raw_rate >= 0.5,
        },
    )


if __name__ == "__main__":
    main()
