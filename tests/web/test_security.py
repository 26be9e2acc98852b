"""Hostile requests against every route and every parameter of the explorer: path traversal
and SQL injection get a 4xx (or, for a filter, match nothing), never data; the read-only
server refuses every write; and schemathesis, generating requests from `/openapi.json`, finds
no server error."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from accord.store.browse import META_FACETS
from accord.store.search import query_words
from accord.web.app import create_app
from fixtures.texts import PARAGRAPHS

ATTACKS = (
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "' OR '1'='1",
    "1 OR 1=1 --",
    "x'; DROP TABLE passages; --",
    "1) UNION SELECT sql, name FROM sqlite_master --",
    "sqlite_master",
    "\x00",
)
# Text that must never come back in answer to an attack: system files and the schema; and in
# a refusal, no document text either.
LEAKS = ("root:x:0:0", "[fonts]", "CREATE TABLE", "CREATE INDEX")
CORPUS_TEXT = PARAGRAPHS[0][:60]

# How a parameter may answer a hostile value. Every parameter of every route is listed, so a
# new parameter fails test_every_parameter_has_a_rule until someone decides what it may do.
REFUSE = "refuse"  # a 4xx
NO_MATCH = "no match"  # a 4xx, or 200 with nothing matched
WORDS = "words"  # searched as words: a 4xx, or 200 with fewer hits than the whole corpus
IGNORED = "ignored"  # a 4xx, or the same answer as without the parameter
LABEL_PARAMS = ("label.domain", "label.approach")
SEARCH_PARAMS = ("q", *META_FACETS, "document", "page", "per_page", *LABEL_PARAMS)
RULES: dict[str, str] = {
    **dict.fromkeys(
        ["domain", "institution_id", "document_id", "passage_id", "name", "dimension", "format"],
        REFUSE,
    ),
    **dict.fromkeys(["a", "b", "kind", "order", "saved", "reviewer", "page", "per_page"], REFUSE),
    **dict.fromkeys([*META_FACETS, "document", "passage", *LABEL_PARAMS], NO_MATCH),
    "q": WORDS,
}
# The HTML search page reads a bad page number as page 1 (a hand-edited URL still shows a list).
PAGE_RULES = {
    ("/passages", "page"): IGNORED,
    ("/passages", "per_page"): IGNORED,
    # Only the review form reads the reviewer's name; the read-only explorer has none.
    ("/passages/{passage_id}", "reviewer"): IGNORED,
}
FUZZ_EXAMPLES = 15  # per operation and mode: about 20 s in all


@pytest.fixture(scope="module")
def store_copy(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("security") / "accord.db"
    shutil.copy(built_store, copy)
    return copy


@pytest.fixture(scope="module")
def client(store_copy: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store_copy)) as reader:
        yield reader


@pytest.fixture(scope="module")
def valid(client: TestClient) -> dict[str, str]:
    """A value of each parameter that the fixture store answers with data."""
    overview = client.get("/api/overview").json()
    institutions = client.get("/api/institutions").json()
    hit = client.get("/api/passages", params={"q": "hospitals"}).json()["hits"][0]
    return {
        "domain": overview["ranked"][0]["domain"],
        "institution_id": institutions[0]["id"],
        "a": institutions[0]["id"],
        "b": institutions[1]["id"],
        "document_id": hit["document_id"],
        "passage_id": hit["passage_id"],
        "name": "coverage",
        "dimension": "domain",
        "format": "json",
        "kind": "institution",
    }


def routes(client: TestClient) -> list[tuple[str, str, list[str]]]:
    """(method, path, parameters) of every route: the API's from its OpenAPI schema, the
    pages' (kept out of the schema) from their declarations, plus the facet parameters the
    search routes read from the query string."""
    found = []
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            extra = [n for n in SEARCH_PARAMS if n not in names] if path == "/api/passages" else []
            found.append((method.upper(), path, names + extra))
    for route in client.app.routes:
        if isinstance(route, APIRoute) and not route.include_in_schema:
            names = [p.name for p in route.dependant.path_params + route.dependant.query_params]
            names += list(SEARCH_PARAMS) if route.path == "/passages" else []
            found += [(method, route.path, names) for method in sorted(route.methods)]
    return found


def attack_cases(client: TestClient) -> Iterator[tuple[str, str, str, str]]:
    for method, path, names in routes(client):
        for name in names:
            for attack in ATTACKS:
                yield method, path, name, attack


def test_every_route_and_parameter_is_attacked(client: TestClient):
    attacked = {(m, p) for m, p, _, _ in attack_cases(client)}
    declared = {
        (method, route.path)
        for route in client.app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if "{" in route.path or route.dependant.query_params or route.path == "/passages"
    }
    assert declared <= attacked
    assert {name for _, _, names in routes(client) for name in names} <= set(RULES)


def test_traversal_and_injection_in_every_parameter_get_4xx_or_match_nothing(
    client: TestClient, valid: dict[str, str], store_copy: Path
):
    before = store_copy.read_bytes()
    everything = client.get("/api/passages").json()["total"]
    wrong: list[str] = []
    for method, path, name, attack in attack_cases(client):
        url, params = _request(path, name, attack, valid)
        response = client.request(method, url, params=params, follow_redirects=False)
        rule = PAGE_RULES.get((path, name), RULES[name])
        problem = _judge(client, response, rule, method, url, params, name, everything)
        if problem:
            wrong.append(f"{method} {path} {name}={attack!r}: {problem}")
    assert wrong == []
    assert store_copy.read_bytes() == before


def test_the_read_only_server_refuses_every_write(
    client: TestClient, valid: dict[str, str], store_copy: Path
):
    before = store_copy.read_bytes()
    for method, path, _ in routes(client):
        url = _fill(path, valid)
        for other in ("PUT", "PATCH", "DELETE", *(("POST",) if method == "GET" else ())):
            assert client.request(other, url).status_code == 405, f"{other} {url}"
        if method == "POST":
            if path.startswith("/api/"):
                body = {"reviewer": "Ana", "dimension": "domain", "categories": []}
                assert client.post(url, json=body).status_code == 403, url
            else:
                token = client.app.state.explorer.form_token
                form = {"token": token, "reviewer": "Ana", "dimensions": ["domain"]}
                assert client.post(url, data=form).status_code == 403, url
    assert client.get("/review/next").status_code == 403
    assert client.get("/api/reviews").json()["counts"]["reviews"] == 0
    assert store_copy.read_bytes() == before


def test_another_site_cannot_write_reviews(built_store: Path, tmp_path: Path):
    """A page elsewhere can send a form or a text/plain body without asking (no CORS
    preflight), but not JSON: the API refuses all but JSON, the form wants the token."""
    copy = tmp_path / "accord.db"
    shutil.copy(built_store, copy)
    with TestClient(create_app(copy, review=True)) as client:
        pid = client.get("/api/passages").json()["hits"][0]["passage_id"]
        body = '{"reviewer": "Eve", "dimension": "domain", "categories": []}'
        for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            sent = client.post(
                f"/api/passages/{pid}/reviews", content=body, headers={"content-type": kind}
            )
            assert sent.status_code == 422, kind
        form = {"reviewer": "Eve", "dimensions": ["domain"], "then": "stay"}
        assert client.post(f"/passages/{pid}/review", data=form).status_code == 403
        assert client.get("/api/reviews").json()["counts"]["reviews"] == 0
        assert (
            "access-control-allow-origin"
            not in client.options(
                f"/api/passages/{pid}/reviews", headers={"origin": "https://evil.example"}
            ).headers
        )


def test_hostile_review_values_are_refused_or_kept_as_text(built_store: Path, tmp_path: Path):
    copy = tmp_path / "accord.db"
    shutil.copy(built_store, copy)
    with TestClient(create_app(copy, review=True)) as client:
        pid = client.get("/api/passages", params={"q": "hospitals"}).json()["hits"][0]["passage_id"]
        url = f"/api/passages/{pid}/reviews"
        for attack in ATTACKS:
            body = {"reviewer": "Ana", "dimension": "domain", "categories": []}
            elsewhere = client.post(f"/api/passages/{quote(attack, safe='')}/reviews", json=body)
            assert elsewhere.status_code == 404, attack
            for field, value in (("dimension", attack), ("categories", [attack])):
                response = client.post(url, json={**body, field: value})
                assert 400 <= response.status_code < 500, (field, attack)
                assert not any(leak in response.text for leak in LEAKS)
        name = "<script>alert(6)</script>' OR '1'='1"
        saved = client.post(url, json={"reviewer": name, "dimension": "domain", "categories": []})
        assert saved.status_code == 201 and saved.json()["reviewer"] == name
        page = client.get(f"/passages/{pid}").text
        assert "&lt;script&gt;alert(6)&lt;/script&gt;" in page and "<script>alert(6)" not in page
        assert client.get("/api/reviews").json()["counts"]["reviews"] == 1


# ---------------------------------------------------------------- schemathesis


def test_no_operation_answers_with_a_server_error(built_store: Path, tmp_path: Path):
    """Valid and invalid requests generated from the schema, for every operation, in review
    mode so the write is exercised too. (schemathesis's `from_fixture` does not run under
    pytest 9, so each operation's hypothesis test is run here.)"""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    copy = tmp_path / "accord.db"
    shutil.copy(built_store, copy)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(copy, review=True))
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=FUZZ_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case) -> None:
                case.call_and_validate(checks=[not_a_server_error])

            try:
                call()
            except Unsatisfiable:
                pass  # nothing in this operation can be invalid (e.g. a free-text path segment)
            except Exception as exc:  # collected per operation, reported together below
                failures[f"{operation.label} ({mode.value})"] = str(exc)[:2000]
    assert len(operations) == sum(len(ops) for ops in schema.raw_schema["paths"].values())
    assert failures == {}


