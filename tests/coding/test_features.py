"""The trained coder's fast character n-gram counts equal scikit-learn's, whatever the text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from accord.coding.features import CharCounter
from fixtures.texts import PARAGRAPHS

WORDS = st.sampled_from(
    [
        "a",
        "AI",
        "of",
        "the",
        "Über",
        "data-sharing",
        "İstanbul",
        "co-operate",
        "x",
        "(2024)",
        "naïve",
        "États",
        "ﬁle",
        "’s",
        "e.g.",
        "sixty-five",
        "...",
        "ß",
    ]
)
SPACES = st.sampled_from([" ", "  ", "\n", "\t", "\xa0", " \n ", "\u2003"])


def reference(vocabulary, texts, ngram_range=(3, 5)):
    counter = CountVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        vocabulary={t: k for k, t in enumerate(vocabulary)},
        lowercase=True,
    )
    return counter.transform(texts).astype(np.float32)


def vocabulary_of(texts):
    fitted = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit(texts)
    terms = sorted(fitted.vocabulary_)
    return terms[::2]  # half of them: out-of-vocabulary n-grams must be skipped too


def same(a, b) -> bool:
    a, b = a.tocsr(), b.tocsr()
    a.sort_indices()
    b.sort_indices()
    return (
        a.shape == b.shape
        and (a.indptr == b.indptr).all()
        and (a.indices == b.indices).all()
        and (a.data == b.data).all()
    )


def test_counts_equal_scikit_learn_on_paragraphs():
    texts = [*PARAGRAPHS, "", "   ", "A", " ".join(PARAGRAPHS)]
    vocabulary = vocabulary_of(PARAGRAPHS)
    fast = CharCounter(vocabulary, (3, 5))
    assert same(fast.counts(texts), reference(vocabulary, texts))
    assert same(fast.counts(texts), reference(vocabulary, texts))  # from the word cache


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(WORDS, SPACES), max_size=12), min_size=1, max_size=6))
def test_counts_equal_scikit_learn_on_any_words_and_spaces(documents):
    texts = ["".join(w + s for w, s in doc) for doc in documents]
    vocabulary = vocabulary_of([*texts, *PARAGRAPHS, "Über İstanbul ß ’s"])
    assert same(CharCounter(vocabulary, (3, 5)).counts(texts), reference(vocabulary, texts))
