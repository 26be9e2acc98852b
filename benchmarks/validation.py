"""Validation benchmark: the shipped default coder against people on documents it never saw,
and rules, embedding and ensemble coders against the first dev gold set.

Part 1 (issue 8): the packaged default codebook's trained model (`trained.v1`) and the rules
coder on the test documents of the six-dimension gold set (`gold/splits.json`), with
95 % bootstrap intervals over documents, against the targets and coder-coder agreement.
Writes the `shipped` section of benchmarks/results/validation.json, docs/validation-shipped.md
and the validation card shipped beside the model (models/international_ai/validation.json,
which reports show when a user has no validation of their own); `--shipped` runs this part
only. Part 2 (issue 3) follows.

Embedding and ensemble thresholds are chosen by 5-fold cross-validation grouped by document:
no item is scored with a threshold fitted on it. Figures are reported on all gold items and on
the held-out 30 % whose errors were never looked at while the codebook's patterns were written
(split by a hash of the item id). Writes benchmarks/results/validation.json and
docs/validation-results.md.

Targets (issue 3): domain macro-F1 >= 0.80, approach macro-F1 >= 0.75, security and cooperation
F1 >= 0.80, force accuracy >= 0.85.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import _gold
import numpy as np
from _common import ROOT, require_corpus, save

import accord
from accord.coding.registry import make_coder
from accord.validation.calibration import cross_validate, evaluate, score_items
from accord.validation.gold import load_gold, resolve_texts
from accord.validation.training import gold_items, read_splits

GOLD = ROOT / "gold" / "dev_shared_corpus.jsonl"
TARGETS = {
    "domain": ("macro_f1", 0.80),
    "approach": ("macro_f1", 0.75),
    "security": ("f1", 0.80),
    "cooperation": ("f1", 0.80),
    "force": ("accuracy", 0.85),
}
METHODS = ("rules", "embedding", "ensemble")


def is_held_out(item_id: str) -> bool:
    return int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 10 < 3


def headline(results: dict, dimension: str) -> float:
    metric, _ = TARGETS[dimension]
    scores = results[dimension]
    if metric == "f1":
        (category,) = [c for c, m in scores["categories"].items() if m["support"]]
        return scores["categories"][category]["f1"]
    return scores[metric]


SHIPPED_TARGETS = {
    "domain": 0.82,
    "approach": 0.80,
    "principle": 0.75,
    "security": 0.90,
    "cooperation": 0.85,
    "force": 0.88,
}


def shipped(corpus) -> dict:
    """The packaged default coder and the rules on the test documents."""
    codebook = accord.load_codebook()
    splits = read_splits(_gold.SPLITS)
    default = make_coder("trained", codebook)
    rules = make_coder("rules", codebook)
    result = {
        "codebook": codebook.digest()[:12],
        "model": codebook.model.sha256[:12] if codebook.model else None,
        "humans": _gold.human_agreement(codebook, corpus),
    }
    for split in ("test",):
        items, _ = gold_items([_gold.GOLD], codebook, corpus=corpus, splits=splits, use=[split])
        units = _gold.units_of(items)
        result[split] = {
            "items": len(items),
            "documents": len({i.group for i in items}),
            "trained": _gold.evaluate(codebook, items, default.code(units)),
            "rules": _gold.evaluate(codebook, items, rules.code(units)),
        }
    return result


def shipped_card(result: dict) -> dict:
    """The card reports show: headline figures per dimension, for each coder measured, with
    coder-coder agreement as the ceiling (accord/coding/cards.py reads it)."""
    codebook = accord.load_codebook()
    test = result["test"]

    def figures(scores: dict) -> dict:
        return {
            d: {"metric": s["metric"], "value": s["value"], "interval": s["interval"]}
            for d, s in scores.items()
            if d in SHIPPED_TARGETS
        }

    return {
        "codebook": codebook.name,
        "codebook_version": codebook.version,
        "codebook_digest": codebook.digest(),
        "model_sha256": codebook.model.sha256 if codebook.model else None,
        "test": {"passages": test["items"], "documents": test["documents"]},
        "description": "Passages of held-out test documents of the shared-corpus gold set "
        "(gold/splits.json), coded by two people; the model was trained on the other "
        "documents. 95 % bootstrap intervals over documents.",
        "source": "docs/validation-shipped.md, written by benchmarks/validation.py",
        "coders": {
            make_coder("trained", codebook).name: figures(test["trained"]),
            make_coder("rules", codebook).name: figures(test["rules"]),
        },
        "humans": figures(result["humans"]),
        "targets": SHIPPED_TARGETS,
    }


def write_shipped(corpus) -> dict:
    """Part 1: docs/validation-shipped.md and the shipped validation card."""
    from accord.coding.cards import card_path

    result = shipped(corpus)
    (ROOT / "docs" / "validation-shipped.md").write_text(_shipped_markdown(result), "utf-8")
    card = json.dumps(shipped_card(result), indent=1, sort_keys=True, ensure_ascii=False)
    Path(card_path()).write_text(card + "\n", "utf-8")
    return result


def _shipped_markdown(result: dict) -> str:
    test = result["test"]
    lines = [
        "# The shipped coder on documents it never saw (generated by `benchmarks/validation.py`)",
        "",
        f"Codebook {result['codebook']}, model {result['model']}. Test: {test['items']} passages "
        f"of {test['documents']} documents. 95 % bootstrap intervals over documents. "
        "Coder–coder: the two independent codings of the 673 double-coded passages.",
        "",
        "The shipped model was trained on the train and dev documents, so only the test "
        "documents are unseen; dev figures of a model trained on train alone are in "
        "validation-trained.md.",
        "",
        "| Dimension | Metric | Target | trained.v1, test | Met | Rules, test | Coder–coder |",
        "|---|---|---|---|---|---|---|",
    ]
    for dimension, target in SHIPPED_TARGETS.items():
        t, r = test["trained"][dimension], test["rules"][dimension]
        h = result["humans"][dimension]
        lines.append(
            f"| {dimension} | {t['metric']} | {target:.2f} | {t['value']:.3f} "
            f"({t['interval'][0]:.2f}–{t['interval'][1]:.2f}) | "
            f"{'yes' if t['value'] >= target else 'no'} | {r['value']:.3f} | "
            f"{h['value']:.3f} ({h['interval'][0]:.2f}–{h['interval'][1]:.2f}) |"
        )
    lines += [
        "",
        "## Per category, test documents: precision / recall / F1 (support)",
        "",
        "| Dimension | Category | trained.v1 | Rules |",
        "|---|---|---|---|",
    ]
    for dimension in SHIPPED_TARGETS:
        ours = test["trained"][dimension]["scores"]["categories"]
        theirs = test["rules"][dimension]["scores"]["categories"]
        for category, m in ours.items():
            if m["support"]:
                q = theirs[category]
                lines.append(
                    f"| {dimension} | {category} | {m['precision']:.2f} / {m['recall']:.2f} / "
                    f"{m['f1']:.2f} ({m['support']}) | {q['precision']:.2f} / "
                    f"{q['recall']:.2f} / {q['f1']:.2f} |"
                )
    return "\n".join(lines) + "\n"


def main(codebook_path: str | None = None, shipped_only: bool = False) -> None:
    corpus = require_corpus()
    shipped_result = write_shipped(corpus)
    if shipped_only:
        return
    shipped_codebook = accord.load_codebook(codebook_path)
    codebook = shipped_codebook.without_thresholds()  # thresholds are refitted in each fold
    gold = resolve_texts(load_gold(GOLD, codebook), corpus=corpus)
    scored = score_items(gold, codebook)
    predictions = cross_validate(scored, codebook)
    held_out = np.array([is_held_out(i) for i in scored.ids])
    everything = evaluate(scored, codebook, predictions)
    unseen = evaluate(scored, codebook, predictions, subset=held_out)
    rows = {}
    for dimension, (metric, target) in TARGETS.items():
        rows[dimension] = {
            "metric": metric,
            "target": target,
            **{f"{m}_all": round(headline(everything[m], dimension), 3) for m in METHODS},
            **{f"{m}_held_out": round(headline(unseen[m], dimension), 3) for m in METHODS},
        }
    result = {
        "gold_items": len(gold.items),
        "held_out_items": int(held_out.sum()),
        "skipped": len(gold.skipped),
        "codebook": shipped_codebook.digest()[:12],  # the digest results are stamped with
        "shipped": shipped_result,
        "headline": rows,
        "per_category": _per_category(everything),
    }
    save("validation", result)
    (ROOT / "docs" / "validation-results.md").write_text(_markdown(result), "utf-8")


def _per_category(results: dict) -> dict:
    table = {}
    for method in METHODS:
        for dimension, scores in results[method].items():
            for category, m in scores.get("categories", {}).items():
                if m["support"]:
                    table.setdefault(dimension, {}).setdefault(category, {})[method] = {
                        k: round(m[k], 3) for k in ("precision", "recall", "f1")
                    }
                    table[dimension][category]["support"] = m["support"]
    return table


def _markdown(result: dict) -> str:
    lines = [
        "# Validation results (generated by `benchmarks/validation.py`)",
        "",
        f"Dev gold set: {result['gold_items']} passages of the shared corpus "
        f"({result['held_out_items']} held out), codebook {result['codebook']}. "
        "Thresholds by 5-fold cross-validation grouped by document.",
        "",
        "| Dimension | Metric | Target | Rules | Embedding | Ensemble | Rules (held out) | "
        "Embedding (held out) | Ensemble (held out) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for dimension, row in result["headline"].items():
        lines.append(
            f"| {dimension} | {row['metric']} | {row['target']:.2f} | "
            + " | ".join(f"{row[f'{m}_all']:.3f}" for m in METHODS)
            + " | "
            + " | ".join(f"{row[f'{m}_held_out']:.3f}" for m in METHODS)
            + " |"
        )
    lines += [
        "",
        "## Per category (all items): precision / recall / F1",
        "",
        "| Dimension | Category | Support | Rules | Embedding | Ensemble |",
        "|---|---|---|---|---|---|",
    ]
    for dimension, categories in result["per_category"].items():
        for category, values in categories.items():
            cells = [
                f"{values[m]['precision']:.2f} / {values[m]['recall']:.2f} / {values[m]['f1']:.2f}"
                for m in METHODS
            ]
            lines.append(
                f"| {dimension} | {category} | {values['support']} | " + " | ".join(cells) + " |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--shipped"]
    main(arguments[0] if arguments else None, shipped_only="--shipped" in sys.argv[1:])