# ---------------------------------------------------------------- helpers


def _fill(path: str, values: dict[str, str], **override: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        return quote(override.get(name, values.get(name, "explorer.css")), safe="")

    return re.sub(r"{(\w+)}", value, path)


def _request(
    path: str, name: str, attack: str, valid: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """The route's URL with valid values everywhere except ``name``, which gets ``attack``."""
    if "{" + name + "}" in path:
        return _fill(path, valid, **{name: attack}), _needed(path, valid)
    return _fill(path, valid), {**_needed(path, valid), name: attack}


def _needed(path: str, valid: dict[str, str]) -> dict[str, str]:
    """Query parameters without which the route would not reach its data."""
    if path in ("/crosswalk", "/api/crosswalk"):
        return {k: valid[k] for k in ("domain", "a", "b")}
    return {}


def _judge(client, response, rule, method, url, params, name, everything) -> str | None:
    """What is wrong with ``response`` under ``rule``, or None."""
    if any(leak in response.text for leak in LEAKS):
        return "leaked data"
    if 400 <= response.status_code < 500:
        return "document text in a refusal" if CORPUS_TEXT in response.text else None
    if response.status_code != 200 or rule == REFUSE:
        return f"status {response.status_code}"
    if rule == IGNORED:
        without = {k: v for k, v in params.items() if k != name}
        plain = client.request(method, url, params=without)
        if 'id="total"' not in plain.text and plain.headers["content-type"].startswith("text/html"):
            return None if plain.text == response.text else "answered differently"
        return None if _count(plain) == _count(response) else "answered differently"
    found = _count(response)
    if rule == NO_MATCH and (found != 0 or CORPUS_TEXT in response.text):
        return f"{found} results"
    if rule == WORDS and query_words(params[name]) and not found < everything:
        return "matched the whole corpus"
    if rule == WORDS and not query_words(params[name]) and found != everything:
        return "a query without words filtered the list"
    return None


def _count(response) -> int:
    """The number of results in a search page, search answer or review list."""
    if response.headers["content-type"].startswith("text/html"):
        total = re.search(r'<strong id="total">(\d+)</strong>', response.text)
        assert total, "a search page shows its total"
        return int(total.group(1))
    data = response.json()
    return data["total"] if "total" in data else len(data["reviews"])
