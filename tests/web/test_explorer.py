"""The explorer over a real store: every page type, facets, downloads, escaping, refusals,
and the review loop (form and API), through FastAPI's test client."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from accord.store.browse import current_coding
from accord.store.corpus_store import open_store
from accord.web.app import create_app
from fixtures.report_corpus import HOSTILE_ORGANISATION


@pytest.fixture
def store_path(built_store: Path, tmp_path: Path) -> Path:
    """A private copy, so review tests never see each other's writes."""
    copy = tmp_path / "accord.db"
    shutil.copy(built_store, copy)
    return copy


@pytest.fixture
def reader(store_path: Path) -> TestClient:
    return TestClient(create_app(store_path))


@pytest.fixture
def reviewer(store_path: Path) -> TestClient:
    return TestClient(create_app(store_path, review=True))


def first_passage(client: TestClient, **params: str) -> dict:
    hits = client.get("/api/passages", params=params).json()["hits"]
    assert hits, f"no passage for {params}"
    return hits[0]


def test_every_page_type_renders(reader: TestClient):
    overview = reader.get("/")
    assert overview.status_code == 200 and 'id="ranking"' in overview.text
    domain = reader.get("/api/overview").json()["ranked"][0]["domain"]
    assert 'id="institution-approach"' in reader.get(f"/domains/{domain}").text
    institutions = reader.get("/api/institutions").json()
    assert 'id="profile"' in reader.get(f"/institutions/{institutions[0]['id']}").text
    hit = first_passage(reader, q="capacity building")
    document = reader.get(f"/documents/{hit['document_id']}")
    assert document.status_code == 200 and f'id="{hit["passage_id"]}"' in document.text
    passage = reader.get(f"/passages/{hit['passage_id']}")
    assert passage.status_code == 200 and "Cite:" in passage.text
    assert reader.get("/passages?q=capacity").status_code == 200
    a, b = institutions[0]["id"], institutions[1]["id"]
    crosswalk = reader.get("/crosswalk", params={"domain": domain, "a": a, "b": b})
    assert crosswalk.status_code == 200 and 'id="crosswalk"' in crosswalk.text
    assert reader.get("/openapi.json").json()["info"]["title"] == "Accord explorer"


def test_every_ranking_number_links_to_passages_that_carry_the_domain(reader: TestClient):
    for row in reader.get("/api/overview").json()["ranked"]:
        found = reader.get("/api/passages" + row["passages_href"][len("/passages") :]).json()
        assert found["total"] == row["passages"] or found["total"] > 0
        assert all(row["domain"] in hit["labels"].get("domain", []) for hit in found["hits"])


def test_facets_narrow_the_results_and_count_them(reader: TestClient):
    everything = reader.get("/api/passages").json()
    institution = next(f for f in everything["facets"] if f["key"] == "institution")
    chosen = institution["values"][-1]
    narrowed = reader.get("/api/passages", params={"institution": chosen["value"]}).json()
    assert narrowed["total"] == chosen["count"] < everything["total"]
    assert {h["institution_id"] for h in narrowed["hits"]} == {chosen["value"]}
    labels = next(f for f in everything["facets"] if f["key"] == "label.domain")
    category = labels["values"][0]
    by_label = reader.get("/api/passages", params={"label.domain": category["value"]}).json()
    assert by_label["total"] == category["count"]
    assert all(category["value"] in h["labels"]["domain"] for h in by_label["hits"])


def test_search_pages_and_highlights(reader: TestClient):
    first = reader.get("/api/passages", params={"per_page": 2}).json()
    second = reader.get("/api/passages", params={"per_page": 2, "page": 2}).json()
    assert first["pages"] >= 2 and first["total"] == second["total"]
    assert {h["passage_id"] for h in first["hits"]}.isdisjoint(
        h["passage_id"] for h in second["hits"]
    )
    page = reader.get("/passages", params={"q": "hospitals"})
    assert "<mark>hospitals</mark>" in page.text.lower()


