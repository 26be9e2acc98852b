"""Human-coded gold labels: read CSV or JSONL, resolve each item to its text.

An item names its passage in one of three ways: ``passage_id`` (a passage in the store),
``text`` (the text itself), or ``document_id`` + ``char_start`` + ``char_end`` +
``text_sha256`` (a span of a corpus file, found through the corpus manifest, so gold files
never need to hold the corpus text).

CSV gold is long: one row per item, dimension and coder, labels separated by ';'
(``passage_id|text|document_id...``, ``dimension``, ``labels``, optional ``coder``, ``item_id``).
JSONL gold is wide: one record per item and coder with ``labels: {dimension: [ids]}``.
A REFI-QDA project (``.qdpx``) coded in NVivo, MAXQDA, ATLAS.ti or QualCoder is read by
validation/qdpx_gold.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from accord.errors import ValidationDataError
from accord.ingestion.clean import clean_pages
from accord.ingestion.readers.decoding import decode_text
from accord.model.codebook import Codebook
from accord.model.provenance import Skipped
from accord.store.corpus_store import CorpusStore

FIRST_CODER = "coder-1"


@dataclass
class GoldItem:
    id: str
    reference: dict[str, object]  # how the item names its passage
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # coder -> dim -> ids
    text: str | None = None
    document_type: str | None = None
    group: str = ""  # document, for grouped cross-validation

    @property
    def coders(self) -> list[str]:
        return list(self.labels)


@dataclass
class GoldSet:
    name: str
    items: list[GoldItem]
    skipped: list[Skipped]

    def dimensions(self) -> list[str]:
        found: list[str] = []
        for item in self.items:
            for labels in item.labels.values():
                found.extend(d for d in labels if d not in found)
        return found


QDPX_SUFFIXES = (".qdpx", ".qde")


def load_gold(path: str | Path, codebook: Codebook, store: CorpusStore | None = None) -> GoldSet:
    """Read a gold file and check its labels against the codebook. ``store``: where a
    REFI-QDA project's sources are found as documents, to use their passages.

    Raises:
        ValidationDataError: unreadable file, unknown dimension or category id.
    """
    path = Path(path)
    if path.suffix.lower() in QDPX_SUFFIXES:
        from accord.validation.qdpx_gold import qdpx_items

        items, skipped = qdpx_items(path, codebook, store)
        _check_ids(path, items, codebook)
        return GoldSet(path.stem, items, skipped)
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise ValidationDataError(f"Cannot read gold file {path}: {exc.strerror}.") from exc
    items = (
        _jsonl_items(path, text)
        if path.suffix.lower() in {".jsonl", ".json"}
        else _csv_items(path, text, list(codebook.ids))
    )
    _check_ids(path, items, codebook)
    return GoldSet(path.stem, items, [])


def _jsonl_items(path: Path, text: str) -> list[GoldItem]:
    items: dict[str, GoldItem] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationDataError(f"{path}: line {number} is not JSON ({exc.msg}).") from exc
        if not isinstance(record, dict) or not isinstance(record.get("labels"), dict):
            raise ValidationDataError(f"{path}: line {number} needs a 'labels' object.")
        item_id = str(record.get("id") or record.get("passage_id") or f"line-{number}")
        item = items.setdefault(item_id, GoldItem(item_id, _reference(record)))
        coder = str(record.get("coder") or f"coder-{len(item.labels) + 1}")
        item.labels[coder] = {d: _as_list(v) for d, v in record["labels"].items()}
    return list(items.values())


def _csv_items(path: Path, text: str, dimensions: list[str]) -> list[GoldItem]:
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    wide = [d for d in dimensions if d in columns]
    if "dimension" not in columns and wide and columns & {"passage_id", "text", "document_id"}:
        return _wide_csv_items(reader, wide)
    if not {"dimension", "labels"} <= columns or not columns & {
        "passage_id",
        "text",
        "document_id",
    }:
        raise ValidationDataError(
            f"{path}: a CSV gold file needs columns dimension, labels and one of passage_id, "
            "text or document_id (with char_start, char_end, text_sha256).",
            hint=f"Columns found: {', '.join(sorted(columns))}.",
        )
    items: dict[str, GoldItem] = {}
    for row in reader:
        reference = _reference(row)
        item_id = (
            row.get("item_id")
            or str(reference.get("passage_id") or "")
            or hashlib.sha256(json.dumps(reference, sort_keys=True).encode()).hexdigest()[:12]
        )
        item = items.setdefault(item_id, GoldItem(item_id, reference))
        coder = row.get("coder") or FIRST_CODER
        item.labels.setdefault(coder, {})[row["dimension"].strip()] = _as_list(row["labels"])
    return list(items.values())


def _wide_csv_items(reader: csv.DictReader, dimensions: list[str]) -> list[GoldItem]:
    """The layout `accord sample` writes: one row per passage, a column per dimension. A row
    with every dimension empty was not coded; in a coded row an empty cell means none."""
    items: dict[str, GoldItem] = {}
    for number, row in enumerate(reader, 2):
        if not any((row.get(d) or "").strip() for d in dimensions):
            continue
        reference = _reference(row)
        item_id = row.get("item_id") or str(reference.get("passage_id") or f"row-{number}")
        item = items.setdefault(item_id, GoldItem(item_id, reference))
        coder = row.get("coder") or f"coder-{len(item.labels) + 1}"
        item.labels[coder] = {
            d: [v for v in _as_list(row.get(d)) if v.lower() not in ("none", "-")]
            for d in dimensions
        }
    return list(items.values())


def _reference(record: dict) -> dict[str, object]:
    keys = ("passage_id", "text", "document_id", "char_start", "char_end", "text_sha256")
    found = {k: record[k] for k in keys if record.get(k) not in (None, "")}
    for key in ("char_start", "char_end"):
        if key in found:
            found[key] = int(found[key])  # type: ignore[arg-type]
    return found


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return sorted({v.strip() for v in value.replace(",", ";").split(";") if v.strip()})
    return sorted({str(v).strip() for v in value if str(v).strip()})  # type: ignore[union-attr]


def _check_ids(path: Path, items: list[GoldItem], codebook: Codebook) -> None:
    known = codebook.ids
    for item in items:
        for coder, labels in item.labels.items():
            for dimension, categories in labels.items():
                if dimension not in known:
                    raise ValidationDataError(
                        f"{path}: item {item.id} ({coder}) uses dimension '{dimension}', which "
                        f"codebook '{codebook.name}' does not have.",
                        hint=f"Dimensions: {', '.join(known)}.",
                    )
                unknown = [c for c in categories if c not in known[dimension]]
                if unknown:
                    raise ValidationDataError(
                        f"{path}: item {item.id} ({coder}): unknown {dimension} id(s) "
                        f"{', '.join(unknown)}.",
                        hint=f"Valid ids: {', '.join(known[dimension])}.",
                    )


def resolve_texts(
    gold: GoldSet, *, store: CorpusStore | None = None, corpus: Path | None = None
) -> GoldSet:
    """Attach text (and document type) to every item; items that cannot be found are skipped
    with their reason, never silently dropped."""
    manifest = _corpus_manifest(corpus) if corpus else {}
    kept, skipped = [], list(gold.skipped)
    cache: dict[str, str] = {}
    for item in gold.items:
        try:
            _resolve(item, store, corpus, manifest, cache)
        except ValidationDataError as exc:
            skipped.append(Skipped(item.id, "validate", exc.reason, exc.message))
            continue
        kept.append(item)
    return GoldSet(gold.name, kept, skipped)


def _resolve(item: GoldItem, store, corpus, manifest, cache) -> None:
    ref = item.reference
    if "text" in ref:
        item.text, item.group = str(ref["text"]), str(ref.get("document_id", item.id))
        return
    if "passage_id" in ref:
        if store is None:
            raise ValidationDataError(
                "gold names passages by id but no store was given.", reason="needs-store"
            )
        passage = store.passage(str(ref["passage_id"]))
        if passage is None:
            raise ValidationDataError(
                f"passage {ref['passage_id']} is not in the store.", reason="unknown-passage"
            )
        row = store.db.execute(
            "SELECT document_type FROM documents WHERE id=?", (passage.document_id,)
        ).fetchone()
        item.text, item.group = passage.text, passage.document_id
        item.document_type = row[0] if row else None
        return
    document_id = str(ref.get("document_id", ""))
    if document_id not in manifest:
        raise ValidationDataError(
            f"document '{document_id}' is not in the corpus manifest"
            + ("" if corpus else " (pass --corpus DIR)")
            + ".",
            reason="unknown-document",
        )
    file_path, document_type = manifest[document_id]
    if document_id not in cache:
        cache[document_id] = file_path.read_text(encoding="utf-8")
    raw = cache[document_id][int(ref["char_start"]) : int(ref["char_end"])]  # type: ignore[arg-type]
    expected = ref.get("text_sha256")
    if expected and hashlib.sha256(raw.encode("utf-8")).hexdigest() != expected:
        raise ValidationDataError(
            f"the text of {document_id} at {ref['char_start']}–{ref['char_end']} has changed.",
            reason="text-changed",
        )
    pages, _ = clean_pages([raw])
    item.text, item.group, item.document_type = pages[0], document_id, document_type


def _corpus_manifest(corpus: Path) -> dict[str, tuple[Path, str | None]]:
    path = corpus / "manifest.csv"
    if not path.is_file():
        raise ValidationDataError(f"No manifest.csv in {corpus}.")
    with path.open(encoding="utf-8") as fh:
        return {
            row["id"]: (corpus / row["path"], row.get("document_type") or None)
            for row in csv.DictReader(fh)
        }


def paired_labels(
    gold: GoldSet, dimension: str
) -> tuple[list[str], list[list[str]], list[tuple[list[str], list[str]]]]:
    """Item ids with the first coder's labels on ``dimension``, and the (first, second) pairs
    of items that a second coder also labelled on it."""
    ids, first, pairs = [], [], []
    for item in gold.items:
        codings = [labels for labels in item.labels.values() if dimension in labels]
        if not codings:
            continue
        ids.append(item.id)
        first.append(codings[0][dimension])
        if len(codings) > 1:
            pairs.append((codings[0][dimension], codings[1][dimension]))
    return ids, first, pairs
