"""The cooperation-opportunity ranking, with bootstrap intervals and rank stability (pure).

opportunity(d) = sum_k w_k * norm_k(d) over the components breadth, alignment,
complementarity, cooperation and 1 - security, each min-max normalised across the ranked
domains (within every resample), weights summing to one. Only domains with enough support
are ranked; the others are reported with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from accord.analysis.arrays import DocumentArrays
from accord.analysis.measures import Measures, compute_measures
from accord.config import AnalysisSettings

COMPONENTS = ("breadth", "alignment", "complementarity", "cooperation", "low_security")
# Bootstrap resamples measured at once: progress can be shown after each chunk, and the
# working arrays are a tenth of the size. Each resample's measures depend on its own weights
# only, so the result is the same to the bit; on the demo corpus it is no slower (1.0-1.5 s
# against 1.0-1.9 s for all 1,000 at once, on the shared two-core machine).
BOOTSTRAP_CHUNK = 100


def components(measures: Measures) -> np.ndarray:
    """(B, D, 5) raw components in COMPONENTS order."""
    return np.stack(
        [
            measures.breadth,
            measures.alignment,
            measures.complementarity,
            measures.cooperation,
            1.0 - measures.security,
        ],
        axis=-1,
    )


def normalise(raw: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Min-max scale each component across the ranked domains of each resample; a component
    that does not vary scores 0.5; a missing value scores 0."""
    values = np.where(ranked[None, :, None], raw, np.nan)
    low = np.nanmin(np.where(np.isnan(values), np.inf, values), axis=1, keepdims=True)
    high = np.nanmax(np.where(np.isnan(values), -np.inf, values), axis=1, keepdims=True)
    span = high - low
    scaled = np.divide(
        values - low, span, out=np.full_like(values, 0.5), where=np.isfinite(span) & (span > 0)
    )
    return np.where(np.isnan(values), 0.0, scaled)


