"""The explorer's routes: HTML pages, the JSON API (`/api/...`, schema at `/openapi.json`),
CSV downloads, and, with review on, the forms and API that record people's reviews."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from pydantic import BaseModel, Field

from accord._version import __version__
from accord.errors import AccordError
from accord.report.render import cell, fixed, header, pct
from accord.store import browse
from accord.store import reviews as review_store
from accord.web import views
from accord.web.cache import ResponseCache, cache_middleware
from accord.web.marking import mark_spans
from accord.web.queue import next_passage
from accord.web.state import ExplorerState, Snapshot

logger = logging.getLogger(__name__)

# The only files /static serves: name -> (loader, media type). Nothing is read from a path
# built out of the request.
STATIC = {
    "explorer.css": ("text/css", lambda: _package_text("static/explorer.css")),
    "explorer.js": ("text/javascript", lambda: _package_text("static/explorer.js")),
    "plotly.min.js": ("text/javascript", lambda: _plotly_js()),
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "testserver")
# What a crosswalk compares: institutions (document-weighted profiles of the analysis) or
# two documents (shares of their passages in the domain).
CROSSWALKS = {"institution": views.crosswalk, "document": views.document_crosswalk}


def _package_text(name: str) -> str:
    return resources.files("accord.web").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("accord.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(pct=pct, fixed=fixed, cell=cell, header=header, marked=mark_spans)
    environment.globals.update(version=__version__)
    return environment


class Forbidden(Exception):
    """A write the server does not allow (answered with 403)."""


class ReviewIn(BaseModel):
    """One reviewer's final categories for one dimension of a passage."""

    reviewer: str = Field(min_length=1, max_length=review_store.MAX_REVIEWER_CHARS)
    dimension: str = Field(min_length=1, max_length=80)
    categories: list[str] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=review_store.MAX_NOTE_CHARS)


