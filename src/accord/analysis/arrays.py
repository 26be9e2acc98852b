"""Coded passages summed per document into arrays (pure): the input of every measure.

Everything the measures need is a per-document sum, so a bootstrap resample of documents is
just a vector of document weights, and every measure is computed for many resamples at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from accord.analysis.frames import CodedCorpus

DOMAIN, APPROACH, PRINCIPLE, SECURITY, COOPERATION, FORCE = (
    "domain",
    "approach",
    "principle",
    "security",
    "cooperation",
    "force",
)


@dataclass(frozen=True)
class DocumentArrays:
    document_ids: list[str]
    institutions: list[str]  # institution ids, sorted
    institution_of: np.ndarray  # (n_docs,) index into institutions
    years: np.ndarray  # (n_docs,) float, NaN when unknown
    domains: list[str]
    approaches: list[str]
    principles: list[str]
    forces: list[str]
    words: np.ndarray  # (n,) words per document
    passages: np.ndarray  # (n,) passages per document
    dom_words: np.ndarray  # (n, D) words of passages coded d
    dom_n: np.ndarray  # (n, D) passages coded d
    appr: np.ndarray  # (n, D, A) approach mass (a passage shares 1 among its approaches)
    appr_n: np.ndarray  # (n, D) passages coded d with an approach
    prin: np.ndarray  # (n, D, P)
    prin_n: np.ndarray  # (n, D)
    cell: np.ndarray  # (n, D, A*P) approach x principle mass
    cell_n: np.ndarray  # (n, D)
    force: np.ndarray  # (n, D, F)
    sec: np.ndarray  # (n, D) passages coded d and security-sensitive
    coop: np.ndarray  # (n, D) passages coded d and international cooperation
    all_appr: np.ndarray  # (n, A) approach mass over all passages (trends)
    all_appr_n: np.ndarray  # (n,)

    @property
    def n_documents(self) -> int:
        return len(self.document_ids)

    def members(self) -> list[np.ndarray]:
        """Document indexes of each institution."""
        return [np.flatnonzero(self.institution_of == i) for i in range(len(self.institutions))]


def _indicator(
    labels: pd.DataFrame,
    passage_index: dict[str, int],
    m: int,
    dimension: str,
    categories: list[str],
) -> np.ndarray:
    matrix = np.zeros((m, len(categories)), dtype=np.float64)
    rows = labels[labels["dimension"] == dimension]
    position = {c: k for k, c in enumerate(categories)}
    rows = rows[rows["category"].isin(position)]
    if len(rows):
        matrix[
            rows["passage_id"].map(passage_index).to_numpy(),
            rows["category"].map(position).to_numpy(),
        ] = 1.0
    return matrix


def _share(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _ids(corpus: CodedCorpus, dimension: str) -> list[str]:
    try:
        return corpus.codebook.dimension(dimension).ids
    except KeyError:
        return []


def build_arrays(corpus: CodedCorpus) -> DocumentArrays:
    documents = corpus.documents.sort_values("document_id").reset_index(drop=True)
    passages = corpus.passages
    doc_index = {d: k for k, d in enumerate(documents["document_id"])}
    passage_index = {p: k for k, p in enumerate(passages["passage_id"])}
    n, m = len(documents), len(passages)
    owner = sparse.csr_matrix(
        (np.ones(m), (passages["document_id"].map(doc_index).to_numpy(), np.arange(m))),
        shape=(n, m),
    )
    domains, approaches = _ids(corpus, DOMAIN), _ids(corpus, APPROACH)
    principles, forces = _ids(corpus, PRINCIPLE), _ids(corpus, FORCE)
    label = {
        dim: _indicator(corpus.labels, passage_index, m, dim, ids)
        for dim, ids in (
            (DOMAIN, domains),
            (APPROACH, approaches),
            (PRINCIPLE, principles),
            (FORCE, forces),
        )
    }
    security = _indicator(corpus.labels, passage_index, m, SECURITY, _ids(corpus, SECURITY))
    cooperation = _indicator(
        corpus.labels, passage_index, m, COOPERATION, _ids(corpus, COOPERATION)
    )
    words = passages["n_words"].to_numpy(dtype=np.float64)
    ld = label[DOMAIN]
    appr, prin = _share(label[APPROACH]), _share(label[PRINCIPLE])
    cells = (appr[:, :, None] * prin[:, None, :]).reshape(m, -1)
    has_appr = (appr.sum(1) > 0).astype(float)
    has_prin = (prin.sum(1) > 0).astype(float)
    has_cell = has_appr * has_prin

    def per_domain(values: np.ndarray) -> np.ndarray:
        """(m, K) passage values to (n, D, K) sums over each document's passages coded d."""
        out = np.stack([owner @ (values * ld[:, [d]]) for d in range(len(domains))], axis=1)
        return np.asarray(out)

    def per_domain_count(flags: np.ndarray) -> np.ndarray:
        return per_domain(flags[:, None])[:, :, 0]

    years = pd.to_numeric(documents["year"], errors="coerce").to_numpy(dtype=float)
    any_security = security.max(axis=1) if security.size else np.zeros(m)
    any_cooperation = cooperation.max(axis=1) if cooperation.size else np.zeros(m)
    return DocumentArrays(
        document_ids=list(documents["document_id"]),
        institutions=sorted(documents["institution_id"].unique()),
        institution_of=documents["institution_id"]
        .map({i: k for k, i in enumerate(sorted(documents["institution_id"].unique()))})
        .to_numpy(),
        years=years,
        domains=domains,
        approaches=approaches,
        principles=principles,
        forces=forces,
        words=np.asarray(owner @ words),
        passages=np.asarray(owner @ np.ones(m)),
        dom_words=np.asarray(owner @ (ld * words[:, None])),
        dom_n=np.asarray(owner @ ld),
        appr=per_domain(appr),
        appr_n=per_domain_count(has_appr),
        prin=per_domain(prin),
        prin_n=per_domain_count(has_prin),
        cell=per_domain(cells),
        cell_n=per_domain_count(has_cell),
        force=per_domain(label[FORCE]),
        sec=per_domain_count(any_security),
        coop=per_domain_count(any_cooperation),
        all_appr=np.asarray(owner @ appr),
        all_appr_n=np.asarray(owner @ has_appr),
    )
