"""Each page of the explorer as plain, JSON-safe data: the HTML pages and the API share these."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd

from accord.report import citation as report_citation
from accord.report import safe_url
from accord.report.tables import clean
from accord.store import browse, reviews
from accord.store.corpus_store import CorpusStore
from accord.store.search import MARK_CLOSE, MARK_OPEN, citation
from accord.web.state import Snapshot

OVERVIEW_CHARTS = ("coverage", "approach_mix", "opportunity_security", "rank_stability", "trends")
CROSSWALK_DIMENSIONS = ("approach", "principle", "force", "cooperation", "security")


class NotFound(LookupError):
    """The page names something the store does not hold (answered with 404)."""


def passages_link(**params: Any) -> str:
    """The passage list behind a number: `/passages?label.domain=health&institution=who`."""
    return "/passages?" + urlencode({k.replace("__", "."): v for k, v in params.items() if v})


# ---------------------------------------------------------------- overview and domains


def overview(snap: Snapshot) -> dict[str, Any]:
    return snap.memo(("overview",), lambda: _overview(snap))


def _overview(snap: Snapshot) -> dict[str, Any]:
    context = _context(snap)
    ranked = []
    for section in context["domains"]:
        measures = {m["key"]: m for m in section["measures"]}
        ranked.append(
            {
                "domain": section["domain"],
                "label": section["label"],
                "rank": section["rank"],
                "rank_interval": section["rank_interval"],
                "p_top": section["p_top"]["joint"],
                "measures": measures,
                "passages": section["passages"],
                "documents": section["documents"],
                "institutions": len(section["institutions"]),
                "href": f"/domains/{section['domain']}",
                "passages_href": passages_link(label__domain=section["domain"]),
            }
        )
    return {
        "headline": context["summary"]["headline"],
        "top_k": context["summary"]["top_k"],
        "confidence": context["summary"]["confidence"],
        "ranked": ranked,
        "unranked": [
            {**u, "passages_href": passages_link(label__domain=u["domain"])}
            for u in context["unranked"]
        ],
        "charts": [snap.charts[c].as_dict() for c in OVERVIEW_CHARTS if c in snap.charts],
        "corpus": {k: context["corpus"].get(k) for k in ("documents", "passages", "words")},
        "stamp": context["reproducibility"],
    }


def domain_page(snap: Snapshot, domain: str) -> dict[str, Any]:
    """A domain's page (built once per analysis: its tables take pandas work to slice)."""
    return snap.memo(("domain", domain), lambda: _domain_page(snap, domain))


def _domain_page(snap: Snapshot, domain: str) -> dict[str, Any]:
    context = _context(snap)
    section = next((s for s in context["domains"] if s["domain"] == domain), None)
    unranked = next((u for u in context["unranked"] if u["domain"] == domain), None)
    if section is None and unranked is None:
        raise NotFound(f"No domain '{domain}' in the analysis.")
    result = snap.result
    assert result is not None and snap.names is not None
    coverage = result["coverage"]
    rows = coverage[coverage["domain"] == domain].sort_values(
        ["coverage", "institution"], ascending=[False, True]
    )
    profiles = result["profiles"]
    approach = profiles[(profiles["domain"] == domain) & (profiles["dimension"] == "approach")]
    categories = _categories(snap, "approach")
    institutions = []
    for row in rows.itertuples(index=False):
        shares = approach[approach["institution"] == row.institution].set_index("category")
        institutions.append(
            {
                "id": row.institution,
                "name": snap.names.institution(row.institution),
                "coverage": clean(row.coverage),
                "coverage_interval": [clean(row.coverage_low), clean(row.coverage_high)],
                "n_passages": int(row.n_passages),
                "n_documents": int(row.n_documents),
                "supported": bool(row.supported),
                "href": f"/institutions/{row.institution}",
                "passages_href": passages_link(label__domain=domain, institution=row.institution),
                "approach": [
                    {
                        "category": c["id"],
                        "share": clean(shares["share"].get(c["id"])) if len(shares) else None,
                        "passages_href": passages_link(
                            label__domain=domain,
                            institution=row.institution,
                            label__approach=c["id"],
                        ),
                    }
                    for c in categories
                ],
            }
        )
    chart_id = f"alignment-{domain}"
    return {
        "domain": domain,
        "label": snap.names.domain(domain),
        "section": section,
        "unranked": unranked,
        "approach_categories": categories,
        "institutions": institutions,
        "chart": snap.charts[chart_id].as_dict() if chart_id in snap.charts else None,
        "evidence": [_evidence(item) for item in (section or {}).get("evidence", [])],
        "passages_href": passages_link(label__domain=domain),
    }


