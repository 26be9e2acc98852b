"""Which trained coder to ship: options compared on the same document splits.

Every option is trained on the train documents of `gold/splits.json` (the six-dimension gold
set plus the first dev set's train-document passages) and scored on the dev documents and
the test documents, which no option, pattern or threshold was fitted on:

- a: TF-IDF word + character n-grams, linear model;
- b: frozen MiniLM passage vectors, linear model;
- c: a plus the rules' cue scores;  c': b plus the cue scores;
- d: a static model distilled offline from the bundled MiniLM (model2vec), linear model;
  d': d plus TF-IDF and cue scores;
- baselines: the rules coder and the old ensemble (rules + MiniLM similarity).

The default is the option with the best selection score among those that code the shared
corpus cold in <= 120 s (projected from passages/s measured on a sample of its passages): the
mean of its six headline figures in a cross-validation grouped by document over the train and
dev documents together (45 documents), options within 0.005 of the best going to the simplest.
The rules have no folds: their figure is scored directly on those passages (and flatters them:
their patterns were revised on passages of those documents). Test figures are reported for every
option, never used to choose. (An earlier rule, the mean of train-only CV and dev figures, chose
the stacked option e; trained on train + dev it proved unstable, and the rule was changed to the
one above after the test figures had been seen: see docs/validation.md.)
The chosen option's train + dev model (the one its selection score cross-validated) is what
ships; its test figures are the ones docs/validation.md quotes. Writes
benchmarks/results/trained_models.json and docs/validation-trained.md.

    python benchmarks/trained_models.py [--quick]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, require_corpus, save
from _gold import FIRST_DEV, GOLD, SPLITS, evaluate, human_agreement, units_of

import accord
from accord.coding.embedding import PassageVectors
from accord.coding.ensemble import EnsembleCoder
from accord.coding.rules import RulesCoder
from accord.coding.trained import TrainedCoder
from accord.coding.training import TrainSettings, fit_model
from accord.model.coding import CodingUnit
from accord.validation.quality import headline
from accord.validation.training import gold_items, read_splits, training_set

COLD_LIMIT_S = 120.0
SHARED_PASSAGES = 28227  # passages of the shared corpus (accord info)
SPEED_SAMPLE = {"fast": 2000, "minilm": 200}
OPTIONS = {
    "a: TF-IDF": TrainSettings(use_cues=False),
    "b: MiniLM": TrainSettings(blocks=(), dense="minilm", use_cues=False),
    "c: TF-IDF + cues": TrainSettings(),
    "c': MiniLM + cues": TrainSettings(blocks=(), dense="minilm"),
    "d: static": TrainSettings(blocks=(), dense="static", use_cues=False),
    "d': static + TF-IDF + cues": TrainSettings(dense="static"),
    "e: c stacked (n-gram model, then cues)": TrainSettings(stack=True, C=2.0),
}
DEFAULT_OPTION = "c: TF-IDF + cues"  # what TrainSettings() trains; checked against the result
# Ties (selection within TIE of the best) go to the option with fewer moving parts.
SIMPLEST_FIRST = [
    "rules",
    "a: TF-IDF",
    "c: TF-IDF + cues",
    "e: c stacked (n-gram model, then cues)",
    "d: static",
    "d': static + TF-IDF + cues",
    "b: MiniLM",
    "c': MiniLM + cues",
]
TIE = 0.005


class MemoryCache:
    """MiniLM vectors kept in memory for the run (the VectorCache protocol)."""

    def __init__(self) -> None:
        self.items: dict[str, PassageVectors] = {}

    def get_many(self, keys):
        return {k: self.items[k] for k in keys if k in self.items}

    def put_many(self, items):
        self.items.update(items)


def speed(make_coder, texts: list[str]) -> float:
    """Passages per second, coding cold (a new coder, nothing cached)."""
    coder = make_coder()
    units = [CodingUnit(str(k), t) for k, t in enumerate(texts)]
    start = time.perf_counter()
    coder.code(units)
    return len(units) / (time.perf_counter() - start)


def sample_passages(corpus: Path, n: int) -> list[str]:
    import random

    with tempfile.TemporaryDirectory() as tmp:
        store = accord.open_store(Path(tmp) / "speed.db")
        accord.ingest(store, corpus / "texts", manifest=corpus / "manifest.csv")
        texts = [p.text for p in store.iter_passages()]
    return random.Random(0).sample(texts, min(n, len(texts)))


def model_bytes(model, folder: Path) -> int:
    model.save(folder)
    return sum(f.stat().st_size for f in folder.iterdir())


def main(quick: bool = False) -> None:
    corpus = require_corpus()
    codebook = accord.load_codebook()
    splits = read_splits(SPLITS)
    both = [GOLD, FIRST_DEV]
    train_items, _ = gold_items(both, codebook, corpus=corpus, splits=splits, use=["train"])
    dev_items, _ = gold_items([GOLD], codebook, corpus=corpus, splits=splits, use=["dev"])
    test_items, _ = gold_items([GOLD], codebook, corpus=corpus, splits=splits, use=["test"])
    fit_items, _ = gold_items(both, codebook, corpus=corpus, splits=splits, use=["train", "dev"])
    cache = MemoryCache()
    options = dict(list(OPTIONS.items())[:1]) if quick else OPTIONS
    sample = sample_passages(corpus, SPEED_SAMPLE["fast"])
    result: dict = {
        "items": {"train": len(train_items), "dev": len(dev_items), "test": len(test_items)},
        "documents": {
            "train": len({i.group for i in train_items}),
            "dev": len({i.group for i in dev_items}),
            "test": len({i.group for i in test_items}),
        },
        "options": {},
    }
    rules = RulesCoder(codebook)
    result["options"]["rules"] = {
        "dev": evaluate(codebook, dev_items, rules.code(units_of(dev_items))),
        "test": evaluate(codebook, test_items, rules.code(units_of(test_items))),
        "passages_per_s": round(speed(lambda: RulesCoder(codebook), sample), 1),
        "model_bytes": 0,
    }
    if not quick:
        ensemble = EnsembleCoder(codebook, cache)
        result["options"]["ensemble (old default)"] = {
            "dev": evaluate(codebook, dev_items, ensemble.code(units_of(dev_items))),
            "test": evaluate(codebook, test_items, ensemble.code(units_of(test_items))),
            "passages_per_s": round(
                speed(lambda: EnsembleCoder(codebook), sample[: SPEED_SAMPLE["minilm"]]), 1
            ),
            "model_bytes": 0,
        }
    data = training_set(train_items, codebook)
    fit_data = training_set(fit_items, codebook)
    dimensions = codebook.dimensions
    shipped_candidates = {}
    for name, settings in options.items():
        started = time.perf_counter()
        encode = _encoder(settings, cache)
        model, cv = fit_model(data, codebook, settings, encode)
        fit_s = time.perf_counter() - started
        coder = TrainedCoder(codebook, cache, model=model)
        n_speed = SPEED_SAMPLE["minilm" if settings.dense == "minilm" else "fast"]
        with tempfile.TemporaryDirectory() as tmp:
            size = model_bytes(model, Path(tmp))
        # The same option trained on train + dev documents: its grouped CV chooses, and it is
        # what would ship.
        final_model, final_cv = fit_model(fit_data, codebook, settings, encode)
        shipped_candidates[name] = TrainedCoder(codebook, cache, model=final_model)
        result["options"][name] = {
            "settings": settings.__dict__,
            "fit_s": round(fit_s, 1),
            "cv": _cv_figures(dimensions, cv),
            "cv_fit": _cv_figures(dimensions, final_cv),
            "dev": evaluate(codebook, dev_items, coder.code(units_of(dev_items))),
            "test": evaluate(codebook, test_items, coder.code(units_of(test_items))),
            "passages_per_s": round(
                speed(lambda m=model: TrainedCoder(codebook, None, model=m), sample[:n_speed]), 1
            ),
            "model_bytes": size,
        }
        print(name, flush=True)
    result["options"]["rules"]["cv_fit"] = {
        d: v["value"]
        for d, v in evaluate(codebook, fit_items, rules.code(units_of(fit_items))).items()
    }
    for option in result["options"].values():
        option["cold_shared_corpus_s"] = round(SHARED_PASSAGES / option["passages_per_s"], 1)
        option["dev_mean"] = _mean(option["dev"])
        option["test_mean"] = _mean(option["test"])
        if "cv_fit" in option:
            option["selection"] = round(sum(option["cv_fit"].values()) / len(dimensions), 3)
    eligible = [
        n
        for n in SIMPLEST_FIRST
        if n in result["options"]
        and "selection" in result["options"][n]
        and result["options"][n]["cold_shared_corpus_s"] <= COLD_LIMIT_S
    ]
    best = max(result["options"][n]["selection"] for n in eligible)
    chosen = next(n for n in eligible if result["options"][n]["selection"] >= best - TIE)
    result["chosen"] = chosen
    result["default_option"] = DEFAULT_OPTION
    if chosen != DEFAULT_OPTION:
        print(f"NOTE: chosen {chosen}, but TrainSettings() trains {DEFAULT_OPTION}", flush=True)
    final = shipped_candidates.get(chosen)
    result["shipped_test"] = (
        evaluate(codebook, test_items, final.code(units_of(test_items)))
        if final
        else result["options"][chosen]["test"]
    )
    result["humans"] = human_agreement(codebook, corpus)
    save("trained_models", result)
    (ROOT / "docs" / "validation-trained.md").write_text(_markdown(result), "utf-8")


def _encoder(settings: TrainSettings, cache: MemoryCache):
    if settings.dense is None:
        return None
    from accord.coding.dense import encoder_for

    return encoder_for(settings.dense, cache)


def _cv_figures(dimensions, cv) -> dict[str, float]:
    return {d.id: round(headline(d, cv.truth[d.id], cv.predicted[d.id]), 3) for d in dimensions}


def _mean(evaluation: dict) -> float:
    return round(sum(v["value"] for v in evaluation.values()) / len(evaluation), 3)


def _markdown(result: dict) -> str:
    dims = list(result["shipped_test"])
    lines = [
        "# Trained coders compared (generated by `benchmarks/trained_models.py`)",
        "",
        f"Train {result['items']['train']} passages ({result['documents']['train']} documents), "
        f"dev {result['items']['dev']} ({result['documents']['dev']}), test "
        f"{result['items']['test']} ({result['documents']['test']}). Headline per dimension: "
        + ", ".join(f"{d} {result['shipped_test'][d]['metric']}" for d in dims)
        + ". Intervals: 95 % bootstrap over documents.",
        "",
        "## Test documents",
        "",
        "| Option | " + " | ".join(dims) + " | mean | passages/s | cold shared corpus | size |",
        "|---|" + "---|" * (len(dims) + 4),
    ]
    for name, option in result["options"].items():
        cells = [
            f"{option['test'][d]['value']:.3f} ({option['test'][d]['interval'][0]:.2f}–"
            f"{option['test'][d]['interval'][1]:.2f})"
            for d in dims
        ]
        lines.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {option['test_mean']:.3f} | {option['passages_per_s']:.0f} | "
            f"{option['cold_shared_corpus_s']:.0f} s | {option['model_bytes'] / 1e6:.1f} MB |"
        )
    lines += [
        "",
        "## Dev documents (trained on train) and train + dev cross-validation (chooses)",
        "",
    ]
    lines += [
        "| Option | " + " | ".join(dims) + " | dev mean | train+dev CV (selection) |",
        "|---|" + "---|" * (len(dims) + 2),
    ]
    for name, option in result["options"].items():
        cells = [f"{option['dev'][d]['value']:.3f}" for d in dims]
        lines.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {option['dev_mean']:.3f} | {option.get('selection', float('nan')):.3f} |"
        )
    lines += [
        "",
        f"Chosen: **{result['chosen']}**. Shipped model: that option trained on train + dev "
        "documents.",
        "",
        "## Shipped model on the test documents, against people",
        "",
        "| Dimension | Metric | Shipped model | Rules | Coder–coder |",
        "|---|---|---|---|---|",
    ]
    for d in dims:
        s, r, h = (
            result["shipped_test"][d],
            result["options"]["rules"]["test"][d],
            result["humans"][d],
        )
        lines.append(
            f"| {d} | {s['metric']} | {s['value']:.3f} ({s['interval'][0]:.2f}–"
            f"{s['interval'][1]:.2f}) | {r['value']:.3f} | {h['value']:.3f} "
            f"(n={h['n_items']}) |"
        )
    lines += [
        "",
        "Per category: validation-shipped.md (`benchmarks/validation.py`, the packaged model).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
