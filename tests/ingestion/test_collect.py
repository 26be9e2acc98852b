"""accord collect against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import csv
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import accord
from conftest import write_pdf
from fixtures.texts import HEALTH


class Site:
    def __init__(self, pdf: bytes):
        self.pdf = pdf
        self.hits: dict[str, int] = {}


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_GET(self):
            site.hits[self.path] = site.hits.get(self.path, 0) + 1
            if self.path == "/flaky.pdf" and site.hits[self.path] <= 2:
                return self.reply(503, b"busy", "text/plain")
            if self.path in ("/report.pdf", "/flaky.pdf"):
                if self.headers.get("If-None-Match") == '"v1"':
                    return self.reply(304, b"", "application/pdf")
                return self.reply(200, site.pdf, "application/pdf", etag='"v1"')
            if self.path == "/big.pdf":
                return self.reply(200, b"%PDF" + b"0" * 300_000, "application/pdf")
            if self.path == "/style.css":
                return self.reply(200, b"body{}", "text/css")
            return self.reply(404, b"not found", "text/plain")

        def reply(self, status, body, content_type, etag=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site(tmp_path):
    pdf = write_pdf(tmp_path / "source.pdf", [[HEALTH]]).read_bytes()
    state = Site(pdf)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()


def test_collect_downloads_retries_limits_and_caches(tmp_path, site, store):
    manifest = tmp_path / "sources.csv"
    with manifest.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "url", "organisation", "title", "year"])
        for name in ["report", "flaky", "big", "style", "gone"]:
            suffix = "css" if name == "style" else "pdf"
            writer.writerow([name, f"{site.base}/{name}.{suffix}", "WHO", name.title(), "2022"])
    into = tmp_path / "downloads"
    report = accord.collect(manifest, into, max_mb=0.1, backoff_s=0.01)
    assert sorted(report.downloaded) == [f"{site.base}/flaky.pdf", f"{site.base}/report.pdf"]
    assert site.hits["/flaky.pdf"] == 3  # two 503 answers, then success
    assert {s.source.rsplit("/", 1)[-1]: s.reason for s in report.skipped} == {
        "big.pdf": "oversized",
        "style.css": "unsupported-content-type",
        "gone.pdf": "http-error",
    }
    rows = list(csv.DictReader(report.manifest.open()))
    assert [r["path"] for r in rows] == ["report.pdf", "flaky.pdf"]
    assert rows[0]["sha256"] == hashlib.sha256(site.pdf).hexdigest()

    again = accord.collect(manifest, into, max_mb=0.1, backoff_s=0.01)
    assert sorted(again.cached) == sorted(report.downloaded) and not again.downloaded
    assert site.hits["/report.pdf"] == 1  # served from the local cache, no request
    refreshed = accord.collect(manifest, into, max_mb=0.1, backoff_s=0.01, refresh=True)
    assert sorted(refreshed.cached) == sorted(report.downloaded)  # 304 Not Modified

    ingested = accord.ingest(store, into)
    assert len(ingested.added) == 1 and [s.reason for s in ingested.skipped] == ["duplicate-file"]