def create_app(store_path: str | Path, *, review: bool = False, host: str = "127.0.0.1") -> FastAPI:
    """The explorer over one store; read-only unless ``review``."""
    state = ExplorerState(store_path, review=review)
    templates = _environment()
    app = FastAPI(
        title="Accord explorer",
        version=__version__,
        description="Read the coded corpus, its analysis and the passages behind every number.",
        docs_url=None,  # the interactive docs page loads scripts from a CDN
        redoc_url=None,
    )
    app.state.explorer = state
    # Registered first, so it runs inside the host check (middleware added later wraps it).
    app.middleware("http")(cache_middleware(state.version, ResponseCache()))
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=sorted({host, *LOCAL_HOSTS}))

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def page(request: Request, template: str, status: int = 200, **data: Any) -> HTMLResponse:
        html = templates.get_template(template).render(
            request_path=request.url.path,
            review=state.review,
            token=state.form_token,
            **data,
        )
        return HTMLResponse(html, status_code=status)

    def snapshot_and(fn: Callable[..., Any], *args: Any) -> Any:
        with state.store() as store:
            snap = state.snapshot(store)
            return fn(store, snap, *args)

    def guarded(fn: Callable[[], Any], request: Request | None) -> Any:
        """Run a view; a missing thing is 404, a bad value 400, a refused write 403."""
        try:
            return fn()
        except views.NotFound as exc:
            return _error(request, page, 404, str(exc))
        except Forbidden as exc:
            return _error(request, page, 403, str(exc))
        except AccordError as exc:
            return _error(request, page, 400, " ".join(filter(None, [exc.message, exc.hint])))

    def figures(snap: Snapshot, charts: list[dict[str, Any]]) -> dict[str, Markup]:
        return {c["id"]: Markup(snap.figure(c["id"]) or "null") for c in charts if c}

    # ------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview_page(request: Request) -> Any:
        def build() -> Any:
            with state.store() as store:
                snap = state.snapshot(store)
                data = views.overview(snap)
                return page(
                    request, "overview.html.j2", **data, figures=figures(snap, data["charts"])
                )

        return guarded(build, request)

    @app.get("/domains/{domain}", response_class=HTMLResponse, include_in_schema=False)
    def domain_page(request: Request, domain: str) -> Any:
        def build() -> Any:
            with state.store() as store:
                snap = state.snapshot(store)
                data = views.domain_page(snap, domain)
                return page(
                    request, "domain.html.j2", **data, figures=figures(snap, [data["chart"]])
                )

        return guarded(build, request)

    @app.get("/institutions", response_class=HTMLResponse, include_in_schema=False)
    def institutions_page(request: Request) -> Any:
        with state.store() as store:
            return page(
                request, "institutions.html.j2", institutions=views.institutions_index(store)
            )

    @app.get("/institutions/{institution_id}", response_class=HTMLResponse, include_in_schema=False)
    def institution_page(request: Request, institution_id: str) -> Any:
        return guarded(
            lambda: page(
                request,
                "institution.html.j2",
                **snapshot_and(views.institution_page, institution_id),
            ),
            request,
        )

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, document_id: str, dimension: str = "domain") -> Any:
        return guarded(
            lambda: page(
                request,
                "document.html.j2",
                **snapshot_and(views.document_page, document_id, dimension),
            ),
            request,
        )

    @app.get("/passages", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request) -> Any:
        def build() -> Any:
            with state.store() as store:
                snap = state.snapshot(store)
                query = views.parse_passage_query(_multi(request), snap)
                data = views.search_page(store, snap, query)
                return page(
                    request,
                    "search.html.j2",
                    **data,
                    query_string=request.url.query,
                    page_link=_page_link(request),
                    facet_link=_facet_link(request),
                )

        return guarded(build, request)

    @app.get("/passages/{passage_id}", response_class=HTMLResponse, include_in_schema=False)
    def passage_page(request: Request, passage_id: str, saved: int = 0, reviewer: str = "") -> Any:
        # The reviewer's own latest review fills the form, so confirming never saves the
        # machine's labels over it; a read-only explorer has no form and ignores the name.
        name = reviewer.strip()[: review_store.MAX_REVIEWER_CHARS] if state.review else ""
        return guarded(
            lambda: page(
                request,
                "passage.html.j2",
                saved=bool(saved),
                **snapshot_and(views.passage_page, passage_id, name or None),
            ),
            request,
        )

    @app.get("/crosswalk", response_class=HTMLResponse, include_in_schema=False)
    def crosswalk_page(
        request: Request, domain: str = "", a: str = "", b: str = "", kind: str = "institution"
    ) -> Any:
        def build() -> Any:
            compare = CROSSWALKS.get(kind)
            if compare is None:
                raise AccordError(f"Unknown crosswalk kind '{kind}'; use {', '.join(CROSSWALKS)}.")
            with state.store() as store:
                snap = state.snapshot(store)
                choices = _crosswalk_choices(store, snap)
                data = compare(store, snap, domain, a, b) if domain and a and b else None
                return page(
                    request,
                    "crosswalk.html.j2",
                    crosswalk=data,
                    choices=choices,
                    picked={"domain": domain, "a": a, "b": b, "kind": kind},
                )

        return guarded(build, request)

    @app.get("/review/next", include_in_schema=False)
    def review_next(request: Request, reviewer: str = "", order: str = "low-confidence") -> Any:
        def build() -> Any:
            if not state.review:
                raise Forbidden("Reviewing is off; start `accord serve --review`.")
            with state.store() as store:
                snap = state.snapshot(store)
                found = next_passage(store, snap, reviewer.strip() or None, order)
            if found is None:
                return page(
                    request,
                    "message.html.j2",
                    title="Nothing left to review",
                    message="Every passage in this queue has a review.",
                )
            return RedirectResponse(_passage_url(found, reviewer=reviewer.strip()), status_code=303)

        return guarded(build, request)

    @app.post("/passages/{passage_id}/review", include_in_schema=False)
    async def review_form(request: Request, passage_id: str) -> Any:
        form = await request.form()

        def build() -> Any:
            if not state.review:
                raise Forbidden("This explorer is read-only; start `accord serve --review`.")
            if form.get("token") != state.form_token:
                raise Forbidden("This form is stale or came from another site; reload the page.")
            reviewer = str(form.get("reviewer") or "").strip()
            with state.store(write=True) as store:
                snap = state.snapshot(store)
                views.passage_exists(store, passage_id)
                _save_reviews(store, snap, passage_id, reviewer, form)
                if form.get("then") == "next":
                    order = str(form.get("order") or "low-confidence")
                    found = next_passage(store, snap, reviewer, order)
                    if found:
                        url = _passage_url(found, saved=1, reviewer=reviewer)
                        return RedirectResponse(url, status_code=303)
            url = _passage_url(passage_id, saved=1, reviewer=reviewer)
            return RedirectResponse(url, status_code=303)

        return await run_in_threadpool(guarded, build, request)

    # ------------------------------------------------------------ static files

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "No such file.")
        media, load = STATIC[name]
        return Response(load(), media_type=media, headers={"Cache-Control": "max-age=3600"})

    # ------------------------------------------------------------ JSON API

    @app.get("/api/overview", tags=["analysis"])
    def api_overview(format: str = Query("json", pattern="^(json|csv)$")) -> Any:
        def build() -> Any:
            with state.store() as store:
                data = views.overview(state.snapshot(store))
            rows = [_flat_ranking(r) for r in data["ranked"]]
            return _tabular(data, rows, format, "ranking")

        return guarded(build, None)

    @app.get("/api/domains/{domain}", tags=["analysis"])
    def api_domain(domain: str, format: str = Query("json", pattern="^(json|csv)$")) -> Any:
        def build() -> Any:
            with state.store() as store:
                data = views.domain_page(state.snapshot(store), domain)
            rows = [_flat_institution(r, data["approach_categories"]) for r in data["institutions"]]
            return _tabular(data, rows, format, f"domain-{domain}")

        return guarded(build, None)

    @app.get("/api/institutions", tags=["corpus"])
    def api_institutions(format: str = Query("json", pattern="^(json|csv)$")) -> Any:
        with state.store() as store:
            rows = views.institutions_index(store)
        return _tabular(rows, rows, format, "institutions")

    @app.get("/api/institutions/{institution_id}", tags=["corpus"])
    def api_institution(
        institution_id: str, format: str = Query("json", pattern="^(json|csv)$")
    ) -> Any:
        def build() -> Any:
            data = snapshot_and(views.institution_page, institution_id)
            return _tabular(data, data["profile"], format, f"institution-{institution_id}")

        return guarded(build, None)

    @app.get("/api/documents/{document_id}", tags=["corpus"])
    def api_document(
        document_id: str,
        dimension: str = "domain",
        format: str = Query("json", pattern="^(json|csv)$"),
    ) -> Any:
        def build() -> Any:
            data = snapshot_and(views.document_page, document_id, dimension)
            rows = [
                {
                    **{
                        k: p[k]
                        for k in (
                            "passage_id",
                            "ordinal",
                            "page_start",
                            "page_end",
                            "char_start",
                            "char_end",
                        )
                    },
                    "labels": [label["category"] for label in p["labels"]],
                    "text": p["text"],
                }
                for p in data["passages"]
            ]
            return _tabular(data, rows, format, f"document-{document_id}")

        return guarded(build, None)

    @app.get("/api/passages", tags=["search"])
    def api_search(
        request: Request,
        q: str = Query("", max_length=500, description='Words or "phrases" (BM25).'),
        institution: list[str] = Query([], description="Institution ids."),
        family: list[str] = Query([]),
        year: list[str] = Query([]),
        type: list[str] = Query([], description="Document types."),
        language: list[str] = Query([]),
        document: str | None = Query(None, max_length=200),
        page: int = Query(1, ge=1, le=100_000),
        per_page: int = Query(20, ge=1, le=100),
        format: str = Query("json", pattern="^(json|csv)$"),
    ) -> Any:
        """Passages matching words, metadata facets and codebook labels
        (`label.<dimension>=<category>`, repeatable), with counts per facet value."""

        def build() -> Any:
            with state.store() as store:
                snap = state.snapshot(store)
                query = views.parse_passage_query(_multi(request), snap)
                data = views.search_page(store, snap, query)
            for hit in data["hits"]:
                hit.pop("snippet_parts", None)
            rows = [{**h, "labels": json.dumps(h["labels"], sort_keys=True)} for h in data["hits"]]
            return _tabular(data, rows if format == "csv" else [], format, "passages")

        return guarded(build, None)

    @app.get("/api/passages/{passage_id}", tags=["search"])
    def api_passage(passage_id: str) -> Any:
        return guarded(lambda: snapshot_and(views.passage_page, passage_id), None)

    @app.get("/api/crosswalk", tags=["analysis"])
    def api_crosswalk(
        domain: str = Query(..., max_length=200),
        a: str = Query(..., max_length=200, description="Institution (or document) id."),
        b: str = Query(..., max_length=200, description="Institution (or document) id."),
        kind: str = Query("institution", pattern="^(institution|document)$"),
        format: str = Query("json", pattern="^(json|csv)$"),
    ) -> Any:
        def build() -> Any:
            data = snapshot_and(CROSSWALKS[kind], domain, a, b)
            rows = [
                {
                    "dimension": d["id"],
                    "category": c["id"],
                    "label": c["label"],
                    a: c["a"],
                    b: c["b"],
                }
                for d in data["dimensions"]
                for c in d["categories"]
            ]
            return _tabular(data, rows, format, f"crosswalk-{domain}")

        return guarded(build, None)

    @app.get("/api/tables", tags=["analysis"])
    def api_tables() -> Any:
        with state.store() as store:
            snap = state.snapshot(store)
        tables = sorted(snap.result.tables) if snap.result else []
        return {"tables": tables, "stamp": snap.result.stamp.as_dict() if snap.result else None}

    @app.get("/api/tables/{name}", tags=["analysis"])
    def api_table(name: str, format: str = Query("json", pattern="^(json|csv)$")) -> Any:
        def build() -> Any:
            with state.store() as store:
                frame = views.table_records(state.snapshot(store), name)
            rows = json.loads(frame.to_json(orient="records", force_ascii=False))
            return _tabular({"name": name, "rows": rows}, rows, format, name)

        return guarded(build, None)

    @app.get("/api/reviews", tags=["review"])
    def api_reviews(passage: str | None = Query(None, max_length=200)) -> Any:
        with state.store() as store:
            found = review_store.latest_reviews(store, passage)
            counts = review_store.review_counts(store)
        return {"counts": counts, "reviews": [r.as_dict() for r in found]}

    @app.post("/api/passages/{passage_id}/reviews", tags=["review"], status_code=201)
    def api_review(passage_id: str, body: ReviewIn) -> Any:
        """Record a review (only when the server runs with `--review`)."""

        def build() -> Any:
            if not state.review:
                raise Forbidden("This explorer is read-only; start `accord serve --review`.")
            with state.store(write=True) as store:
                snap = state.snapshot(store)
                views.passage_exists(store, passage_id)
                _check_labels(snap, body.dimension, body.categories)
                saved = review_store.record_review(
                    store,
                    passage_id,
                    body.dimension,
                    body.categories,
                    reviewer=body.reviewer,
                    note=body.note,
                    **_coding_of(snap),
                )
            return JSONResponse(saved.as_dict(), status_code=201)

        return guarded(build, None)

    return app