def test_tables_download_as_csv_with_the_same_rows_as_json(reader: TestClient):
    for path in ("/api/overview", "/api/institutions", "/api/tables/coverage"):
        as_json = reader.get(path).json()
        response = reader.get(path, params={"format": "csv"})
        assert response.headers["content-type"].startswith("text/csv")
        frame = pd.read_csv(io.StringIO(response.text))
        rows = as_json if isinstance(as_json, list) else as_json.get("rows", as_json.get("ranked"))
        assert len(frame) == len(rows)
    hits = reader.get("/api/passages", params={"format": "csv", "q": "data"})
    assert len(pd.read_csv(io.StringIO(hits.text))) == min(
        20, reader.get("/api/passages", params={"q": "data"}).json()["total"]
    )


def test_document_text_and_metadata_are_escaped_and_never_links(reader: TestClient):
    hostile = first_passage(reader, q="alert")
    for path in (
        f"/documents/{hostile['document_id']}",
        f"/passages/{hostile['passage_id']}",
        "/passages?q=alert",
        "/institutions",
    ):
        html = reader.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "javascript:" not in html, path
    assert "&lt;script&gt;alert(1)" in reader.get(f"/passages/{hostile['passage_id']}").text
    names = [i["name"] for i in reader.get("/api/institutions").json()]
    assert HOSTILE_ORGANISATION in names  # shown as text, not dropped


@pytest.mark.parametrize(
    "path",
    [
        "/documents/..%2F..%2Fetc%2Fpasswd",
        "/passages/%27%20OR%201%3D1%20--",
        "/institutions/../../etc/passwd",
        "/domains/%3Cscript%3E",
        "/static/..%2Fapp.py",
        "/static/explorer.css%00.py",
        "/api/tables/sqlite_master",
        "/api/documents/x%27%3B%20DROP%20TABLE%20passages%3B--",
    ],
)
def test_traversal_and_injection_get_4xx_not_data(reader: TestClient, path: str):
    response = reader.get(path)
    assert 400 <= response.status_code < 500
    assert "root:" not in response.text and "CREATE TABLE" not in response.text


def test_injection_in_query_parameters_matches_nothing(reader: TestClient):
    total = reader.get("/api/passages").json()["total"]
    for params in (
        {"institution": "x' OR '1'='1"},
        {"label.domain": "health' OR 1=1 --"},
        {"year": "2021) OR (1=1"},
        {"q": '" OR 1=1 -- NEAR('},
    ):
        response = reader.get("/api/passages", params=params)
        assert response.status_code in (200, 400), params
        if response.status_code == 200:
            assert response.json()["total"] < total, params
    assert reader.get("/api/passages").json()["total"] == total  # nothing was dropped


def test_other_hosts_are_refused(reader: TestClient):
    assert reader.get("/", headers={"host": "evil.example"}).status_code == 400


def test_read_only_server_refuses_writes_and_opens_sqlite_read_only(
    reader: TestClient, store_path: Path
):
    passage = first_passage(reader)
    before = store_path.read_bytes()
    body = {"reviewer": "Ana", "dimension": "domain", "categories": []}
    assert (
        reader.post(f"/api/passages/{passage['passage_id']}/reviews", json=body).status_code == 403
    )
    form = {"token": "x", "reviewer": "Ana", "dimensions": ["domain"]}
    assert reader.post(f"/passages/{passage['passage_id']}/review", data=form).status_code == 403
    assert "review-form" not in reader.get(f"/passages/{passage['passage_id']}").text
    with reader.app.state.explorer.store() as store, pytest.raises(sqlite3.OperationalError):
        store.db.execute("DELETE FROM passages")
    assert store_path.read_bytes() == before


