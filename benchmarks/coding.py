"""Coding speed on the shared corpus.

- rules: the rules coder over every passage (target < 5 s);
- embedding: EmbeddingCoder (no cache) against raw SentenceTransformer.encode on the same
  passages in the same run (target >= 90 % of raw throughput);
- warm cache: re-coding every passage with the ensemble after a codebook change, embeddings
  already cached (target < 5 s); and `accord code` when nothing changed.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from _common import require_corpus, save, timer

import accord
from accord.coding.embedding import BATCH_SIZE, EmbeddingCoder, Encoder
from accord.coding.rules import RulesCoder
from accord.model.coding import CodingUnit

EMBED_SAMPLE = 1000  # passages for the throughput comparison (about 20 s each way)


def main() -> None:
    corpus = require_corpus()
    times: dict[str, float] = {}
    codebook = accord.load_codebook()
    with tempfile.TemporaryDirectory() as tmp:
        store = accord.open_store(Path(tmp) / "bench.db")
        accord.ingest(store, corpus / "texts", manifest=corpus / "manifest.csv")
        units = [CodingUnit(p.id, p.text) for p in store.iter_passages()]
        rules = RulesCoder(codebook)
        with timer("rules_coder_s", times):
            rules.code(units)
        with timer("accord_code_rules_s", times):
            accord.code(store, codebook, coder="rules")
        sample = random.Random(0).sample([u.text for u in units], min(EMBED_SAMPLE, len(units)))
        encoder = Encoder()
        model = encoder.model  # load before timing
        with timer("raw_encode_s", times):
            model.encode(sample, batch_size=BATCH_SIZE, show_progress_bar=False)
        coder = EmbeddingCoder(codebook, encoder=encoder)
        with timer("embedding_coder_s", times):
            coder.code([CodingUnit(str(k), t) for k, t in enumerate(sample)])
        with timer("ensemble_cold_all_passages_s", times):
            accord.code(store, codebook, coder="ensemble")
        with timer("ensemble_nothing_new_s", times):
            accord.code(store, codebook, coder="ensemble")
        changed = codebook.model_copy(update={"version": codebook.version + "-bench"})
        with timer("ensemble_warm_cache_recode_all_s", times):
            report = accord.code(store, changed, coder="ensemble")
    save(
        "coding",
        {
            "passages": len(units),
            "embedding_sample": len(sample),
            **times,
            "recoded_warm": report.n_coded,
            "embedding_throughput_ratio": round(
                times["raw_encode_s"] / times["embedding_coder_s"], 3
            ),
            "targets": {
                "rules_coder_s": "< 5",
                "embedding_throughput_ratio": ">= 0.9",
                "ensemble_warm_cache_recode_all_s": "< 5",
            },
        },
    )


if __name__ == "__main__":
    sys.exit(main())