def _evidence(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in item.items() if k not in {"anchor", "href"}},
        "href": f"/passages/{item['passage_id']}",
        "citation": report_citation(item),
    }


def institution_page(store: CorpusStore, snap: Snapshot, institution_id: str) -> dict[str, Any]:
    row = browse.institution_row(store, institution_id)
    if row is None:
        raise NotFound(f"No institution '{institution_id}' in the store.")
    profile: list[dict[str, Any]] = []
    leads: list[dict[str, Any]] = []
    if snap.result is not None and snap.names is not None:
        coverage = snap.result["coverage"]
        mine = coverage[coverage["institution"] == institution_id].sort_values(
            ["coverage", "domain"], ascending=[False, True]
        )
        best = coverage.sort_values(["coverage", "institution"], ascending=[False, True])
        leader = best.groupby("domain", sort=True).head(1).set_index("domain")["institution"]
        for r in mine.itertuples(index=False):
            entry = {
                "domain": r.domain,
                "label": snap.names.domain(r.domain),
                "coverage": clean(r.coverage),
                "coverage_interval": [clean(r.coverage_low), clean(r.coverage_high)],
                "n_passages": int(r.n_passages),
                "supported": bool(r.supported),
                "href": f"/domains/{r.domain}",
                "passages_href": passages_link(label__domain=r.domain, institution=institution_id),
            }
            profile.append(entry)
            if leader.get(r.domain) == institution_id and r.n_passages > 0:
                leads.append(entry)
    documents = browse.list_documents(store, institution_id)
    for document in documents:
        document["href"] = f"/documents/{document['document_id']}"
        document["url"] = safe_url(document["url"])
    return {**row, "profile": profile, "leads": leads, "documents": documents}


def institutions_index(store: CorpusStore) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    for document in browse.list_documents(store):
        entry = counts.setdefault(
            document["institution_id"],
            {
                "id": document["institution_id"],
                "name": document["institution"],
                "family": document["family"],
                "n_documents": 0,
                "n_passages": 0,
                "href": f"/institutions/{document['institution_id']}",
            },
        )
        entry["n_documents"] += 1
        entry["n_passages"] += document["n_passages"]
    return sorted(counts.values(), key=lambda e: e["name"].lower())


# ---------------------------------------------------------------- documents and passages


def document_page(
    store: CorpusStore, snap: Snapshot, document_id: str, dimension: str = "domain"
) -> dict[str, Any]:
    document = browse.document_row(store, document_id)
    if document is None:
        raise NotFound(f"No document '{document_id}' in the store.")
    dimensions = _dimension_ids(snap)
    if dimensions and dimension not in dimensions:
        raise NotFound(f"No dimension '{dimension}' in the codebook.")
    passages = browse.document_passages(store, document_id)
    ids = [p["passage_id"] for p in passages]
    labels = browse.labels_of(store.db, ids, snap.coding, dimension)
    for passage in passages:
        mine = labels.get(passage["passage_id"], {})
        passage["labels"] = _label_list(snap, mine.get(dimension, {}), dimension)
        passage["spans"] = [
            e
            for label in mine.get(dimension, {}).values()
            for e in label["evidence"]
            if e[1] > e[0]
        ]
        passage["href"] = f"/passages/{passage['passage_id']}"
    document["url"] = safe_url(document["url"])
    return {
        "document": document,
        "dimension": dimension,
        "dimensions": dimensions,
        "coder": snap.coding.coder if snap.coding else None,
        "passages": passages,
    }


def passage_exists(store: CorpusStore, passage_id: str) -> None:
    if browse.passage_row(store, passage_id) is None:
        raise NotFound(f"No passage '{passage_id}' in the store.")


