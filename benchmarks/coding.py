"""Coding speed on the shared corpus.

- rules: the rules coder over every passage (target < 5 s);
- embedding: EmbeddingCoder (no cache) against raw SentenceTransformer.encode on the same
  passages in the same run (target >= 90 % of raw throughput);
- warm cache: `accord code` when nothing changed, and re-coding every passage with the
  ensemble after a codebook change with every vector cached (target < 5 s). The warm runs use
  a copy of benchmarks/results/shared.db (made by findings.py), whose vectors are cached.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from pathlib import Path

from _common import RESULTS, require_corpus, save, timer

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
        recoded = None
        if (RESULTS / "shared.db").exists():
            copy = Path(tmp) / "warm.db"
            shutil.copy(RESULTS / "shared.db", copy)
            warm = accord.open_store(copy)
            accord.code(warm, codebook, coder="ensemble")  # finish anything not yet coded
            with timer("ensemble_nothing_new_s", times):
                accord.code(warm, codebook, coder="ensemble")
            changed = codebook.model_copy(update={"version": codebook.version + "-bench"})
            with timer("ensemble_warm_cache_recode_all_s", times):
                recoded = accord.code(warm, changed, coder="ensemble").n_coded
    save(
        "coding",
        {
            "passages": len(units),
            "embedding_sample": len(sample),
            **times,
            "recoded_warm": recoded,
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