def test_review_form_round_trip_persists_without_touching_machine_codes(
    reviewer: TestClient, store_path: Path
):
    passage = first_passage(reviewer, q="hospitals")
    pid = passage["passage_id"]
    machine_before = _assignments(store_path)
    page = reviewer.get(f"/passages/{pid}")
    assert 'id="review-form"' in page.text
    token = reviewer.app.state.explorer.form_token
    form = {
        "token": token,
        "reviewer": "Ana",
        "dimensions": ["domain", "approach"],
        "label.domain": ["health", "education"],
        "then": "stay",
    }
    saved = reviewer.post(f"/passages/{pid}/review", data=form, follow_redirects=False)
    assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
    shown = reviewer.get(f"/passages/{pid}?saved=1").text
    assert "Review saved." in shown and "Ana" in shown
    found = {
        r["dimension"]: r for r in reviewer.get(f"/api/reviews?passage={pid}").json()["reviews"]
    }
    assert found["domain"]["categories"] == ["education", "health"]
    assert found["approach"]["categories"] == []
    assert found["approach"]["verdict"] in {"reject", "confirm"}
    assert _assignments(store_path) == machine_before
    stale = {**form, "token": "not-the-token"}
    assert reviewer.post(f"/passages/{pid}/review", data=stale).status_code == 403


def test_review_api_validates_labels(reviewer: TestClient):
    pid = first_passage(reviewer)["passage_id"]
    url = f"/api/passages/{pid}/reviews"
    bad = reviewer.post(url, json={"reviewer": "Bo", "dimension": "domain", "categories": ["x"]})
    assert bad.status_code == 400 and "Unknown categories" in bad.json()["error"]
    assert reviewer.post(url, json={"reviewer": "Bo", "dimension": "nope"}).status_code == 400
    assert reviewer.post(url, json={"reviewer": "", "dimension": "domain"}).status_code == 422
    missing = {"reviewer": "Bo", "dimension": "domain", "categories": []}
    assert reviewer.post("/api/passages/none/reviews", json=missing).status_code == 404
    ok = reviewer.post(
        url, json={"reviewer": "Bo", "dimension": "domain", "categories": ["health"]}
    )
    assert ok.status_code == 201 and ok.json()["categories"] == ["health"]
    machine = set(ok.json()["machine_categories"])
    expected = "confirm" if machine == {"health"} else "reject" if "health" in machine else None
    assert ok.json()["verdict"] == (expected or ok.json()["verdict"])
    assert ok.json()["verdict"] in {"confirm", "reject", "add", "change"}


def test_review_queue_walks_unreviewed_passages(reviewer: TestClient):
    first = reviewer.get("/review/next?reviewer=Cy", follow_redirects=False)
    assert first.status_code == 303
    pid = first.headers["location"].rsplit("/", 1)[1].split("?")[0]
    body = {"reviewer": "Cy", "dimension": "domain", "categories": []}
    reviewer.post(f"/api/passages/{pid}/reviews", json=body)
    second = reviewer.get("/review/next?reviewer=Cy", follow_redirects=False)
    assert second.headers["location"].rsplit("/", 1)[1].split("?")[0] != pid
    sample = reviewer.get("/review/next?reviewer=Cy&order=sample", follow_redirects=False)
    assert sample.status_code == 303
    assert reviewer.get("/review/next?order=bogus").status_code == 400


