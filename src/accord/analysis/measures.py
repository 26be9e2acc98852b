"""Every per-domain measure, for many document weightings at once (pure).

``weights`` is a (B, n_documents) matrix: one row of ones for the point estimate, one row of
multinomial counts per bootstrap resample. Formulas are in docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.analysis.arrays import DocumentArrays
from accord.config import AnalysisSettings


@dataclass
class Measures:
    """Arrays indexed (B, ...) by resample; institution axes follow ``arrays.institutions``."""

    coverage: np.ndarray  # (B, I, D)
    n_passages: np.ndarray  # (B, I, D)
    n_documents: np.ndarray  # (B, I, D)
    supported: np.ndarray  # (B, I, D) bool
    approach_profile: np.ndarray  # (B, I, D, A), NaN without approach passages
    principle_profile: np.ndarray  # (B, I, D, P)
    cell_profile: np.ndarray  # (B, I, D, A*P)
    force_profile: np.ndarray  # (B, I, D, F)
    breadth: np.ndarray  # (B, D) institutions with support
    domain_passages: np.ndarray  # (B, D)
    security: np.ndarray  # (B, D)
    cooperation: np.ndarray  # (B, D)
    force_mix: np.ndarray  # (B, D, F)
    alignment_approach: np.ndarray  # (B, D)
    alignment_principle: np.ndarray  # (B, D)
    alignment: np.ndarray  # (B, D)
    complementarity: np.ndarray  # (B, D)
    pair_similarity: np.ndarray | None = None  # (D, I, I) combined, point estimate only


def _flat(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-document numerators and matching denominators, as (n, features) matrices."""
    extra = (1,) * (numerator.ndim - denominator.ndim)
    den = np.broadcast_to(denominator.reshape(denominator.shape + extra), numerator.shape)
    # float32 halves the memory traffic of the bootstrap; the results are rounded to 6 places.
    return (
        numerator.reshape(len(numerator), -1).astype(np.float32),
        den.reshape(len(numerator), -1).astype(np.float32),
    )


