"""All analysis tables for one coded corpus and settings: what report, export and web consume."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from accord._version import __version__
from accord.analysis.arrays import DocumentArrays, build_arrays
from accord.analysis.discovery import discover_themes, discovery_sample
from accord.analysis.evidence import EvidenceIndex, domain_relevance
from accord.analysis.frames import CodedCorpus
from accord.analysis.measures import js_similarity
from accord.analysis.opportunity import (
    COMPONENTS,
    Uncertainty,
    analyse_uncertainty,
    bootstrap_steps,
    interval,
)
from accord.config import AnalysisSettings
from accord.errors import AnalysisError
from accord.model.codebook import Codebook
from accord.model.provenance import RunStamp
from accord.model.rounding import STORED_DECIMALS, probability, rank_bounds

DECIMALS = STORED_DECIMALS


@dataclass
class AnalysisResult:
    """The tables of one analysis and what a reader needs beside them.

    Besides the tables, stamp and settings, it carries what the report and the web app show
    about the inputs, so that neither goes back to the store: the parsed codebook, the corpus
    summary (``store.summary.describe_corpus``) and the latest stored validation of the
    codebook (``ValidationReport.as_dict``), each None when unknown.
    """

    tables: dict[str, pd.DataFrame]
    stamp: RunStamp
    settings: AnalysisSettings
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # dimension -> id -> label
    codebook: Codebook | None = None
    corpus: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __repr__(self) -> str:
        ranked = self.tables["domains"]
        top = ranked[ranked["ranked"]].sort_values("rank")["domain"].head(3).tolist()
        return f"AnalysisResult({len(self.tables)} tables; top domains {', '.join(top)})"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the stamp, the settings, the domain ranking (every column)
        and the size of each table; what `accord analyse --json` prints. The tables
        themselves are written with ``out`` or `accord export`."""
        domains = json.loads(self.tables["domains"].to_json(orient="records", double_precision=10))
        stamp = self.stamp.as_dict()
        stamp["coders"] = list(stamp["coders"])  # as JSON gives it back
        return {
            "stamp": stamp,
            "settings": self.settings.model_dump(mode="json"),
            "domains": domains,
            "tables": {name: len(frame) for name, frame in sorted(self.tables.items())},
        }


