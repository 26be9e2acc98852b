"""Cleaning: headers, footers, page numbers, hyphenation, ligatures, paragraphs."""

from __future__ import annotations

from accord.ingestion.clean import clean_pages, join_lines, normalise_chars


def test_ligatures_and_spaces():
    assert normalise_chars("e\ufb03cient\u00a0and  \ufb01ne\u00ad") == "efficient and fine"


def test_hyphenated_words_and_wrapped_lines_are_joined():
    lines = [
        "The committee will review the accountabil-",
        "ity of providers and publish its findings every",
        "year in a public report.",
    ]
    assert join_lines(lines) == [
        "The committee will review the accountability of providers and publish its findings "
        "every year in a public report."
    ]


def test_bullets_and_headings_start_new_paragraphs():
    lines = [
        "Measures",
        "The plan sets out three measures that apply to all members of the network.",
        "• shared registers of incidents;",
        "• common testing methods.",
    ]
    assert join_lines(lines) == [
        "Measures",
        "The plan sets out three measures that apply to all members of the network.",
        "• shared registers of incidents;",
        "• common testing methods.",
    ]


def test_running_headers_and_page_numbers_are_removed():
    body = "Member states shall notify the secretariat of every serious incident."
    pages = [f"Bulletin of the Network\n{body} ({n})\n{n}" for n in range(1, 6)]
    cleaned, stats = clean_pages(pages)
    assert all("Bulletin of the Network" not in page for page in cleaned)
    assert all(page.endswith(f"({n})") for n, page in enumerate(cleaned, 1))
    assert stats.n_lines_removed == 10


def test_repeated_header_in_text_without_page_breaks():
    block = "A/RES/99/1\n\nThe Assembly encourages cooperation on research among its members.\n\n"
    cleaned, stats = clean_pages([block * 6])
    assert "A/RES/99/1" not in cleaned[0]
    assert cleaned[0].count("encourages cooperation") == 6
    assert stats.n_words_removed == 6
