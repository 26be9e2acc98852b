"""The explorer's response cache: an answer is kept until the store's data changes, never
bypasses the host check or the security headers, and stays within its byte budget."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.web.app import CSP, create_app
from accord.web.cache import MAX_ENTRY_BYTES, ResponseCache


@pytest.fixture
def store_path(built_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "accord.db"
    shutil.copy(built_store, copy)
    return copy


def test_an_answer_is_kept_until_the_data_changes(store_path: Path):
    client = TestClient(create_app(store_path, review=True))
    hit = client.get("/api/passages", params={"q": "hospitals"}).json()["hits"][0]
    url = f"/passages/{hit['passage_id']}"
    assert "hospitals" in client.get(url).text
    # A change behind the explorer's back that no run records: the kept page is served.
    with sqlite3.connect(store_path) as db:
        db.execute("UPDATE passages SET text = 'rewritten' WHERE id = ?", (hit["passage_id"],))
    assert "rewritten" not in client.get(url).text
    # A review changes the data version: the page is built again, with the review; the
    # analysis snapshot is not (seconds on a large store, after every review).
    state = client.app.state.explorer
    with state.store() as store:
        analysis = state.snapshot(store)
    body = {"reviewer": "Ana", "dimension": "domain", "categories": []}
    assert client.post(f"/api/passages/{hit['passage_id']}/reviews", json=body).status_code == 201
    fresh = client.get(url).text
    assert "rewritten" in fresh and "Ana" in fresh
    with state.store() as store:
        assert state.snapshot(store) is analysis


def test_kept_answers_still_pass_the_host_check_and_carry_the_headers(store_path: Path):
    client = TestClient(create_app(store_path))
    first = client.get("/")
    again = client.get("/")
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert again.headers["content-security-policy"] == CSP
    assert again.headers["content-type"].startswith("text/html")
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_only_successful_gets_are_kept(store_path: Path):
    client = TestClient(create_app(store_path))
    assert client.get("/documents/missing").status_code == 404
    assert client.get("/documents/missing").status_code == 404
    assert client.post("/api/passages/x/reviews", json={}).status_code in (403, 422)


def test_the_cache_keeps_to_its_byte_budget():
    cache = ResponseCache(max_bytes=10)
    for name in ("a", "b", "c"):
        cache.put(("v", f"/{name}", ""), {"content-type": "text/plain"}, b"1234")
    assert cache.get(("v", "/a", "")) is None  # least recently used, dropped
    assert cache.get(("v", "/c", "")).body == b"1234"
    cache.put(("v", "/big", ""), {}, b"x" * (MAX_ENTRY_BYTES + 1))
    assert cache.get(("v", "/big", "")) is None
