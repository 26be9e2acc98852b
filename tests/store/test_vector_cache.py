"""The per-user vector cache: shared across stores, safe under concurrent writers, capped."""

from __future__ import annotations

import multiprocessing

import numpy as np

from accord.store.vector_cache import VectorFile


def entry(seed: int, n_sentences: int = 2):
    rng = np.random.default_rng(seed)
    vector = rng.standard_normal(384).astype(np.float16).astype(np.float32)
    sentences = rng.standard_normal((n_sentences, 384)).astype(np.float16).astype(np.float32)
    spans = tuple((10 * k, 10 * k + 9) for k in range(n_sentences))
    return vector, spans, sentences


def same(a, b) -> bool:
    return (a[0] == b[0]).all() and a[1] == b[1] and (a[2] == b[2]).all()


def test_round_trip_by_model_and_text_hash(tmp_path):
    cache = VectorFile(tmp_path / "v.sqlite")
    cache.put("model-a", {"h1": entry(1), "h2": entry(2, 1)})
    cache.put("model-b", {"h1": entry(3)})
    found = cache.get("model-a", ["h1", "h2", "unknown"])
    assert set(found) == {"h1", "h2"}
    assert same(found["h1"], entry(1)) and same(found["h2"], entry(2, 1))
    assert same(cache.get("model-b", ["h1"])["h1"], entry(3))
    reopened = VectorFile(tmp_path / "v.sqlite").info()
    assert reopened.n_vectors == 3 and reopened.models == {"model-a": 2, "model-b": 1}


def write_many(args) -> int:
    path, worker = args
    cache = VectorFile(path)
    for start in range(0, 400, 20):  # overlapping keys: every worker writes every key
        cache.put("m", {f"h{k}": entry(k) for k in range(start, start + 20)})
        cache.get("m", [f"h{k}" for k in range(start, start + 20, 3)])
    return worker


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "v.sqlite"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        assert sorted(pool.map(write_many, [(path, w) for w in range(4)])) == [0, 1, 2, 3]
    cache = VectorFile(path)
    found = cache.get("m", [f"h{k}" for k in range(400)])
    assert len(found) == 400 and all(same(found[f"h{k}"], entry(k)) for k in (0, 199, 399))


def test_the_size_cap_drops_the_least_recently_used(tmp_path):
    cache = VectorFile(tmp_path / "v.sqlite", max_mb=1.0)
    cache.put("m", {"kept": entry(0)})
    cache.db.execute("UPDATE vectors SET used_at = used_at + 10000 WHERE text_hash = 'kept'")
    for start in range(0, 1500, 100):  # some 5 MB of vectors, written in batches
        cache.put("m", {f"h{k}": entry(k, 4) for k in range(start, start + 100)})
    assert cache.used_mb() <= 1.0
    assert "kept" in cache.get("m", ["kept"])  # used most recently
    assert "h0" not in cache.get("m", ["h0"])  # written first, never read
    assert 0 < cache.info().n_vectors < 1501


def test_clear_and_off(tmp_path):
    cache = VectorFile(tmp_path / "v.sqlite")
    cache.put("m", {"h": entry(1)})
    assert cache.clear() == 1 and cache.info().n_vectors == 0
    off = VectorFile(tmp_path / "off.sqlite", max_mb=0)
    off.put("m", {"h": entry(1)})
    assert off.get("m", ["h"]) == {} and not (tmp_path / "off.sqlite").exists()
