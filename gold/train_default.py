"""Train the model the default codebook ships with, and point the codebook at it.

    python gold/train_default.py ../shared/corpus

Trains `trained.v1` with the default settings (`TrainSettings()`, chosen by
`benchmarks/trained_models.py`) on the train and dev documents of `gold/splits.json` (both
gold files), never on the test documents. Writes `src/accord/models/international_ai/` and
rewrites `src/accord/codebooks/international_ai.yaml` with the model's path and hash.
"""

from __future__ import annotations

import sys
from pathlib import Path

import accord
from accord.coding.codebooks import default_codebook_path
from accord.validation.training import train

ROOT = Path(__file__).resolve().parents[1]
GOLD = [ROOT / "gold" / "gold_shared_corpus.jsonl", ROOT / "gold" / "dev_shared_corpus.jsonl"]
MODEL_DIR = ROOT / "src" / "accord" / "models" / "international_ai"


def main(corpus: Path) -> None:
    codebook_path = default_codebook_path()
    report = train(
        GOLD,
        accord.load_codebook(codebook_path),
        MODEL_DIR,
        corpus=corpus,
        splits_path=ROOT / "gold" / "splits.json",
        use=("train", "dev"),
        codebook_out=codebook_path,
    )
    print(report)
    for dimension, scores in report.cv.items():
        print(f"  {dimension}: cross-validated macro-F1 {scores['macro_f1']:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