def passage_page(
    store: CorpusStore, snap: Snapshot, passage_id: str, reviewer: str | None = None
) -> dict[str, Any]:
    """A passage with every label and why; with ``reviewer``, their latest review of each
    dimension is what the review form starts from (the machine's labels otherwise)."""
    passage = browse.passage_row(store, passage_id)
    if passage is None:
        raise NotFound(f"No passage '{passage_id}' in the store.")
    document = browse.document_row(store, passage["document_id"])
    assert document is not None
    document["url"] = safe_url(document["url"])
    labels = browse.labels_of(store.db, [passage_id], snap.coding).get(passage_id, {})
    all_reviews = reviews.latest_reviews(store, passage_id)
    mine = {r.dimension: list(r.categories) for r in all_reviews if r.reviewer == reviewer}
    dimensions = []
    for dimension in _dimension_ids(snap):
        assigned = labels.get(dimension, {})
        dimensions.append(
            {
                "id": dimension,
                "label": _dimension_label(snap, dimension),
                "labels": _label_list(snap, assigned, dimension),
                "categories": _categories(snap, dimension),
                "multi": _is_multi(snap, dimension),
                "checked": mine.get(dimension, sorted(assigned)),
                "yours": dimension in mine,
            }
        )
    cite = citation(
        document["institution"],
        document["title"],
        document["year"],
        passage["page_start"],
        passage["page_end"],
    )
    return {
        "passage": passage,
        "document": {**document, "href": f"/documents/{document['document_id']}"},
        "dimensions": dimensions,
        "coder": snap.coding.coder if snap.coding else None,
        "context": browse.neighbour_passages(store, passage["document_id"], passage["ordinal"]),
        "citation": cite,
        "reviews": [r.as_dict() for r in all_reviews],
        "reviewer": reviewer or "",
    }


def _label_list(snap: Snapshot, assigned: dict[str, Any], dimension: str) -> list[dict]:
    names = {c["id"]: c["label"] for c in _categories(snap, dimension)}
    items = []
    for category, label in sorted(assigned.items(), key=lambda kv: (-kv[1]["score"], kv[0])):
        spans = [e for e in label["evidence"] if e[1] > e[0]]
        notes = [e[2] for e in label["evidence"] if e[1] <= e[0] and len(e) > 2]
        items.append(
            {
                "category": category,
                "label": names.get(category, category),
                "score": label["score"],
                "method": label["method"],
                "spans": spans,
                "notes": notes,
            }
        )
    return items


# ---------------------------------------------------------------- search and crosswalk


def parse_passage_query(params: dict[str, list[str]], snap: Snapshot) -> browse.PassageQuery:
    """Query-string parameters to a passage query: q, page, the metadata facets by name, and
    `label.<dimension>` for codebook labels. Unknown names are ignored by the caller's checks."""
    dimensions = set(_dimension_ids(snap))
    meta = {name: params[name] for name in browse.META_FACETS if params.get(name)}
    labels = {}
    for key, values in params.items():
        if key.startswith("label.") and key[6:] in dimensions:
            labels[key[6:]] = values
    document = (params.get("document") or [None])[0]
    return browse.PassageQuery(
        text=(params.get("q") or [""])[0][:500],
        meta=meta,
        labels=labels,
        document_id=document,
        page=max(1, _int((params.get("page") or ["1"])[0], 1)),
        per_page=min(100, max(1, _int((params.get("per_page") or ["20"])[0], 20))),
    )


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default


def search_page(store: CorpusStore, snap: Snapshot, query: browse.PassageQuery) -> dict[str, Any]:
    found = browse.find_passages(store, query, snap.coding, snap.labels)
    hits = []
    for hit in found.hits:
        hits.append(
            {
                **hit,
                "href": f"/passages/{hit['passage_id']}",
                "url": safe_url(hit["url"]),
                "citation": citation(
                    hit["institution"],
                    hit["title"],
                    hit["year"],
                    hit["page_start"],
                    hit["page_end"],
                ),
                "snippet_parts": _snippet_parts(hit["snippet"]),
                "snippet": hit["snippet"].replace(MARK_OPEN, "").replace(MARK_CLOSE, ""),
            }
        )
    return {
        "query": {
            "q": query.text,
            "meta": query.meta,
            "labels": query.labels,
            "document": query.document_id,
            "page": query.page,
            "per_page": query.per_page,
        },
        "total": found.total,
        "pages": found.pages,
        "hits": hits,
        "facets": _facet_groups(snap, found.facets, query),
    }


