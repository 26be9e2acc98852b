"""The findings sections of the report: the summary, one section per ranked domain, the
domains not ranked and the themes outside the codebook."""

from __future__ import annotations

from typing import Any

from accord.analysis.results import AnalysisResult
from accord.report.chartspecs import Chart
from accord.report.evidence import citation, evidence_items
from accord.report.measures import domain_entry, leaders, measure_of
from accord.report.names import Names
from accord.report.prose import describe_domain, headline
from accord.report.tables import clean, number, ranked_domains, table, text


def summary_section(
    result: AnalysisResult, sections: list[dict[str, Any]], charts: list[Chart]
) -> dict[str, Any]:
    domains = table(result, "domains")
    k = result.settings.top_k
    return {
        "headline": headline(len(domains), [s["label"] for s in sections]),
        "top_k": k,
        "confidence": result.settings.confidence,
        "ranked": [
            {key: s[key] for key in ("domain", "label", "anchor", "rank", "rank_interval")}
            | {
                "opportunity": measure_of(s, "opportunity"),
                "breadth": measure_of(s, "breadth")["value"],
                "alignment": measure_of(s, "alignment")["value"],
                "security": measure_of(s, "security")["value"],
                "p_top": s["p_top"]["joint"],
            }
            for s in sections
        ],
        "paragraphs": [
            {
                "domain": s["domain"],
                "label": s["label"],
                "anchor": s["anchor"],
                "text": s["paragraph"],
                "cite": (
                    {"href": s["evidence"][0]["href"], "text": citation(s["evidence"][0])}
                    if s["evidence"]
                    else None
                ),
            }
            for s in sections[:k]
        ],
        "charts": [c.as_dict() for c in charts if c.place == "summary"],
    }


def domain_sections(
    result: AnalysisResult, names: Names, charts: list[Chart], explorer_url: str | None = None
) -> list[dict[str, Any]]:
    """One section per ranked domain, best first, each with its chart (or None); evidence
    passages link to ``explorer_url``'s passage pages when given."""
    ranked = ranked_domains(result)
    profiles = table(result, "profiles")
    force = table(result, "force_mix")
    settings = result.settings
    chart_of = {c.domain: c for c in charts if c.place == "domain"}
    seen: set[str] = set()
    sections = []
    for _, row in ranked.iterrows():
        entry = domain_entry(row, names, settings.top_k)
        domain = entry["domain"]
        approaches = leaders(profiles, domain, "approach", names)
        entry["approaches"] = approaches
        entry["principles"] = leaders(profiles, domain, "principle", names)
        entry["force"] = [
            {
                "category": r.force,
                "label": names.category("force", r.force),
                "share": clean(r.share),
            }
            for r in force[force["domain"] == domain].itertuples(index=False)
            if number(r.share)
        ]
        entry["paragraph"] = describe_domain(
            entry, approaches, len(ranked), settings.top_k, settings.confidence
        )
        entry["evidence"] = evidence_items(result, domain, names, seen, explorer_url)
        chart = chart_of.get(domain)
        entry["chart"] = chart.as_dict() if chart else None
        sections.append(entry)
    return sections


def unranked_domains(result: AnalysisResult, names: Names) -> list[dict[str, Any]]:
    domains = table(result, "domains")
    rows = domains[~domains["ranked"].fillna(False).astype(bool)].sort_values("domain")
    return [
        {
            "domain": text(r.domain),
            "label": names.domain(text(r.domain)),
            "reason": text(r.reason),
            "passages": int(number(r.passages) or 0),
            "documents": int(number(r.documents) or 0),
            "institutions": len([i for i in text(r.institutions).split(";") if i]),
        }
        for r in rows.itertuples(index=False)
    ]


def discovery_section(result: AnalysisResult) -> list[dict[str, Any]]:
    frame = table(result, "discovery").dropna(subset=["theme"])
    return [
        {
            "theme": int(r.theme),
            "top_terms": text(r.top_terms),
            "n_passages": int(number(r.n_passages) or 0),
        }
        for r in frame.itertuples(index=False)
    ]