def test_concurrent_reviewers_lose_no_write(store_path: Path):
    app = create_app(store_path, review=True)
    ids = [h["passage_id"] for h in TestClient(app).get("/api/passages?per_page=10").json()["hits"]]
    failures: list[int] = []

    def review_all(name: str) -> None:
        client = TestClient(app)
        for pid in ids:
            for dimension in ("domain", "approach"):
                body = {"reviewer": name, "dimension": dimension, "categories": []}
                response = client.post(f"/api/passages/{pid}/reviews", json=body)
                if response.status_code != 201:
                    failures.append(response.status_code)

    threads = [threading.Thread(target=review_all, args=(f"r{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with sqlite3.connect(store_path) as db:
        assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 4 * len(ids) * 2


def test_missing_store_is_a_clear_error(tmp_path: Path):
    from accord.errors import StoreNotFound

    with pytest.raises(StoreNotFound):
        create_app(tmp_path / "none.db")


def test_store_without_analysis_still_serves_documents(tmp_path: Path, tiny_corpus: Path):
    import accord

    store = accord.open_store(tmp_path / "a.db")
    accord.ingest(store, tiny_corpus)
    store.close()
    client = TestClient(create_app(tmp_path / "a.db"))
    assert client.get("/").status_code == 404
    assert "accord analyse" in client.get("/").text
    assert client.get("/api/passages").json()["total"] > 0
    assert client.get("/institutions").status_code == 200


def _assignments(path: Path) -> list[tuple]:
    with open_store(path, create=False, read_only=True) as store:
        coding = current_coding(store)
        assert coding is not None
        return store.db.execute(
            "SELECT * FROM assignments ORDER BY passage_id, dimension, category"
        ).fetchall()


def test_document_crosswalk_counts_each_documents_passages(reader: TestClient):
    hits = reader.get("/api/passages", params={"label.domain": "health", "per_page": 100}).json()
    documents = sorted({h["document_id"] for h in hits["hits"]})
    assert len(documents) >= 2, "the tiny corpus has health passages in two documents"
    a, b = documents[:2]
    data = reader.get(
        "/api/crosswalk", params={"kind": "document", "domain": "health", "a": a, "b": b}
    ).json()
    in_a = reader.get("/api/passages", params={"label.domain": "health", "document": a}).json()
    assert data["a"]["total"] == in_a["total"] > 0
    approach = next(d for d in data["dimensions"] if d["id"] == "approach")
    for category in approach["categories"]:
        expected = reader.get(
            "/api/passages",
            params={"label.domain": "health", "document": a, "label.approach": category["id"]},
        ).json()["total"]
        assert category["a"] == pytest.approx(expected / in_a["total"], abs=1e-4)
    page = reader.get("/crosswalk", params={"kind": "document", "domain": "health", "a": a, "b": b})
    assert page.status_code == 200 and 'id="crosswalk"' in page.text
    assert reader.get("/crosswalk", params={"kind": "bogus"}).status_code == 400


def test_report_links_evidence_to_the_explorer(store_path: Path, tmp_path: Path):
    from typer.testing import CliRunner

    from accord.cli import app

    out = tmp_path / "report.html"
    args = ["--store", str(store_path), "report", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--explorer-url", "http://127.0.0.1:8000"])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    linked = html.count('href="http://127.0.0.1:8000/passages/')
    assert linked > 0
    client = TestClient(create_app(store_path))
    first = html.split('href="http://127.0.0.1:8000/passages/', 1)[1].split('"', 1)[0]
    assert client.get(f"/passages/{first}").status_code == 200  # the link names a real page


def test_review_form_starts_from_the_reviewers_own_last_review(reviewer: TestClient):
    pid = first_passage(reviewer, q="hospitals")["passage_id"]
    token = reviewer.app.state.explorer.form_token
    form = {
        "token": token,
        "reviewer": "Ana",
        "dimensions": ["domain", "force"],
        "label.domain": ["education"],
        "label.force": [""],  # the single-choice "none"
    }
    saved = reviewer.post(f"/passages/{pid}/review", data=form, follow_redirects=False)
    assert saved.status_code == 303 and "reviewer=Ana" in saved.headers["location"]
    mine = reviewer.get(f"/passages/{pid}", params={"reviewer": "Ana"}).text
    checked = re.findall(r'name="label\.domain" value="([a-z_]+)" checked', mine)
    assert checked == ["education"] and "as you last reviewed it" in mine
    others = reviewer.get(f"/passages/{pid}", params={"reviewer": "Bo"}).text
    assert "as you last reviewed it" not in others
    stored = {
        r["dimension"]: r for r in reviewer.get(f"/api/reviews?passage={pid}").json()["reviews"]
    }
    assert stored["force"]["categories"] == []
