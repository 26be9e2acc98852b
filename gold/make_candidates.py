"""Draw the candidate passages of the dev gold set from the shared corpus texts.

The gold set refers to passages by manifest id and character offsets into the corpus `.txt`
file, with a SHA-256 of the span, so the repository never holds the corpus text. This script
is the record of how the sample was drawn: half at random within every document, half from
paragraphs that mention a sector word, so that every domain has some support.

Usage: python gold/make_candidates.py ../shared/corpus OUT.jsonl
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20261125
RANDOM_PER_DOCUMENT = 3
ENRICHED_PER_DOMAIN = 12
MIN_WORDS, MAX_WORDS = 25, 220

# Broad sector cues, only to enrich the sample; the gold labels come from people reading.
SECTOR_CUES = {
    "agriculture_food": r"agricultur|farm|food|crop|fisher",
    "education": r"educat|school|teacher|student|curricul",
    "health": r"health|medical|patient|clinic",
    "environment_climate": r"climate|environment|biodiversity|disaster",
    "cybersecurity": r"cyber|adversarial|vulnerabilit",
    "defence_military": r"military|weapon|armed|warfare",
    "law_enforcement_justice": r"police|policing|judicial|court|criminal|border",
    "public_administration": r"public sector|public service|government service|procurement|public administration",
    "trade_industry": r"trade|SME|industr|market|competition",
    "labour_employment": r"labour|labor|worker|employment|jobs",
    "finance": r"financ|bank|payment|credit|insurance",
    "information_media": r"media|disinformation|misinformation|journalis|election",
    "science_research": r"scientific|research infrastructure|science",
    "transport_mobility": r"transport|vehicle|aviation|maritime|mobility",
    "energy_infrastructure": r"energy|critical infrastructure|electricity|telecommunication",
    "humanitarian_development": r"sustainable development|humanitarian|poverty|digital divide",
}


def paragraphs(text: str):
    """Yield (start, end) of blank-line separated blocks of prose."""
    for match in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        block = match.group(0)
        words = block.split()
        if not MIN_WORDS <= len(words) <= MAX_WORDS:
            continue
        letters = sum(ch.isalpha() for ch in block)
        if letters < 0.7 * len(block.replace(" ", "").replace("\n", "")):
            continue
        yield match.start(), match.end()


def main(corpus: Path, out: Path) -> None:
    rng = random.Random(SEED)
    rows = list(csv.DictReader((corpus / "manifest.csv").open(encoding="utf-8")))
    blocks = []
    for row in rows:
        text = (corpus / row["path"]).read_text(encoding="utf-8")
        for start, end in paragraphs(text):
            blocks.append((row["id"], start, end, text[start:end]))
    chosen: dict[tuple[str, int], tuple] = {}
    by_doc: dict[str, list] = {}
    for block in blocks:
        by_doc.setdefault(block[0], []).append(block)
    for doc_blocks in by_doc.values():
        for block in rng.sample(doc_blocks, min(RANDOM_PER_DOCUMENT, len(doc_blocks))):
            chosen[(block[0], block[1])] = block + ("random",)
    for domain, cue in SECTOR_CUES.items():
        pattern = re.compile(cue, re.IGNORECASE)
        hits = [b for b in blocks if pattern.search(b[3]) and (b[0], b[1]) not in chosen]
        for block in rng.sample(hits, min(ENRICHED_PER_DOMAIN, len(hits))):
            chosen[(block[0], block[1])] = block + (f"enriched:{domain}",)
    items = sorted(chosen.values(), key=lambda b: (b[0], b[1]))
    rng.shuffle(items)
    with out.open("w", encoding="utf-8") as fh:
        for n, (doc_id, start, end, text, stratum) in enumerate(items, 1):
            record = {
                "id": f"g{n:04d}",
                "document_id": doc_id,
                "char_start": start,
                "char_end": end,
                "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "stratum": stratum,
                "text": text,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(items)} candidates written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
