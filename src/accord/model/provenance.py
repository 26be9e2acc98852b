"""Where results come from: skipped inputs and the stamp carried by every output."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

# Every reason an input can be skipped for, with when it happens: the one list that
# docs/ingest.md is generated from (tests/test_docs.py checks that every reason the code can
# record is here and documented).
SKIP_REASONS: dict[str, str] = {
    "pdf-corrupt": "pdfium cannot open or read the PDF",
    "pdf-encrypted": "the PDF needs a password",
    "needs-ocr": "the PDF has no text layer (scanned pages)",
    "html-corrupt": "the HTML cannot be parsed",
    "docx-corrupt": "the DOCX cannot be opened (not a valid Word file)",
    "no-text": "the file was read but holds no text",
    "unreadable": "the file cannot be read (permissions, a device, an I/O error)",
    "empty-file": "zero bytes",
    "binary-file": "a text extension with binary content",
    "unsupported-format": "an extension Accord does not read",
    "missing-file": "a manifest row names a file that does not exist",
    "outside-corpus": "a manifest row (`..`, an absolute path) or a symlink leads outside the "
    "corpus folder; the same reason whether or not the file exists; `--allow-outside` "
    "(setting `ingest.allow_outside`) reads it",
    "symlink-loop": "a symbolic link that leads back to itself",
    "is-a-directory": "a folder named like a document (`annex.pdf/`)",
    "metadata-kept": "a byte-identical copy of a document a manifest describes, ingested without "
    "a manifest row: the manifest's metadata is kept (not replaced by inferred metadata) and the "
    "conflict is recorded here",
    "bad-manifest-row": "a manifest row without organisation, without file and url, with a year "
    "that is not a year, or with an id an earlier row already uses (the row number is named)",
    "manifest-cell-count": "a CSV manifest row with more or fewer cells than the header has "
    "columns: its cells cannot be matched to columns, so the row is not guessed at (the row "
    "number and both counts are named)",
    "not-downloaded": "a row with only a URL (use `accord collect`)",
    "oversized": "larger than `ingest.max_file_mb`, more words than `ingest.max_words` (counted "
    "before a text-like file is read whole), or a DOCX that unpacks to more than "
    "`ingest.max_decompressed_mb`; the message gives the file's figure and the limit in one unit",
    "pdf-too-large": "a PDF whose compressed streams unpack to more than "
    "`ingest.max_decompressed_mb` (checked before pdfium unpacks them: a small file can hold a "
    "gigabyte of zeros) or with more than `ingest.pdf_max_pages` pages",
    "timeout": "parsing took longer than `ingest.file_timeout_s` (the worker process is stopped)",
    "parser-crashed": "the parser process died on this file",
    "parse-error": "the parser failed on this file",
    "internal-error": "an unexpected error while reading this file (a bug in Accord; the run "
    "goes on)",
    "ingest-failed": "reading the file failed for another reason (the message says which)",
    "missing-source": "a file or folder named on the command line does not exist (an error: "
    "exit 1, nothing is ingested)",
    "duplicate-file": "identical bytes to a file already stored in this run (stored once)",
    "not-a-document": "a README or licence file",
    "download-failed": "`accord collect` could not download the row's URL",
    "http-error": "`accord collect`: the server answered with an error status",
    "unsupported-content-type": "`accord collect`: the server sent a type Accord does not read",
    "unknown-document": "`accord validate`: a gold item names a document not in the manifest",
    "unknown-passage": "`accord validate`: a gold item names a passage not in the store",
    "needs-store": "`accord validate`: gold names passages by id but no store was given",
    "bad-gold": "`accord validate`: a gold item is malformed (the message says how)",
    "text-changed": "`accord validate`: the corpus text at a gold item's offsets has changed",
    "unknown-code": "`accord validate`/`train` of a .qdpx project: codings with a code that "
    "matches no category of the codebook (counted per code; not used)",
    "no-passage": "`accord validate`/`train` of a .qdpx project: a selection that covers no "
    "passage (blank text, or offsets outside its source)",
}


def skip_reasons_reference() -> str:
    """The reason table of docs/ingest.md."""
    rows = [f"| `{code}` | {when} |" for code, when in SKIP_REASONS.items()]
    return "\n".join(["| Reason | When |", "|---|---|", *rows]) + "\n"


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
    reviews_digest: str | None = None  # the reviewed labels used in place of machine ones

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["reviews_digest"] is None:
            del data["reviews_digest"]  # stamps of analyses without reviews stay as they were
        return data


def digest_json(value: Any) -> str:
    """SHA-256 of a value's canonical JSON form (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_corpus(document_hashes: list[str]) -> str:
    """The corpus hash: SHA-256 over the sorted file hashes of the current documents."""
    return hashlib.sha256("\n".join(sorted(document_hashes)).encode("ascii")).hexdigest()
