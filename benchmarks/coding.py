"""Coding speed on the shared corpus.

- trained: the default coder (trained.v1) over every passage, cold (model read from disk),
  alternating with the rules coder, best of ROUNDS each (target <= 120 s), their ratio, the
  time of `accord code` with the default coder into a fresh store, and the old ensemble's cold
  time projected from its measured throughput;
- rules: the rules coder over every passage (target < 5 s), best of ROUNDS runs, and one
  run in a single process for comparison;
- embedding: EmbeddingCoder (no cache) against raw SentenceTransformer.encode on the same
  passages in the same run, alternating, best of ROUNDS each (target >= 90 % of raw
  throughput);
- warm store: `accord code` (default coder) when nothing changed, and re-coding after codebook
  edits: an edit of the non-substantive gate (every dimension re-coded), of one domain pattern
  (the domain dimension re-coded, the others kept), and of the version string alone (nothing
  re-coded). The warm runs use a copy of benchmarks/results/shared.db (made by findings.py).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, require_corpus, save, timer

import accord
from accord.coding import trained
from accord.coding.embedding import BATCH_SIZE, EmbeddingCoder, Encoder
from accord.coding.registry import make_coder
from accord.coding.rules import RulesCoder
from accord.model.coding import CodingUnit

EMBED_SAMPLE = 400  # passages for the throughput comparison (about 10 s each way)
ROUNDS = 3  # alternating rounds; the best of each is compared (shared CPUs are noisy)


def main() -> None:
    corpus = require_corpus()
    times: dict[str, float] = {}
    codebook = accord.load_codebook()
    with tempfile.TemporaryDirectory() as tmp:
        store = accord.open_store(Path(tmp) / "bench.db")
        accord.ingest(store, corpus / "texts", manifest=corpus / "manifest.csv")
        units = [CodingUnit(p.id, p.text) for p in store.iter_passages()]
        rules = RulesCoder(codebook)
        rules_runs = [_seconds(lambda: rules.code(units)) for _ in range(ROUNDS)]
        times["rules_coder_s"] = min(rules_runs)
        times["rules_coder_serial_s"] = _seconds(lambda: [rules.code_one(u) for u in units])
        # The default (trained.v1) coding every passage cold, model load included, alternating
        # with the rules coder in the same run.
        trained_runs, rules_alternate = [], []
        for _ in range(ROUNDS):
            trained_runs.append(_seconds(lambda: _cold_trained(codebook).code(units)))
            rules_alternate.append(_seconds(lambda: rules.code(units)))
        times["trained_coder_cold_s"] = min(trained_runs)
        times["rules_coder_alternating_s"] = min(rules_alternate)
        with timer("accord_code_default_s", times):
            default_report = accord.code(store, codebook)
        with timer("accord_code_rules_s", times):
            accord.code(store, codebook, coder="rules")
        sample = random.Random(0).sample([u.text for u in units], min(EMBED_SAMPLE, len(units)))
        encoder = Encoder()
        model = encoder.model  # load before timing
        coder = EmbeddingCoder(codebook, encoder=encoder)
        sample_units = [CodingUnit(str(k), t) for k, t in enumerate(sample)]
        raw_runs, coder_runs = [], []
        for _ in range(ROUNDS):
            raw_runs.append(
                _seconds(
                    lambda: model.encode(sample, batch_size=BATCH_SIZE, show_progress_bar=False)
                )
            )
            coder_runs.append(_seconds(lambda: coder.code(sample_units)))
        times["raw_encode_s"], times["embedding_coder_s"] = min(raw_runs), min(coder_runs)
        recoded = None
        if (RESULTS / "shared.db").exists():
            copy = Path(tmp) / "warm.db"
            shutil.copy(RESULTS / "shared.db", copy)
            warm = accord.open_store(copy)
            accord.code(warm, codebook)  # finish anything not yet coded (default coder)
            with timer("default_nothing_new_s", times):
                accord.code(warm, codebook)
            # Three codebook edits, each timed on the warm store: a gate edit re-codes every
            # dimension; a domain pattern added re-codes the domain dimension only; a new
            # version string alone re-codes nothing (codes of unchanged dimensions are kept).
            gate = codebook.non_substantive.model_copy(
                update={"min_matches": codebook.non_substantive.min_matches + 1}
            )
            for label, edited in [
                (
                    "default_warm_recode_all_s",
                    codebook.model_copy(update={"non_substantive": gate}),
                ),
                ("default_warm_one_dimension_s", _add_domain_pattern(codebook)),
                (
                    "default_warm_version_only_s",
                    codebook.model_copy(update={"version": "bench"}),
                ),
            ]:
                with timer(label, times):
                    recoded = accord.code(warm, edited).n_coded
    save(
        "coding",
        {
            "passages": len(units),
            "rounds": ROUNDS,
            "rules_coder_runs_s": rules_runs,
            "raw_encode_runs_s": raw_runs,
            "embedding_coder_runs_s": coder_runs,
            "embedding_sample": len(sample),
            **times,
            "recoded_warm": recoded,
            "default_coder": default_report.coder,
            "trained_coder_runs_s": trained_runs,
            "rules_alternating_runs_s": rules_alternate,
            "trained_to_rules_ratio": round(
                times["trained_coder_cold_s"] / times["rules_coder_alternating_s"], 2
            ),
            # The old default needs MiniLM for every passage: its cold time on the corpus,
            # projected from the embedding coder's measured throughput on the sample.
            "ensemble_cold_projected_s": round(
                len(units) * times["embedding_coder_s"] / len(sample), 1
            ),
            "embedding_throughput_ratio": round(
                times["raw_encode_s"] / times["embedding_coder_s"], 3
            ),
            "targets": {
                "rules_coder_s": "< 5",
                "trained_coder_cold_s": "<= 120",
                "embedding_throughput_ratio": ">= 0.9",
                "default_warm_recode_all_s": "< 5 (strict reading)",
                "default_nothing_new_s": "< 5",
            },
        },
    )


def _cold_trained(codebook):
    """A trained coder with its model read from disk again (nothing cached)."""
    trained._MODELS.clear()
    return make_coder("trained", codebook)


def _add_domain_pattern(codebook):
    data = codebook.model_dump()
    domain = next(d for d in data["dimensions"] if d["id"] == "domain")
    domain["categories"][0]["patterns"].append("benchmark edit")
    return type(codebook).model_validate({**data, "version": "bench-domain"})


def _seconds(work) -> float:
    start = time.perf_counter()
    work()
    return round(time.perf_counter() - start, 3)


if __name__ == "__main__":
    sys.exit(main())