def analyse_coded(
    corpus: CodedCorpus,
    settings: AnalysisSettings,
    settings_digest: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> AnalysisResult:
    """Every table of the analysis; ``on_progress(done, total)`` after each chunk of
    bootstrap resamples (the longest part) and after each table."""
    if corpus.passages.empty:
        raise AnalysisError("The corpus has no passages to analyse.")
    try:
        corpus.codebook.dimension("domain")
    except KeyError:
        raise AnalysisError("The analysis needs a codebook with a 'domain' dimension.") from None
    progress = on_progress or (lambda done, total: None)
    # Declared first so the number of steps is known before the longest one; each builder
    # runs below, once arrays, result and labels exist.
    builders: dict[str, Callable[[], pd.DataFrame]] = {
        "domains": lambda: domain_table(arrays, result, settings, labels["domain"]),
        "coverage": lambda: coverage_table(arrays, result, settings),
        "profiles": lambda: profile_table(arrays, result),
        "alignment_pairs": lambda: pair_table(arrays, result),
        "institution_similarity": lambda: institution_similarity(arrays, result),
        "force_mix": lambda: force_table(arrays, result, settings),
        "rank_stability": lambda: rank_stability_table(arrays, result),
        "trends": lambda: trends_table(arrays, settings),
        "trends_approach": lambda: approach_trends_table(arrays),
        "institutions": lambda: institution_table(corpus, arrays, result, settings),
        "evidence": lambda: evidence_table(corpus, arrays, result, settings),
        "discovery": lambda: discovery_table(corpus, settings),
    }
    boot = bootstrap_steps(settings)
    steps = boot + len(builders)
    progress(0, steps)
    arrays = build_arrays(corpus)
    result = analyse_uncertainty(arrays, settings, lambda done, _: progress(done, steps))
    labels = category_labels(corpus.codebook)
    tables = {}
    for done, (name, build) in enumerate(builders.items(), boot + 1):
        tables[name] = _tidy(build())
        progress(done, steps)
    stamp = RunStamp(
        __version__,
        corpus.corpus_digest,
        corpus.codebook_digest,
        settings_digest,
        settings.seed,
        (corpus.coder,),
        model_digest_of(corpus),
        corpus.reviews_digest,
    )
    return AnalysisResult(tables, stamp, settings, labels, codebook=corpus.codebook)


def category_labels(codebook: Codebook) -> dict[str, dict[str, str]]:
    """Display labels of every category: dimension id -> category id -> label."""
    return {d.id: {c.id: c.label for c in d.categories} for d in codebook.dimensions}


def model_digest_of(corpus: CodedCorpus) -> str | None:
    """The trained model's hash when the coding came from it."""
    model = corpus.codebook.model
    return model.sha256 if model is not None and corpus.coder == model.coder else None


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Round floats and pass the table through Parquet once, so that a table computed now and
    the same table read back from the store have the same columns and types and give
    byte-identical files."""
    import io

    frame = frame.reset_index(drop=True).infer_objects()
    if frame.empty:  # untyped empty columns would change type on every Parquet round trip
        frame = frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].astype("float64").round(DECIMALS)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return pd.read_parquet(io.BytesIO(buffer.getvalue()))


def _with_interval(
    rows: dict,
    name: str,
    point: np.ndarray,
    samples: np.ndarray | None,
    index: tuple,
    confidence: float,
) -> None:
    rows[name] = point[index]
    if samples is None or samples.shape[0] == 0:
        rows[f"{name}_low"] = rows[f"{name}_high"] = np.nan
        return
    low, high = interval(
        samples[(slice(None), *index)][:, None], np.array([point[index]]), confidence
    )
    rows[f"{name}_low"], rows[f"{name}_high"] = float(low[0]), float(high[0])


def domain_table(
    arrays: DocumentArrays, u: Uncertainty, settings: AnalysisSettings, labels: dict[str, str]
) -> pd.DataFrame:
    point, boot = u.point, u.boot
    k = settings.top_k
    rows = []
    for d, domain in enumerate(arrays.domains):
        row = {
            "domain": domain,
            "label": labels.get(domain, domain),
            "ranked": bool(u.ranked[d]),
            "reason": u.reasons[d],
        }
        row["rank"] = u.point_rank[d]
        low, high = interval(u.boot_rank[:, [d]], u.point_rank[[d]], settings.confidence)
        # Whole ranks (model/rounding.py), so that every output shows the same interval.
        first, last = rank_bounds(float(low[0]), float(high[0]))
        row["rank_low"] = np.nan if first is None else float(first)
        row["rank_high"] = np.nan if last is None else float(last)
        score = np.where(u.ranked, u.point_score, np.nan)
        boot_score = np.where(u.ranked[None, :], u.boot_score, np.nan)
        _with_interval(row, "opportunity", score, boot_score, (d,), settings.confidence)
        for name, values, samples in (
            ("breadth", point.breadth[0], boot.breadth if boot else None),
            ("alignment", point.alignment[0], boot.alignment if boot else None),
            (
                "alignment_approach",
                point.alignment_approach[0],
                boot.alignment_approach if boot else None,
            ),
            (
                "alignment_principle",
                point.alignment_principle[0],
                boot.alignment_principle if boot else None,
            ),
            ("complementarity", point.complementarity[0], boot.complementarity if boot else None),
            ("cooperation", point.cooperation[0], boot.cooperation if boot else None),
            ("security", point.security[0], boot.security if boot else None),
        ):
            _with_interval(row, name, values, samples, (d,), settings.confidence)
        for c, component in enumerate(COMPONENTS):
            row[f"norm_{component}"] = u.point_normalised[d, c] if u.ranked[d] else np.nan
        row[f"p_top{k}_bootstrap"] = _share(u.boot_rank[:, d] <= k) if u.ranked[d] else np.nan
        row[f"p_top{k}_weights"] = _share(u.weight_rank[:, d] <= k) if u.ranked[d] else np.nan
        row[f"p_top{k}_joint"] = _share(u.joint_rank[:, d] <= k) if u.ranked[d] else np.nan
        row["passages"] = int(point.domain_passages[0, d])
        row["documents"] = int((arrays.dom_n[:, d] > 0).sum())
        row["institutions"] = ";".join(
            arrays.institutions[i] for i in np.flatnonzero(point.supported[0, :, d])
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(
        ["ranked", "rank", "domain"], ascending=[False, True, True], na_position="last"
    )


def _share(flags: np.ndarray) -> float:
    """The share of draws that satisfy a condition: a probability (model/rounding.py)."""
    return probability(float(np.mean(flags))) if len(flags) else np.nan


def coverage_table(
    arrays: DocumentArrays, u: Uncertainty, settings: AnalysisSettings
) -> pd.DataFrame:
    rows = []
    for i, institution in enumerate(arrays.institutions):
        for d, domain in enumerate(arrays.domains):
            row = {"institution": institution, "domain": domain}
            _with_interval(
                row,
                "coverage",
                u.point.coverage[0],
                u.boot.coverage if u.boot else None,
                (i, d),
                settings.confidence,
            )
            row["n_passages"] = int(u.point.n_passages[0, i, d])
            row["n_documents"] = int(u.point.n_documents[0, i, d])
            row["supported"] = bool(u.point.supported[0, i, d])
            rows.append(row)
    return pd.DataFrame(rows)


def profile_table(arrays: DocumentArrays, u: Uncertainty) -> pd.DataFrame:
    rows = []
    for dimension, ids, values in (
        ("approach", arrays.approaches, u.point.approach_profile),
        ("principle", arrays.principles, u.point.principle_profile),
        ("force", arrays.forces, u.point.force_profile),
    ):
        for i, institution in enumerate(arrays.institutions):
            for d, domain in enumerate(arrays.domains):
                if not u.point.supported[0, i, d] or np.isnan(values[0, i, d]).all():
                    continue
                for c, category in enumerate(ids):
                    rows.append(
                        {
                            "institution": institution,
                            "domain": domain,
                            "dimension": dimension,
                            "category": category,
                            "share": float(values[0, i, d, c]),
                        }
                    )
    return pd.DataFrame(rows, columns=["institution", "domain", "dimension", "category", "share"])


def pair_table(arrays: DocumentArrays, u: Uncertainty) -> pd.DataFrame:
    rows = []
    pairs = u.point.pair_similarity
    for d, domain in enumerate(arrays.domains):
        for a, b in combinations(range(len(arrays.institutions)), 2):
            value = pairs[d, a, b] if pairs is not None else np.nan
            if not np.isnan(value):
                rows.append(
                    {
                        "domain": domain,
                        "institution_a": arrays.institutions[a],
                        "institution_b": arrays.institutions[b],
                        "similarity": value,
                    }
                )
    return pd.DataFrame(rows, columns=["domain", "institution_a", "institution_b", "similarity"])


def institution_similarity(arrays: DocumentArrays, u: Uncertainty) -> pd.DataFrame:
    """Overall: 1 - JS distance of institutions' domain coverage profiles; per domain: the
    alignment similarity of their profiles in that domain."""
    coverage = np.nan_to_num(u.point.coverage[0])
    totals = coverage.sum(axis=1, keepdims=True)
    profiles = np.divide(coverage, totals, out=np.zeros_like(coverage), where=totals > 0)
    rows = []
    for a, b in combinations(range(len(arrays.institutions)), 2):
        if totals[a, 0] > 0 and totals[b, 0] > 0:
            rows.append(
                {
                    "scope": "overall",
                    "institution_a": arrays.institutions[a],
                    "institution_b": arrays.institutions[b],
                    "similarity": float(js_similarity(profiles[a], profiles[b])),
                }
            )
    frame = pd.DataFrame(rows, columns=["scope", "institution_a", "institution_b", "similarity"])
    per_domain = pair_table(arrays, u).rename(columns={"domain": "scope"})
    return pd.concat([frame, per_domain[frame.columns]], ignore_index=True)


def force_table(arrays: DocumentArrays, u: Uncertainty, settings: AnalysisSettings) -> pd.DataFrame:
    rows = []
    for d, domain in enumerate(arrays.domains):
        for f, force in enumerate(arrays.forces):
            row = {"domain": domain, "force": force}
            _with_interval(
                row,
                "share",
                u.point.force_mix[0],
                u.boot.force_mix if u.boot else None,
                (d, f),
                settings.confidence,
            )
            rows.append(row)
    return pd.DataFrame(rows)


def rank_stability_table(arrays: DocumentArrays, u: Uncertainty) -> pd.DataFrame:
    """How often each ranked domain takes each rank, over resamples and weight draws."""
    rows = []
    for source, samples in (
        ("bootstrap", u.boot_rank),
        ("weights", u.weight_rank),
        ("joint", u.joint_rank),
    ):
        if samples.shape[0] == 0:
            continue
        for d, domain in enumerate(arrays.domains):
            if not u.ranked[d]:
                continue
            values, counts = np.unique(samples[:, d], return_counts=True)
            for value, count in zip(values, counts, strict=True):
                rows.append(
                    {
                        "source": source,
                        "domain": domain,
                        "rank": int(value),
                        "probability": probability(count / samples.shape[0]),
                    }
                )
    return pd.DataFrame(rows, columns=["source", "domain", "rank", "probability"])


def trends_table(arrays: DocumentArrays, settings: AnalysisSettings) -> pd.DataFrame:
    rows = []
    for year in sorted(set(arrays.years[~np.isnan(arrays.years)].astype(int))):
        docs = arrays.years == year
        words = arrays.words[docs]
        for d, domain in enumerate(arrays.domains):
            if settings.weighting == "document":
                shares = np.divide(
                    arrays.dom_words[docs, d], words, out=np.zeros_like(words), where=words > 0
                )
                share = float(shares.mean())
            else:
                share = float(arrays.dom_words[docs, d].sum() / max(words.sum(), 1))
            rows.append(
                {
                    "year": year,
                    "domain": domain,
                    "share": share,
                    "n_documents": int(docs.sum()),
                    "n_passages": int(arrays.dom_n[docs, d].sum()),
                }
            )
    return pd.DataFrame(rows, columns=["year", "domain", "share", "n_documents", "n_passages"])


def approach_trends_table(arrays: DocumentArrays) -> pd.DataFrame:
    rows = []
    for year in sorted(set(arrays.years[~np.isnan(arrays.years)].astype(int))):
        docs = (arrays.years == year) & (arrays.all_appr_n > 0)
        if not docs.any():
            continue
        mix = (arrays.all_appr[docs] / arrays.all_appr_n[docs, None]).mean(axis=0)
        for a, approach in enumerate(arrays.approaches):
            rows.append(
                {
                    "year": year,
                    "approach": approach,
                    "share": float(mix[a]),
                    "n_documents": int(docs.sum()),
                    "n_passages": int(arrays.all_appr_n[docs].sum()),
                }
            )
    return pd.DataFrame(rows, columns=["year", "approach", "share", "n_documents", "n_passages"])


def institution_table(
    corpus: CodedCorpus, arrays: DocumentArrays, u: Uncertainty, settings: AnalysisSettings
) -> pd.DataFrame:
    documents = corpus.documents.groupby("institution_id").agg(
        institution_name=("institution", "first"),
        family=("family", "first"),
        n_documents=("document_id", "count"),
        n_passages=("n_passages", "sum"),
        n_words=("n_words", "sum"),
    )
    documents["supported_domains"] = [
        int(u.point.supported[0, arrays.institutions.index(i)].sum()) for i in documents.index
    ]
    documents["status"] = np.where(
        documents["supported_domains"] == 0,
        f"too little coded text to address any domain (needs {settings.support.min_passages} "
        "passages in a domain)",
        "",
    )
    return documents.reset_index().rename(columns={"institution_id": "institution"})


def evidence_table(
    corpus: CodedCorpus, arrays: DocumentArrays, u: Uncertainty, settings: AnalysisSettings
) -> pd.DataFrame:
    """Per domain: the best passages of each supported institution, and a diverse top list.

    Selection runs on light frames; text and citation fields are joined to the chosen rows."""
    columns = [
        "domain",
        "scope",
        "rank",
        "passage_id",
        "institution",
        "institution_name",
        "title",
        "year",
        "page_start",
        "page_end",
        "url",
        "relevance",
        "approaches",
        "labels",
        "text",
    ]
    owner = corpus.passages.set_index("passage_id")["document_id"]
    institution_of = corpus.documents.set_index("document_id")["institution_id"]
    scored_all = domain_relevance(corpus.labels)
    scored_all = scored_all.assign(
        institution_id=scored_all["passage_id"].map(owner).map(institution_of),
        n_words=scored_all["passage_id"].map(corpus.passages.set_index("passage_id")["n_words"]),
    )
    candidates = set(_candidate_pool(scored_all))
    index = EvidenceIndex(
        corpus.with_text(corpus.passages[corpus.passages["passage_id"].isin(candidates)])
    )
    picks: list[tuple[pd.DataFrame, str]] = []  # chosen rows, and the scope they were chosen for
    for d, domain in enumerate(arrays.domains):
        scored = scored_all[scored_all["domain"] == domain]
        if scored.empty:
            continue
        by_institution = dict(tuple(scored.groupby("institution_id", sort=True)))
        per_institution = []
        for i in np.flatnonzero(u.point.supported[0, :, d]):
            institution = arrays.institutions[i]
            chosen = index.select(
                by_institution.get(institution, scored.head(0)), settings.evidence_per_institution
            )
            per_institution.append(chosen)
            picks.append((chosen, institution))
        pool = pd.concat(per_institution) if per_institution else scored
        picks.append((_round_robin(pool, settings.evidence_per_domain), "domain"))
    if not picks:
        return pd.DataFrame(columns=columns)
    chosen_rows = pd.concat([rows for rows, _ in picks], ignore_index=True)
    chosen_rows["scope"] = [scope for rows, scope in picks for _ in range(len(rows))]
    chosen_rows["rank"] = [k for rows, _ in picks for k in range(1, len(rows) + 1)]
    chosen_ids = set(chosen_rows["passage_id"])
    texts = corpus.with_text(corpus.passages[corpus.passages["passage_id"].isin(chosen_ids)])
    details = texts[["passage_id", "document_id", "page_start", "page_end", "text"]].merge(
        corpus.documents[["document_id", "institution", "title", "year", "url"]], on="document_id"
    )
    frame = chosen_rows.merge(details, on="passage_id", how="left")
    frame = frame.rename(
        columns={"institution": "institution_name", "institution_id": "institution"}
    )
    frame["labels"] = frame["passage_id"].map(_why(corpus, set(frame["passage_id"])))
    return frame.sort_values(["domain", "scope", "rank"])[columns]


def _why(corpus: CodedCorpus, passage_ids: set[str]) -> dict[str, str]:
    """Why each chosen passage was chosen, as JSON: every label it got, with its score and
    the cue spans (offsets in the passage text) that gave it, in codebook order."""
    import json

    order = {d.id: k for k, d in enumerate(corpus.codebook.dimensions)}
    rows = corpus.with_cues(corpus.labels[corpus.labels["passage_id"].isin(passage_ids)])
    rows = rows.assign(position=rows["dimension"].map(order)).sort_values(
        ["passage_id", "position", "score", "category"], ascending=[True, True, False, True]
    )
    found: dict[str, list[dict]] = {}
    for row in rows.itertuples(index=False):
        found.setdefault(row.passage_id, []).append(
            {
                "dimension": row.dimension,
                "category": row.category,
                "score": round(float(row.score), 3),
                "cues": json.loads(row.evidence) if isinstance(row.evidence, str) else [],
            }
        )
    return {p: json.dumps(labels, ensure_ascii=False) for p, labels in found.items()}


def _candidate_pool(scored: pd.DataFrame) -> list[str]:
    """The passages any selection can consider: the best POOL of each domain and institution,
    among long enough passages and among all (the fallback when none is long enough)."""
    from accord.analysis.evidence import MIN_WORDS, POOL

    ordered = scored.sort_values(["relevance", "passage_id"], ascending=[False, True])
    groups = ["domain", "institution_id"]
    long_enough = ordered[ordered["n_words"] >= MIN_WORDS].groupby(groups).head(POOL)
    return [*long_enough["passage_id"], *ordered.groupby(groups).head(POOL)["passage_id"]]


def _round_robin(pool: pd.DataFrame, k: int) -> pd.DataFrame:
    """Alternate between institutions (best first) so the domain list shows several voices."""
    if pool.empty:
        return pool
    ordered = pool.sort_values(["relevance", "passage_id"], ascending=[False, True])
    ordered = ordered.assign(turn=ordered.groupby("institution_id").cumcount())
    return (
        ordered.sort_values(["turn", "relevance", "passage_id"], ascending=[True, False, True])
        .head(k)
        .drop(columns="turn")
    )


def discovery_table(corpus: CodedCorpus, settings: AnalysisSettings) -> pd.DataFrame:
    with_domain = set(corpus.labels.loc[corpus.labels["dimension"] == "domain", "passage_id"])
    unlabelled = corpus.passages[~corpus.passages["passage_id"].isin(with_domain)]
    sample = corpus.with_text(discovery_sample(unlabelled, settings.seed))
    return discover_themes(sample, settings.discovery_themes, settings.seed)
