"""Segmentation keeps every character of every page, in order, with its page number."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ingestion.segment import segment

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGH.,;:-é", min_size=1, max_size=9)
LINE = st.lists(WORD, min_size=0, max_size=30).map(" ".join)
PAGE = st.lists(LINE, min_size=0, max_size=12).map(lambda ls: "\n\n".join(ls))


@given(st.lists(PAGE, min_size=1, max_size=5), st.integers(20, 60), st.integers(1, 10))
@settings(max_examples=200, deadline=None)
def test_passages_cover_all_text_in_order(pages, max_words, min_words):
    text, page_records, passages = segment(pages, "d-x", max_words=max_words, min_words=min_words)
    # Every non-space character is in exactly one passage, and passages are in reading order.
    covered = "".join(text[p.char_start : p.char_end] for p in passages)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)
    for before, after in itertools.pairwise(passages):
        assert before.char_end <= after.char_start
    for passage in passages:
        assert passage.text == text[passage.char_start : passage.char_end]
        assert passage.text == passage.text.strip()
        page = page_records[passage.page_start - 1]
        assert page.char_start <= passage.char_start <= page.char_start + len(page.text)
        assert passage.page_start <= passage.page_end


def test_long_paragraph_split_at_sentences():
    sentence = "The network shall publish an annual report on the incidents it has received. "
    _, _, passages = segment([sentence * 30], "d-x", max_words=150)
    assert len(passages) == 3
    assert all(p.n_words <= 150 for p in passages)
    assert all(p.text.endswith("received.") for p in passages)


def test_sentence_cut_by_page_break_is_rejoined():
    _, _, passages = segment(
        [
            "Members agree to share evaluation methods and",
            "results with the secretariat each year.",
        ],
        "d-x",
    )
    assert len(passages) == 1
    assert (passages[0].page_start, passages[0].page_end) == (1, 2)


def test_heading_joins_following_paragraph_and_list_tail_joins_previous():
    pages = [
        "Article 4\n\nEach party shall designate an authority to supervise providers on its "
        "territory, and shall notify:\n\nthe secretariat.\n\nAnother paragraph follows here with "
        "enough words to stand alone."
    ]
    _, _, passages = segment(pages, "d-x", min_words=8)
    assert passages[0].text.startswith("Article 4")
    assert passages[0].text.endswith("the secretariat.")
    assert len(passages) == 2
