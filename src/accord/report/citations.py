"""The corpus documents as references: BibTeX (LaTeX, JabRef, reference managers) and
CSL-JSON (Zotero, pandoc, citeproc), one entry per current document.

The issuing organisation is the author (as a literal name, never split into given and family
names); the title keeps its capitals; the year, language, document type and web address go in
their usual fields. Every entry has the same citation key in both files, and names its Accord
document id so that a reference can be traced back to the store.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from accord.store.corpus_store import CorpusStore

# document type -> (BibTeX entry type, CSL type); anything else is ("misc", "document").
ENTRY_TYPES = {
    "report": ("techreport", "report"),
    "guidance": ("techreport", "report"),
    "strategy": ("techreport", "report"),
    "code_of_conduct": ("techreport", "report"),
    "convention": ("misc", "treaty"),
    "treaty": ("misc", "treaty"),
    "regulation": ("misc", "regulation"),
    "legislation": ("misc", "legislation"),
}
_DEFAULT_TYPE = ("misc", "document")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))


def references(store: CorpusStore) -> list[dict[str, Any]]:
    """One record per current document, with a unique citation key, sorted by key."""
    rows = sorted(store.current_documents(), key=lambda r: r["id"])
    taken: set[str] = set()
    records = []
    for row in rows:
        key = _unique(_key(row), taken)
        entry_type, csl_type = ENTRY_TYPES.get(row["document_type"] or "", _DEFAULT_TYPE)
        records.append(
            {
                "key": key,
                "document_id": row["id"],
                "bibtex_type": entry_type,
                "csl_type": csl_type,
                "organisation": row["organisation"],
                "institution": row["institution_name"],
                "family": row["family"],
                "title": row["title"],
                "year": row["year"],
                "genre": _genre(row["document_type"]),
                "language": row["language"],
                "url": web_address(row["url"]),
            }
        )
    return sorted(records, key=lambda r: r["key"])


def write_bibtex(store: CorpusStore, path: Path) -> Path:
    entries = [_bibtex_entry(r) for r in references(store)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def write_csl_json(store: CorpusStore, path: Path) -> Path:
    items = [_csl_item(r) for r in references(store)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(items, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def web_address(url: str | None) -> str | None:
    """Only web addresses are cited: a manifest may hold a local path or another scheme."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


def bibtex_escape(text: str) -> str:
    """Text as a BibTeX field value: LaTeX's special characters escaped.

    Example:
        >>> bibtex_escape("R&D {50%}")
        'R\\\\&D \\\\{50\\\\%\\\\}'
    """
    return _SPECIAL.sub(lambda m: _BIBTEX_SPECIAL[m.group()], " ".join(text.split()))


def _bibtex_entry(record: dict[str, Any]) -> str:
    organisation = bibtex_escape(record["organisation"])
    fields: list[tuple[str, str]] = [
        ("author", f"{{{organisation}}}"),  # braced: one corporate name, not given + family
        ("title", f"{{{bibtex_escape(record['title'])}}}"),  # braced: keep its capitals
    ]
    if record["bibtex_type"] == "techreport":
        fields += [("institution", organisation)]
        if record["genre"]:
            fields += [("type", bibtex_escape(record["genre"]))]
    elif record["genre"]:
        fields += [("howpublished", bibtex_escape(record["genre"]))]
    if record["year"] is not None:
        fields += [("year", str(record["year"]))]
    if record["language"]:
        fields += [("language", bibtex_escape(record["language"]))]
    if record["url"]:
        # URLs are verbatim in BibTeX; only braces would end the field.
        fields += [("url", record["url"].replace("{", "%7B").replace("}", "%7D"))]
    fields += [("note", bibtex_escape(f"Accord document {record['document_id']}"))]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{record['bibtex_type']}{{{record['key']},\n{body}\n}}\n"


def _csl_item(record: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": record["key"],
        "citation-key": record["key"],
        "type": record["csl_type"],
        "title": record["title"],
        "author": [{"literal": record["organisation"]}],
        "publisher": record["organisation"],
    }
    if record["year"] is not None:
        item["issued"] = {"date-parts": [[int(record["year"])]]}
    if record["genre"]:
        item["genre"] = record["genre"]
    if record["language"]:
        item["language"] = record["language"]
    if record["url"]:
        item["URL"] = record["url"]
    item["custom"] = {
        "accord_document_id": record["document_id"],
        "institution": record["institution"],
        "family": record["family"],
    }
    return item


def _genre(document_type: str | None) -> str | None:
    return document_type.replace("_", " ").capitalize() if document_type else None


def _key(row: Any) -> str:
    """institution + year + first long title word: 'oecd2023enterprise'."""
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii(row["title"])) if len(w) > 3]
    institution = re.sub(r"[^a-z0-9]", "", _ascii(row["institution_id"].split(":")[-1]))[:20]
    return f"{institution or 'doc'}{row['year'] or 'nd'}{words[0] if words else ''}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _unique(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}-{number}", number + 1
    taken.add(candidate)
    return candidate
