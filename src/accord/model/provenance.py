"""Where results come from: skipped inputs and the stamp carried by every output."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Skipped:
    source: str
    stage: str  # "ingest", "collect", "code", "validate"
    reason: str  # stable code, e.g. "pdf-encrypted"
    message: str  # a sentence for people
    row: int | None = None  # manifest row, when the problem is a row


@dataclass(frozen=True, slots=True)
class RunStamp:
    accord_version: str
    corpus_digest: str
    codebook_digest: str
    settings_digest: str
    seed: int
    coders: tuple[str, ...] = ()
    model_digest: str | None = None  # the trained model the coder used, when it used one

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def digest_json(value: Any) -> str:
    """SHA-256 of a value's canonical JSON form (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_corpus(document_hashes: list[str]) -> str:
    """The corpus hash: SHA-256 over the sorted file hashes of the current documents."""
    return hashlib.sha256("\n".join(sorted(document_hashes)).encode("ascii")).hexdigest()
