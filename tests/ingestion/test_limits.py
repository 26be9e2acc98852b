"""What one file may cost (issue 11, item 12): words counted before a text is read whole,
compressed parts checked before they are unpacked, messages in one unit. Tiny limits keep the
generated files small."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

import accord
from accord.config import load_settings
from accord.errors import IngestError
from accord.ingestion.limits import MIB, ReadLimits, check_file_words
from accord.ingestion.readers.docx import read_docx
from accord.ingestion.readers.pdf import read_pdf
from conftest import write_docx, write_pdf
from fixtures.hostile import flate_bomb_pdf, many_words_text, pdf_with_stream, zip_bomb_docx
from fixtures.processes import child_env
from fixtures.texts import HEALTH, PARAGRAPHS


def skipped(store, root, **ingest):
    report = accord.ingest(store, root, settings=load_settings(ingest=ingest))
    assert report.added, "the files within the limits are ingested"
    return {s.source.rsplit("/", 1)[-1]: (s.reason, s.message) for s in report.skipped}


def test_a_text_over_the_word_limit_is_skipped_saying_both_counts_in_words(store, tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    many_words_text(root / "long.txt", 5000)
    (root / "short.txt").write_text(HEALTH, "utf-8")
    found = skipped(store, root, max_words=1000)
    assert found == {
        "long.txt": (
            "oversized",
            "the file has 5,000 words, over the limit of 1,000 words (setting ingest.max_words).",
        )
    }


def test_a_huge_text_is_refused_within_bounded_memory(tmp_path):
    """A 200 MB text took 4 GB of memory. Here 40 MB are refused by a worker allowed 150 MB
    more than it holds after its imports."""
    big = many_words_text(tmp_path / "big.txt", 5_000_000)
    script = textwrap.dedent(
        f"""
        import resource
        from accord.errors import IngestError
        from accord.ingestion.limits import ReadLimits
        from accord.ingestion.parse import parse_file
        with open("/proc/self/statm") as fh:
            held = int(fh.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (held + 150 * 2**20, resource.RLIM_INFINITY))
        try:
            parse_file({str(big)!r}, "txt", 150, 8, ReadLimits(max_words=1_000_000))
        except IngestError as exc:
            print(exc.reason, exc.message)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=child_env()
    )
    assert result.stdout.startswith("oversized the file has 5,000,000 words"), result.stderr


def test_words_are_counted_across_chunks_and_in_utf16(tmp_path):
    text = " ".join(PARAGRAPHS * 400)  # over a megabyte: several chunks, words cut between them
    words = len(text.split())
    for codec in ("utf-8", "utf-16"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(text.encode(codec))
        with pytest.raises(IngestError, match=f"has {words:,} words"):
            check_file_words(path, path.stat().st_size, words - 1)
        check_file_words(path, path.stat().st_size, words)  # exactly at the limit: fine


def test_the_byte_limit_message_uses_one_unit(store, tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text(HEALTH * 20, "utf-8")
    (root / "b.txt").write_text(HEALTH[:900], "utf-8")
    size = (root / "a.txt").stat().st_size
    found = skipped(store, root, max_file_mb=0.001)
    assert found["a.txt"] == (
        "oversized",
        f"the file is {size:,} bytes, over the limit of 1,048 bytes (setting ingest.max_file_mb).",
    )


def test_a_flate_bomb_pdf_is_too_large_not_needs_ocr(store, tmp_path):
    """A 1 GiB stream of zeros took 20 s and 2.2 GB, then read as needs-ocr; here 16 MiB
    against a 2 MiB limit (the 1 GiB case runs in benchmarks/reliability.py)."""
    root = tmp_path / "corpus"
    root.mkdir()
    flate_bomb_pdf(root / "bomb.pdf", 16 * MIB)
    (root / "fine.pdf").write_bytes(pdf_with_stream(b" " * 1000, text=HEALTH[:80]))
    found = skipped(store, root, max_decompressed_mb=2)
    assert list(found) == ["bomb.pdf"] and found["bomb.pdf"][0] == "pdf-too-large"
    assert re.fullmatch(
        r"the PDF's compressed streams unpack to more than \d\.\d MB, over the limit of 2\.0 MB "
        r"\(setting ingest\.max_decompressed_mb\)\.",
        found["bomb.pdf"][1],
    )


def test_images_do_not_count_toward_the_unpacked_size(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, HEALTH)
    pdf.image(Image.new("RGB", (1500, 1500), "white"), x=20, y=80, w=100)  # 6.75 MB unpacked
    data = bytes(pdf.output())
    extracted = read_pdf(data, ReadLimits(max_decompressed_bytes=MIB))
    assert "qualified doctor" in extracted.pages[0]


def test_page_and_word_limits_of_a_pdf(tmp_path):
    path = write_pdf(tmp_path / "three.pdf", [PARAGRAPHS[:2], PARAGRAPHS[2:4], PARAGRAPHS[4:]])
    with pytest.raises(IngestError) as pages:
        read_pdf(path.read_bytes(), ReadLimits(max_pdf_pages=2))
    assert (pages.value.reason, pages.value.message) == (
        "pdf-too-large",
        "the PDF has 3 pages, over the limit of 2 pages (setting ingest.pdf_max_pages).",
    )
    with pytest.raises(IngestError, match=r"words in its first 1 pages, over the limit of 50 w"):
        read_pdf(path.read_bytes(), ReadLimits(max_words=50))


def test_a_zip_bomb_docx_is_oversized(tmp_path):
    docx = write_docx(tmp_path / "plain.docx", "Plan", [HEALTH])
    bomb = zip_bomb_docx(docx, tmp_path / "bomb.docx", 8 * MIB)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(IngestError) as info:
        read_docx(bomb.read_bytes(), ReadLimits(max_decompressed_bytes=2 * MIB))
    assert info.value.reason == "oversized"
    assert re.match(r"the DOCX unpacks to 8\.\d MB, over the limit of 2\.0 MB", info.value.message)
    assert "qualified doctor" in read_docx(docx.read_bytes()).pages[0]