# ---------------------------------------------------------------- helpers


def _passage_url(passage_id: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"/passages/{quote(passage_id, safe=':')}" + (f"?{query}" if query else "")


def _multi(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def _page_link(request: Request) -> Callable[[int], str]:
    def link(number: int) -> str:
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        return f"{request.url.path}?{urlencode([*items, ('page', str(number))])}"

    return link


def _facet_link(request: Request) -> Callable[[str, str, bool], str]:
    """The current list with one facet value added (or removed when selected), page 1."""

    def link(key: str, value: str, selected: bool) -> str:
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        if selected:
            items = [(k, v) for k, v in items if not (k == key and v == value)]
        else:
            items.append((key, value))
        return f"{request.url.path}?{urlencode(items)}"

    return link


def _crosswalk_choices(store: Any, snap: Snapshot) -> dict[str, list[dict[str, str]]]:
    domains = []
    if snap.result is not None and snap.names is not None:
        domains = [
            {"id": d, "label": snap.names.domain(d)}
            for d in sorted(set(snap.result["coverage"]["domain"]))
        ]
    institutions = [{"id": i["id"], "label": i["name"]} for i in views.institutions_index(store)]
    documents = [
        {"id": d["document_id"], "label": views.document_label(d)}
        for d in browse.list_documents(store)
    ]
    return {"domains": domains, "institutions": institutions, "documents": documents}


def _coding_of(snap: Snapshot) -> dict[str, str]:
    if snap.coding is None:
        raise AccordError("The store has no coding to review yet.", hint="Run `accord code`.")
    return {"codebook_digest": snap.coding.codebook_digest, "coder": snap.coding.coder}


def _check_labels(snap: Snapshot, dimension: str, categories: list[str]) -> None:
    if snap.codebook is None:
        raise AccordError("The store has no codebook to review against.")
    found = next((d for d in snap.codebook.dimensions if d.id == dimension), None)
    if found is None:
        raise AccordError(f"No dimension '{dimension}' in the codebook.")
    allowed = {c.id for c in found.categories}
    unknown = sorted(set(categories) - allowed)
    if unknown:
        raise AccordError(f"Unknown categories for {dimension}: {', '.join(unknown)}.")
    if found.selection == "single" and len(set(categories)) > 1:
        raise AccordError(f"{dimension} takes one category at most.")


def _save_reviews(store, snap, passage_id: str, reviewer: str, form) -> None:
    dimensions = [str(d) for d in form.getlist("dimensions")]
    note = str(form.get("note") or "")
    if not dimensions:
        raise AccordError("Tick at least one dimension as reviewed.")
    coding = _coding_of(snap)
    for dimension in dimensions:
        categories = [str(v) for v in form.getlist(f"label.{dimension}") if str(v)]
        _check_labels(snap, dimension, categories)
        review_store.record_review(
            store, passage_id, dimension, categories, reviewer=reviewer, note=note, **coding
        )


def _flat_ranking(row: dict[str, Any]) -> dict[str, Any]:
    flat = {
        k: row[k]
        for k in ("rank", "domain", "label", "p_top", "passages", "documents", "institutions")
    }
    flat["rank_low"], flat["rank_high"] = row["rank_interval"]
    for key, measure in row["measures"].items():
        flat[key], flat[f"{key}_low"], flat[f"{key}_high"] = (
            measure.get("value"),
            measure.get("low"),
            measure.get("high"),
        )
    return flat


def _flat_institution(row: dict[str, Any], categories: list[dict[str, str]]) -> dict[str, Any]:
    flat = {k: row[k] for k in ("id", "name", "coverage", "n_passages", "n_documents", "supported")}
    flat["coverage_low"], flat["coverage_high"] = row["coverage_interval"]
    for entry in row["approach"]:
        flat[f"approach_{entry['category']}"] = entry["share"]
    return flat


def _tabular(data: Any, rows: list[dict[str, Any]], fmt: str, name: str) -> Any:
    """The JSON data, or its main table as a CSV download."""
    if fmt != "csv":
        return data
    buffer = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_safe_name(name)}.csv"'},
    )


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:80] or "table"


def _error(request: Request | None, page: Callable[..., HTMLResponse], status: int, message: str):
    if request is None:
        return JSONResponse({"error": message}, status_code=status)
    return page(request, "message.html.j2", status=status, title=f"Error {status}", message=message)