def _snippet_parts(snippet: str) -> list[dict[str, Any]]:
    """[{text, hit}] pieces, so templates can mark matched words without trusting markup."""
    parts, hit = [], False
    for piece in snippet.replace(MARK_CLOSE, MARK_OPEN).split(MARK_OPEN):
        if piece:
            parts.append({"text": piece, "hit": hit})
        hit = not hit
    return parts


def _facet_groups(snap: Snapshot, facets: dict, query: browse.PassageQuery) -> list[dict]:
    groups = []
    for name, values in facets.items():
        if name.startswith("label:"):
            dimension = name[6:]
            key, selected = f"label.{dimension}", query.labels.get(dimension, [])
            names = {c["id"]: c["label"] for c in _categories(snap, dimension)}
            values = [{**v, "label": names.get(v["value"], v["label"])} for v in values]
            title = _dimension_label(snap, dimension)
        else:
            key, selected, title = name, query.meta.get(name, []), name.capitalize()
        groups.append(
            {
                "key": key,
                "title": title,
                "values": [{**v, "selected": v["value"] in selected} for v in values],
            }
        )
    return groups


def crosswalk(store: CorpusStore, snap: Snapshot, domain: str, a: str, b: str) -> dict[str, Any]:
    """Two institutions side by side across the codebook categories of a domain."""
    if snap.result is None or snap.names is None:
        raise NotFound("The store holds no analysis yet.")
    known = set(snap.result["coverage"]["domain"])
    if domain not in known:
        raise NotFound(f"No domain '{domain}' in the analysis.")
    for institution in (a, b):
        if browse.institution_row(store, institution) is None:
            raise NotFound(f"No institution '{institution}' in the store.")
    profiles = snap.result["profiles"]
    rows = profiles[profiles["domain"] == domain]
    dimensions = []
    for dimension in CROSSWALK_DIMENSIONS:
        if dimension not in _dimension_ids(snap):
            continue
        part = rows[rows["dimension"] == dimension]
        categories = []
        for category in _categories(snap, dimension):
            shares = {}
            for side, institution in (("a", a), ("b", b)):
                value = part[
                    (part["institution"] == institution) & (part["category"] == category["id"])
                ]
                shares[side] = clean(float(value["share"].iloc[0])) if len(value) else None
                shares[f"{side}_href"] = passages_link(
                    label__domain=domain,
                    institution=institution,
                    **{f"label__{dimension}": category["id"]},
                )
            categories.append({**category, **shares})
        dimensions.append(
            {"id": dimension, "label": _dimension_label(snap, dimension), "categories": categories}
        )
    sides = {}
    for side, institution in (("a", a), ("b", b)):
        query = browse.PassageQuery(
            meta={"institution": [institution]}, labels={"domain": [domain]}, per_page=5
        )
        found = browse.find_passages(store, query, snap.coding, snap.labels)
        sides[side] = {
            "id": institution,
            "name": snap.names.institution(institution),
            "total": found.total,
            "passages": [{**h, "href": f"/passages/{h['passage_id']}"} for h in found.hits],
            "passages_href": passages_link(label__domain=domain, institution=institution),
        }
    similarity = _pair_similarity(snap.result["alignment_pairs"], domain, a, b)
    return {
        "kind": "institution",
        "domain": domain,
        "label": snap.names.domain(domain),
        "a": sides["a"],
        "b": sides["b"],
        "similarity": similarity,
        "dimensions": dimensions,
    }


