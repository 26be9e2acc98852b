"""Reviews are appended, the latest per reviewer wins, and machine codes stay untouched."""

from __future__ import annotations

import pytest

import accord
from accord.errors import StoreError
from accord.store import reviews
from accord.store.browse import current_coding
from accord.store.reviews import Review


@pytest.mark.parametrize(
    ("kept", "machine", "verdict"),
    [
        (("a",), ("a",), "confirm"),
        ((), ("a",), "reject"),
        (("a", "b"), ("a",), "add"),
        (("b",), ("a",), "change"),
        ((), (), "confirm"),
    ],
)
def test_verdict_names_what_the_reviewer_did(kept, machine, verdict):
    assert Review("p", "domain", kept, machine, "Ana", "t").verdict == verdict


@pytest.fixture
def coded(store, tiny_corpus):
    accord.ingest(store, tiny_corpus)
    accord.code(store, coder="rules")
    return store


def test_latest_review_per_reviewer_wins_and_everything_is_kept(coded):
    coding = current_coding(coded)
    pid = coded.db.execute("SELECT id FROM passages ORDER BY id LIMIT 1").fetchone()[0]
    args = {"codebook_digest": coding.codebook_digest, "coder": coding.coder}
    reviews.record_review(coded, pid, "domain", ["health"], reviewer="Ana", **args)
    reviews.record_review(coded, pid, "domain", ["education"], reviewer="Ana", **args)
    reviews.record_review(coded, pid, "domain", ["health"], reviewer="Bo", **args)
    latest = {r.reviewer: r.categories for r in reviews.latest_reviews(coded, pid)}
    assert latest == {"Ana": ("education",), "Bo": ("health",)}
    assert coded.db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3
    assert reviews.reviewed_labels(coded)[(pid, "domain")] in {("education",), ("health",)}
    assert reviews.reviews_digest(coded) is not None
    with pytest.raises(StoreError, match="reviewer name"):
        reviews.record_review(coded, pid, "domain", [], reviewer="  ", **args)
    with pytest.raises(StoreError, match="No passage"):
        reviews.record_review(coded, "nope", "domain", [], reviewer="Ana", **args)


def test_read_only_store_refuses_reviews(coded):
    coding = current_coding(coded)
    pid = coded.db.execute("SELECT id FROM passages LIMIT 1").fetchone()[0]
    with accord.open_store(coded.path, read_only=True) as read_only, pytest.raises(StoreError):
        reviews.record_review(
            read_only,
            pid,
            "domain",
            [],
            reviewer="Ana",
            codebook_digest=coding.codebook_digest,
            coder=coding.coder,
        )