def opportunity(normalised: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(B, D) composite; ``weights`` (5,) or (B, 5), normalised to sum to one."""
    w = np.atleast_2d(weights).astype(float)
    w = w / w.sum(axis=1, keepdims=True)
    return np.einsum("bdk,bk->bd", normalised, w)


def ranks(scores: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """1 = best among ranked domains; ties broken by domain order; NaN for unranked."""
    masked = np.where(ranked[None, :], scores, -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")
    result = np.empty_like(scores)
    rows = np.arange(scores.shape[0])[:, None]
    result[rows, order] = np.arange(1, scores.shape[1] + 1)[None, :]
    return np.where(ranked[None, :], result, np.nan)


def eligibility(point: Measures, settings: AnalysisSettings) -> tuple[np.ndarray, list[str]]:
    """Which domains can be ranked, and why the others cannot."""
    support = settings.support
    breadth, passages = point.breadth[0], point.domain_passages[0]
    ranked = np.zeros(len(breadth), dtype=bool)
    reasons = []
    for d in range(len(breadth)):
        if passages[d] < support.min_domain_passages:
            reasons.append(
                f"only {int(passages[d])} coded passage(s) (needs {support.min_domain_passages})"
            )
        elif breadth[d] < support.min_institutions:
            reasons.append(
                f"only {int(breadth[d])} institution(s) with support "
                f"(needs {support.min_institutions})"
            )
        elif np.isnan(point.alignment[0, d]):
            reasons.append("no approach or principle profiles to compare")
        else:
            ranked[d] = True
            reasons.append("")
    return ranked, reasons


@dataclass
class Uncertainty:
    point: Measures
    ranked: np.ndarray  # (D,) bool
    reasons: list[str]
    point_components: np.ndarray  # (D, 5) raw
    point_normalised: np.ndarray  # (D, 5)
    point_score: np.ndarray  # (D,)
    point_rank: np.ndarray  # (D,)
    boot: Measures | None  # (B, ...) resampled measures
    boot_score: np.ndarray  # (B, D)
    boot_rank: np.ndarray  # (B, D)
    weight_rank: np.ndarray  # (R, D) ranks under Dirichlet-perturbed weights
    joint_rank: np.ndarray  # (R, D) resample b with weight draw b


def resample_weights(n_documents: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap over documents: each row counts how often each document is drawn."""
    return rng.multinomial(
        n_documents, np.full(n_documents, 1.0 / n_documents), size=resamples
    ).astype(float)


def bootstrap_steps(settings: AnalysisSettings) -> int:
    """How many progress steps the bootstrap reports: one per chunk of resamples."""
    return math.ceil(settings.bootstrap_resamples / BOOTSTRAP_CHUNK)


def bootstrap_measures(
    arrays: DocumentArrays,
    weights: np.ndarray,
    settings: AnalysisSettings,
    on_progress: Callable[[int, int], None] | None = None,
) -> Measures:
    """The measures of every resample (row of ``weights``), a chunk at a time."""
    starts = range(0, len(weights), BOOTSTRAP_CHUNK)
    parts = []
    for done, start in enumerate(starts, 1):
        parts.append(compute_measures(arrays, weights[start : start + BOOTSTRAP_CHUNK], settings))
        if on_progress:
            on_progress(done, len(starts))
    if len(parts) == 1:
        return parts[0]
    joined = {
        f.name: None
        if getattr(parts[0], f.name) is None
        else np.concatenate([getattr(p, f.name) for p in parts])
        for f in fields(Measures)
    }
    return Measures(**joined)


def analyse_uncertainty(
    arrays: DocumentArrays,
    settings: AnalysisSettings,
    on_progress: Callable[[int, int], None] | None = None,
) -> Uncertainty:
    """Point measures, bootstrap intervals and rank stability; ``on_progress(done, total)``
    after each chunk of bootstrap resamples."""
    rng = np.random.default_rng(settings.seed)
    point = compute_measures(arrays, np.ones((1, arrays.n_documents)), settings, keep_pairs=True)
    ranked, reasons = eligibility(point, settings)
    base_weights = np.array([getattr(settings.opportunity_weights, c) for c in COMPONENTS])
    raw = components(point)
    norm = normalise(raw, ranked)
    score = opportunity(norm, base_weights)
    point_rank = ranks(score, ranked)
    boot = None
    boot_score = np.empty((0, len(ranked)))
    boot_rank = np.empty((0, len(ranked)))
    if settings.bootstrap_resamples:
        boot = bootstrap_measures(
            arrays,
            resample_weights(arrays.n_documents, settings.bootstrap_resamples, rng),
            settings,
            on_progress,
        )
        boot_norm = normalise(components(boot), ranked)
        boot_score = opportunity(boot_norm, base_weights)
        boot_rank = ranks(boot_score, ranked)
    draws = (
        rng.dirichlet(
            settings.weight_concentration * base_weights / base_weights.sum(),
            size=settings.weight_draws,
        )
        if settings.weight_draws
        else np.empty((0, len(COMPONENTS)))
    )
    weight_rank = (
        ranks(opportunity(np.repeat(norm, len(draws), axis=0), draws), ranked)
        if len(draws)
        else np.empty((0, len(ranked)))
    )
    joint_rank = np.empty((0, len(ranked)))
    if boot is not None and len(draws):
        n = min(len(draws), settings.bootstrap_resamples)
        joint = opportunity(normalise(components(boot), ranked)[:n], draws[:n])
        joint_rank = ranks(joint, ranked)
    return Uncertainty(
        point,
        ranked,
        reasons,
        raw[0],
        norm[0],
        score[0],
        point_rank[0],
        boot,
        boot_score,
        boot_rank,
        weight_rank,
        joint_rank,
    )


def interval(
    samples: np.ndarray, point: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, widened to include the point estimate in the rare
    case the resampling distribution lies wholly on one side of it (bounded measures)."""
    if samples.shape[0] == 0:
        return np.full(point.shape, np.nan), np.full(point.shape, np.nan)
    tail = (1 - confidence) / 2 * 100
    low, high = _nanpercentile(samples, tail), _nanpercentile(samples, 100 - tail)
    return np.fmin(low, point), np.fmax(high, point)


def _nanpercentile(samples: np.ndarray, q: float) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanpercentile(samples, q, axis=0)
