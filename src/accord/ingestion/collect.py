"""Download the manifest rows that have a URL, ready for ingest.

Each download is retried with exponential backoff on network errors and 5xx/429 answers,
stopped at a size limit, checked for a content type Accord can read, and recorded with its
SHA-256 in ``DIR/.accord-collect.json``. A URL already downloaded is not fetched again unless
``refresh`` is set (then a conditional request is made). The result is ``DIR/manifest.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from tenacity import (
    RetryError,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from accord._version import __version__
from accord.errors import CollectError
from accord.ingestion.manifest import ManifestRow, read_manifest
from accord.model.provenance import Skipped

INDEX_NAME = ".accord-collect.json"  # hidden, so ingest of the folder skips it
CONTENT_TYPES = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
}


@dataclass
class CollectReport:
    manifest: Path
    downloaded: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    local: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"CollectReport({len(self.downloaded)} downloaded, {len(self.cached)} already "
            f"present, {self.local} local, {len(self.skipped)} skipped)"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `accord collect --json` prints."""
        return {
            "manifest": str(self.manifest),
            "downloaded": self.downloaded,
            "cached": self.cached,
            "local": self.local,
            "skipped": [asdict(s) for s in self.skipped],
        }


class _Retryable(Exception):
    """A transient failure worth another try."""


def collect_manifest(
    manifest: Path,
    into: Path,
    *,
    max_mb: float = 100.0,
    timeout_s: float = 30.0,
    attempts: int = 4,
    backoff_s: float = 0.5,
    refresh: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> CollectReport:
    """Download every row with a URL into ``into``; write a manifest that points at the files."""
    parsed = read_manifest(manifest)
    into.mkdir(parents=True, exist_ok=True)
    index_path = into / INDEX_NAME
    index: dict[str, Any] = json.loads(index_path.read_text("utf-8")) if index_path.exists() else {}
    report = CollectReport(into / "manifest.csv", skipped=list(parsed.problems))
    rows_out: list[dict[str, str]] = []
    headers = {"User-Agent": f"accord/{__version__} (+collect)"}
    with httpx.Client(
        timeout=timeout_s, follow_redirects=True, headers=headers, transport=transport
    ) as client:
        fetch = _fetcher(client, int(max_mb * 1024 * 1024), attempts, backoff_s)
        for done, row in enumerate(parsed.rows, 1):
            out = _collect_row(row, into, index, fetch, refresh, report)
            if out is not None:
                rows_out.append(out)
            index_path.write_text(json.dumps(index, indent=1, sort_keys=True), "utf-8")
            if on_progress:
                on_progress(row.url or str(row.file), done, len(parsed.rows))
    _write_manifest(report.manifest, rows_out)
    return report


def _collect_row(row: ManifestRow, into: Path, index, fetch, refresh, report) -> dict | None:
    base = _row_fields(row)
    if row.file is not None and row.file.exists():
        report.local += 1
        return {**base, "path": os.path.relpath(row.file, into)}
    if not row.url:
        report.skipped.append(
            Skipped(
                str(row.file),
                "collect",
                "missing-file",
                f"row {row.row}: the file does not exist and there is no URL.",
                row.row,
            )
        )
        return None
    known = index.get(row.url)
    if known and (into / known["file"]).exists() and not refresh:
        report.cached.append(row.url)
        return {**base, "path": known["file"], "sha256": known["sha256"]}
    try:
        record = fetch(row.url, known if refresh else None, _file_stem(row))
    except CollectError as exc:
        report.skipped.append(
            Skipped(row.url, "collect", exc.reason, f"row {row.row}: {exc.message}", row.row)
        )
        return None
    if record is None:  # 304 Not Modified
        report.cached.append(row.url)
        return {**base, "path": known["file"], "sha256": known["sha256"]}
    content, meta = record
    target = into / meta["file"]
    target.write_bytes(content)
    index[row.url] = meta
    report.downloaded.append(row.url)
    return {**base, "path": meta["file"], "sha256": meta["sha256"]}


def _fetcher(client: httpx.Client, max_bytes: int, attempts: int, backoff_s: float):
    def is_retryable(exc: BaseException) -> bool:
        return isinstance(exc, _Retryable | httpx.TransportError)

    @retry(
        retry=retry_if_exception(is_retryable),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=backoff_s, max=30),
        reraise=False,
    )
    def attempt(url: str, known: dict | None, stem: str):
        headers = {"If-None-Match": known["etag"]} if known and known.get("etag") else {}
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return None
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise CollectError(
                    f"the server answered HTTP {response.status_code}.", reason="http-error"
                )
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            suffix = CONTENT_TYPES.get(content_type)
            if suffix is None:
                raise CollectError(
                    f"content type '{content_type or 'none'}' is not a document type Accord reads.",
                    reason="unsupported-content-type",
                )
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise _too_big(max_bytes)
            content = bytearray()
            for chunk in response.iter_bytes():
                content.extend(chunk)
                if len(content) > max_bytes:
                    raise _too_big(max_bytes)
            return bytes(content), {
                "file": stem + suffix,
                "sha256": hashlib.sha256(content).hexdigest(),
                "content_type": content_type,
                "bytes": len(content),
                "etag": response.headers.get("etag"),
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }

    def fetch(url: str, known: dict | None, stem: str):
        try:
            return attempt(url, known, stem)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise CollectError(
                f"gave up after {attempts} attempts: {cause}.", reason="download-failed"
            ) from exc

    return fetch


def _too_big(max_bytes: int) -> CollectError:
    return CollectError(
        f"the download exceeds the {max_bytes / 1048576:g} MB limit.", reason="oversized"
    )


def _file_stem(row: ManifestRow) -> str:
    name = row.id or Path(httpx.URL(row.url or "").path).stem or f"row-{row.row}"
    return re.sub(r"[^\w.-]+", "-", name).strip("-")[:100] or f"row-{row.row}"


def _row_fields(row: ManifestRow) -> dict[str, str]:
    fields = {
        "id": row.id or "",
        "url": row.url or "",
        "organisation": row.organisation,
        "title": row.title or "",
        "year": str(row.year or ""),
        "document_type": row.document_type or "",
        "language": row.language or "",
    }
    return {**fields, **row.meta}


def _write_manifest(path: Path, rows: list[dict[str, str]]) -> None:
    columns: list[str] = [
        "id",
        "path",
        "url",
        "organisation",
        "title",
        "year",
        "document_type",
        "language",
        "sha256",
    ]
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