def _aggregate(
    weights: np.ndarray,
    members: list[np.ndarray],
    numerator: np.ndarray,
    denominator: np.ndarray,
    mode: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Institution-level ratios (B, I, *shape) with NaN where there is nothing to divide.

    'document': each document's ratio counts once (times its resample weight);
    'passage': numerators and denominators are pooled over the institution's documents.
    """
    shape = numerator.shape[1:]
    num_doc, den_doc = _flat(numerator, denominator)
    if mode == "document":
        num_doc = np.divide(num_doc, den_doc, out=np.zeros_like(num_doc), where=den_doc > 0)
        den_doc = (den_doc > 0).astype(float)
    b = weights.shape[0]
    weights = weights.astype(np.float32)
    num = np.zeros((b, len(members), num_doc.shape[1]), dtype=np.float32)
    den = np.zeros_like(num)
    for i, rows in enumerate(members):
        num[:, i] = weights[:, rows] @ num_doc[rows]
        den[:, i] = weights[:, rows] @ den_doc[rows]
    ratio = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0).astype(np.float64)
    return ratio.reshape(b, len(members), *shape), den.reshape(b, len(members), *shape)


def _domain_ratio(
    weights: np.ndarray, numerator: np.ndarray, denominator: np.ndarray, mode: str
) -> np.ndarray:
    """Domain-level ratio over all documents, (B, D, *rest)."""
    num_doc, den_doc = _flat(numerator, denominator)
    if mode == "document":
        num_doc = np.divide(num_doc, den_doc, out=np.zeros_like(num_doc), where=den_doc > 0)
        den_doc = (den_doc > 0).astype(float)
    num, den = weights @ num_doc, weights @ den_doc
    ratio = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
    return ratio.reshape(weights.shape[0], *numerator.shape[1:])


def js_similarity(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """1 - Jensen-Shannon distance (base 2) along the last axis; 1 for identical profiles.

    Example:
        >>> float(js_similarity(np.array([0.5, 0.5]), np.array([0.5, 0.5])))
        1.0
        >>> float(js_similarity(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
        0.0
    """
    divergence = _entropy((p + q) / 2) - (_entropy(p) + _entropy(q)) / 2
    return 1.0 - np.sqrt(np.clip(divergence, 0.0, 1.0))


def _entropy(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits along the last axis (0 log 0 = 0)."""
    safe = np.where(p > 0, p, 1.0)
    return -(p * np.log2(safe)).sum(axis=-1)


def _pairwise_mean(
    profiles: np.ndarray, eligible: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean similarity over pairs of eligible institutions (B,), and the (B, I, I) matrix.

    Only ``candidates`` (institutions that could be eligible in some resample) are paired; the
    JS divergence is H(mixture) - mean H(profile), so each profile's entropy is computed once.
    """
    b, n = eligible.shape
    matrix = np.full((b, n, n), np.nan)
    first, second = np.triu_indices(len(candidates), 1)
    if len(first) == 0:
        return np.full(b, np.nan), matrix
    a, c = candidates[first], candidates[second]
    p = np.nan_to_num(profiles[:, candidates])
    entropy = _entropy(p)
    mixture = _entropy((p[:, first] + p[:, second]) / 2)
    similarity = 1.0 - np.sqrt(
        np.clip(mixture - (entropy[:, first] + entropy[:, second]) / 2, 0.0, 1.0)
    )
    pairs = eligible[:, a] & eligible[:, c]
    count = pairs.sum(axis=1)
    total = np.where(pairs, similarity, 0.0).sum(axis=1)
    mean = np.divide(total, count, out=np.full(b, np.nan), where=count > 0)
    shown = np.where(pairs, similarity, np.nan)
    matrix[:, a, c] = shown
    matrix[:, c, a] = shown
    return mean, matrix


def compute_measures(
    arrays: DocumentArrays,
    weights: np.ndarray,
    settings: AnalysisSettings,
    keep_pairs: bool = False,
) -> Measures:
    mode = settings.weighting
    members = arrays.members()
    support = settings.support
    coverage, _ = _aggregate(weights, members, arrays.dom_words, arrays.words, mode)
    n_passages = np.stack([weights[:, rows] @ arrays.dom_n[rows] for rows in members], axis=1)
    n_documents = np.stack(
        [weights[:, rows] @ (arrays.dom_n[rows] > 0) for rows in members], axis=1
    )
    supported = (n_passages >= support.min_passages) & (n_documents >= support.min_documents)
    approach, _ = _aggregate(weights, members, arrays.appr, arrays.appr_n, mode)
    principle, _ = _aggregate(weights, members, arrays.prin, arrays.prin_n, mode)
    cells, _ = _aggregate(weights, members, arrays.cell, arrays.cell_n, mode)
    forces, _ = _aggregate(weights, members, arrays.force, arrays.dom_n, mode)
    b, _, d = coverage.shape
    align_a, align_p, comp = (np.full((b, d), np.nan) for _ in range(3))
    pairs = np.full((d, len(members), len(members)), np.nan) if keep_pairs else None
    for k in range(d):
        has_a = (
            supported[:, :, k] & ~np.isnan(approach[:, :, k, 0])
            if approach.shape[-1]
            else np.zeros_like(supported[:, :, k])
        )
        has_p = (
            supported[:, :, k] & ~np.isnan(principle[:, :, k, 0])
            if principle.shape[-1]
            else np.zeros_like(supported[:, :, k])
        )
        # Resampling cannot give passages to an institution that has none in the domain.
        candidates = np.flatnonzero(arrays.dom_n[:, k] @ _membership(arrays) > 0)
        align_a[:, k], sim_a = _pairwise_mean(approach[:, :, k], has_a, candidates)
        align_p[:, k], sim_p = _pairwise_mean(principle[:, :, k], has_p, candidates)
        comp[:, k] = complementarity(cells[:, :, k], supported[:, :, k], support.min_cell_share)
        if pairs is not None:
            pairs[k] = _combine([sim_a[0], sim_p[0]], settings)
    alignment = _combine([align_a, align_p], settings)
    return Measures(
        coverage=coverage,
        n_passages=n_passages,
        n_documents=n_documents,
        supported=supported,
        approach_profile=approach,
        principle_profile=principle,
        cell_profile=cells,
        force_profile=forces,
        breadth=supported.sum(axis=1).astype(float),
        domain_passages=weights @ arrays.dom_n,
        security=_domain_ratio(weights, arrays.sec, arrays.dom_n, mode),
        cooperation=_domain_ratio(weights, arrays.coop, arrays.dom_n, mode),
        force_mix=_domain_ratio(weights, arrays.force, arrays.dom_n, mode),
        alignment_approach=align_a,
        alignment_principle=align_p,
        alignment=alignment,
        complementarity=comp,
        pair_similarity=pairs,
    )


def _membership(arrays: DocumentArrays) -> np.ndarray:
    """(n_documents, n_institutions) one-hot matrix."""
    return np.eye(len(arrays.institutions))[arrays.institution_of]


def _combine(components: list[np.ndarray], settings: AnalysisSettings) -> np.ndarray:
    """Weighted mean of the available alignment components (approach, principle)."""
    weights = [
        settings.alignment_weights.get("approach", 0.5),
        settings.alignment_weights.get("principle", 0.5),
    ]
    stack = np.stack(components)
    w = np.array(weights).reshape(-1, *([1] * (stack.ndim - 1))) * ~np.isnan(stack)
    total = w.sum(axis=0)
    return np.divide(
        (np.nan_to_num(stack) * w).sum(axis=0),
        total,
        out=np.full(stack.shape[1:], np.nan),
        where=total > 0,
    )


def complementarity(cells: np.ndarray, supported: np.ndarray, min_share: float) -> np.ndarray:
    """Division of labour in one domain, (B,): 1 - (mean cells one institution covers) /
    (cells all of them cover together), over supported institutions with a profile.

    0 when every institution covers the same approach x principle cells; near 1 when each
    covers its own. NaN with fewer than two such institutions.

    Example:
        >>> same = np.array([[[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]])
        >>> float(complementarity(same, np.array([[True, True]]), 0.05)[0])
        0.0
        >>> split = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> float(complementarity(split, np.array([[True, True]]), 0.05)[0])
        0.5
    """
    present = supported & ~np.isnan(cells[..., 0]) if cells.shape[-1] else supported & False
    covered = (np.nan_to_num(cells) >= max(min_share, 1e-12)) & present[..., None]
    sizes = covered.sum(axis=-1)
    union = covered.any(axis=1).sum(axis=-1)
    taking_part = present & (sizes > 0)
    count = taking_part.sum(axis=1)
    mean_size = np.divide(
        np.where(taking_part, sizes, 0).sum(axis=1),
        count,
        out=np.zeros(len(count)),
        where=count > 0,
    )
    return np.where(
        (count >= 2) & (union > 0),
        1.0 - np.divide(mean_size, union, out=np.ones(len(count)), where=union > 0),
        np.nan,
    )
