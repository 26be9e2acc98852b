"""Merge the coders' files into the committed gold files (no corpus text: offsets and hashes).

    python gold/merge_codings.py WORKDIR

WORKDIR is what `gold/make_gold.py` wrote, plus one `out-coder-N.jsonl` per coder and, after
adjudication, `adjudicated*.jsonl` (one record per double-coded item the two coders disagreed
on). Writes:

- `gold/gold_shared_corpus.jsonl`: one record per passage with its final labels (the first
  coder's, or the adjudicated ones where the two coders disagreed);
- `gold/gold_shared_corpus_double.jsonl`: both independent codings of every double-coded
  passage (two records per id), for coder-coder agreement.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEYS = ("id", "document_id", "char_start", "char_end", "text_sha256", "stratum", "split")
DIMENSIONS = ("domain", "approach", "principle", "security", "cooperation", "force")


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def canonical(labels: dict) -> dict:
    return {d: sorted(set(labels.get(d, []))) for d in DIMENSIONS}


def main(work: Path) -> None:
    here = Path(__file__).parent
    candidates = {c["id"]: c for c in read_jsonl(work / "candidates.jsonl")}
    roles: dict[tuple[str, str], str] = {}
    codings: dict[str, dict[str, dict]] = {}  # item -> role -> record
    for batch in sorted(work.glob("batch-coder-*.jsonl")):
        coder = batch.stem.removeprefix("batch-")
        for item in read_jsonl(batch):
            roles[(item["id"], coder)] = item["role"]
        for record in read_jsonl(work / f"out-{coder}.jsonl"):
            role = roles.get((record["id"], coder))
            if role is None:
                continue
            codings.setdefault(record["id"], {})[role] = {
                "coder": coder,
                "labels": canonical(record["labels"]),
                "note": record.get("note", ""),
            }
    adjudicated = {
        r["id"]: r for path in sorted(work.glob("adjudicated*.jsonl")) for r in read_jsonl(path)
    }
    final, double = [], []
    for item_id in sorted(codings):
        coded = codings[item_id]
        if "first" not in coded:
            continue
        base = {k: candidates[item_id][k] for k in KEYS}
        chosen = coded["first"]
        if "second" in coded:
            double += [{**base, **coded["first"]}, {**base, **coded["second"]}]
            if coded["second"]["labels"] != chosen["labels"] and item_id in adjudicated:
                record = adjudicated[item_id]
                chosen = {
                    "coder": "adjudicated",
                    "labels": canonical(record["labels"]),
                    "note": record.get("note", ""),
                }
        final.append({**base, **chosen})
    write(here / "gold_shared_corpus.jsonl", final)
    write(here / "gold_shared_corpus_double.jsonl", double)
    print(f"{len(final)} passages, {len(double) // 2} double-coded, {len(adjudicated)} adjudicated")


def write(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
