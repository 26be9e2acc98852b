"""The bootstrap measured a chunk at a time (so progress can be shown) gives the same arrays as
all resamples at once, and reports each chunk."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from accord.analysis.arrays import build_arrays
from accord.analysis.measures import compute_measures
from accord.analysis.opportunity import (
    BOOTSTRAP_CHUNK,
    bootstrap_measures,
    bootstrap_steps,
    resample_weights,
)
from accord.config import AnalysisSettings

from .synthetic import build
from .test_measures import planted


def test_chunks_give_the_same_measures_to_the_bit():
    settings = AnalysisSettings(bootstrap_resamples=2 * BOOTSTRAP_CHUNK + 30)
    arrays = build_arrays(build(planted()))
    weights = resample_weights(
        arrays.n_documents, settings.bootstrap_resamples, np.random.default_rng(3)
    )
    calls = []
    chunked = bootstrap_measures(arrays, weights, settings, lambda *args: calls.append(args))
    whole = compute_measures(arrays, weights, settings)
    for field in fields(whole):
        expected = getattr(whole, field.name)
        if expected is not None:
            assert np.array_equal(getattr(chunked, field.name), expected, equal_nan=True), field
    assert calls == [(1, 3), (2, 3), (3, 3)] and bootstrap_steps(settings) == 3