def document_crosswalk(
    store: CorpusStore, snap: Snapshot, domain: str, a: str, b: str
) -> dict[str, Any]:
    """Two documents side by side: per category, the share of each document's passages in
    the domain that carry it (counted from the passages' labels)."""
    if snap.coding is None or snap.names is None:
        raise NotFound("The store holds no coding and analysis yet.")
    sides, shares = {}, {}
    for side, document_id in (("a", a), ("b", b)):
        document = browse.document_row(store, document_id)
        if document is None:
            raise NotFound(f"No document '{document_id}' in the store.")
        passages = browse.document_passages(store, document_id)
        labels = browse.labels_of(store.db, [p["passage_id"] for p in passages], snap.coding)
        inside = [
            p for p in passages if domain in labels.get(p["passage_id"], {}).get("domain", {})
        ]
        shares[side] = (
            {
                (dimension, category): count / len(inside)
                for dimension, category, count in _category_counts(inside, labels)
            }
            if inside
            else {}
        )
        sides[side] = {
            "id": document_id,
            "name": document_label(document),
            "total": len(inside),
            "passages": [
                {
                    **p,
                    "href": f"/passages/{p['passage_id']}",
                    "title": document["title"],
                    "snippet": p["text"][:200],
                }
                for p in inside[:5]
            ],
            "passages_href": passages_link(document=document_id, label__domain=domain),
        }
    dimensions = []
    for dimension in CROSSWALK_DIMENSIONS:
        if dimension not in _dimension_ids(snap):
            continue
        categories = []
        for category in _categories(snap, dimension):
            row = {**category}
            for side, document_id in (("a", a), ("b", b)):
                value = shares[side].get((dimension, category["id"]))
                row[side] = clean(value) if value is not None else (0.0 if shares[side] else None)
                row[f"{side}_href"] = passages_link(
                    document=document_id,
                    label__domain=domain,
                    **{f"label__{dimension}": category["id"]},
                )
            categories.append(row)
        dimensions.append(
            {"id": dimension, "label": _dimension_label(snap, dimension), "categories": categories}
        )
    return {
        "kind": "document",
        "domain": domain,
        "label": snap.names.domain(domain),
        "a": sides["a"],
        "b": sides["b"],
        "similarity": None,
        "dimensions": dimensions,
    }


def document_label(document: dict[str, Any]) -> str:
    """'OECD: Recommendation on AI (2019)', to tell documents apart in a list."""
    return f"{document['institution']}: {document['title']} ({document['year'] or 'n.d.'})"


def _category_counts(passages: list[dict], labels: dict) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for passage in passages:
        for dimension, categories in labels.get(passage["passage_id"], {}).items():
            for category in categories:
                counts[(dimension, category)] = counts.get((dimension, category), 0) + 1
    return [(d, c, n) for (d, c), n in sorted(counts.items())]


def _pair_similarity(pairs: pd.DataFrame, domain: str, a: str, b: str) -> float | None:
    match = pairs[
        (pairs["domain"] == domain)
        & (
            ((pairs["institution_a"] == a) & (pairs["institution_b"] == b))
            | ((pairs["institution_a"] == b) & (pairs["institution_b"] == a))
        )
    ]
    return clean(float(match["similarity"].iloc[0])) if len(match) else None


# ---------------------------------------------------------------- codebook helpers


def _context(snap: Snapshot) -> dict[str, Any]:
    if snap.context is None:
        raise NotFound("The store holds no analysis yet: run `accord analyse` first.")
    return snap.context


def _dimension_ids(snap: Snapshot) -> list[str]:
    return [d.id for d in snap.codebook.dimensions] if snap.codebook else []


def _dimension(snap: Snapshot, dimension: str):
    if snap.codebook is None:
        return None
    return next((d for d in snap.codebook.dimensions if d.id == dimension), None)


def _dimension_label(snap: Snapshot, dimension: str) -> str:
    found = _dimension(snap, dimension)
    return found.label if found else dimension


def _is_multi(snap: Snapshot, dimension: str) -> bool:
    found = _dimension(snap, dimension)
    return found is None or found.selection == "multi"


def _categories(snap: Snapshot, dimension: str) -> list[dict[str, str]]:
    found = _dimension(snap, dimension)
    return [{"id": c.id, "label": c.label} for c in found.categories] if found else []


def table_records(snap: Snapshot, name: str) -> pd.DataFrame:
    if snap.result is None or name not in snap.result.tables:
        raise NotFound(f"No analysis table '{name}'.")
    return snap.result.tables[name]
