"""The reviewer's next passage: least certain machine labels first, or `accord sample`'s draw."""

from __future__ import annotations

from accord.errors import AccordError
from accord.store import reviews
from accord.store.corpus_store import CorpusStore
from accord.validation.samples import draw_sample
from accord.web.state import Snapshot

ORDERS = ("low-confidence", "sample")
SAMPLE_SIZE = 200  # the stratified draw the "sample" queue walks through, in passage order


def next_passage(
    store: CorpusStore, snap: Snapshot, reviewer: str | None, order: str = "low-confidence"
) -> str | None:
    """The first passage of the queue that ``reviewer`` (anyone, when None) has not reviewed."""
    if order not in ORDERS:
        raise AccordError(
            f"Unknown review order '{order}'.", hint=f"Use one of {', '.join(ORDERS)}."
        )
    if snap.coding is None or snap.codebook is None:
        raise AccordError("The store has no coding to review yet.", hint="Run `accord code`.")
    done = reviews.reviewed_passages(store, reviewer)
    if order == "low-confidence":
        queue = reviews.low_confidence_queue(
            store, snap.coding.codebook_digest, snap.coding.coder, done, limit=1
        )
        return queue[0] if queue else None
    coding = {"codebook_digest": snap.coding.codebook_digest, "coder": snap.coding.coder}
    for row in draw_sample(store, snap.codebook, SAMPLE_SIZE, coding=coding):
        if row["passage_id"] not in done:
            return row["passage_id"]
    return None
