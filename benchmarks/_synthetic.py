"""A synthetic corpus at any scale, recombined from the paragraphs of our own demo corpus.

Each synthetic document has a "home" demo document (round robin over the 45): it takes that
document's organisation, year and type, and mostly that document's paragraphs, with a share
of paragraphs from other demo documents, shuffled, until it reaches its length. Lengths vary
around the mean the target needs. Everything is drawn from one seeded generator, so the same
arguments give the same files byte for byte.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEMO_MANIFEST = "data/demo/manifest.csv"
WORDS_PER_DOCUMENT = 14_300  # the paper's 714 documents, about 10 M words
HOME_SHARE = 0.7  # paragraphs drawn from the document's own demo source
SEED = 20240714


@dataclass(frozen=True)
class Source:
    organisation: str
    title: str
    year: str
    document_type: str
    paragraphs: tuple[str, ...]
    words: tuple[int, ...]


def demo_sources() -> list[Source]:
    demo = Path(str(resources.files("accord").joinpath(DEMO_MANIFEST))).parent
    sources = []
    with (demo / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (demo / row["path"]).read_text(encoding="utf-8")
            # The first heading and the "paraphrased digest" note describe the demo file.
            blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
            kept = tuple(b for b in blocks[1:] if not b.startswith(">"))
            sources.append(
                Source(
                    row["organisation"],
                    row["title"],
                    row["year"],
                    row["document_type"],
                    kept,
                    tuple(len(b.split()) for b in kept),
                )
            )
    return sources


def build_corpus(folder: Path, target_words: int, seed: int = SEED) -> dict:
    """Write the corpus (``.md`` files and a manifest) unless ``folder`` already holds it;
    returns its description (documents, words)."""
    stamp = folder / "corpus.json"
    if stamp.is_file():
        described = json.loads(stamp.read_text())
        if described["target_words"] == target_words and described["seed"] == seed:
            return described
    folder.mkdir(parents=True, exist_ok=True)
    sources = demo_sources()
    rng = random.Random(seed)
    n_documents = max(len(sources), round(target_words / WORDS_PER_DOCUMENT))
    mean = target_words / n_documents
    total = 0
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "path", "organisation", "title", "year", "document_type"])
        for k in range(n_documents):
            home = sources[k % len(sources)]
            length = int(mean * rng.uniform(0.5, 1.5))
            body, words = _paragraphs(rng, home, sources, length)
            name = f"doc-{k:04d}.md"
            title = f"{home.title} (synthetic edition {k})"
            text = f"# {title}\n\n" + "\n\n".join(body) + "\n"
            (folder / name).write_text(text, encoding="utf-8")
            writer.writerow(
                [
                    f"synthetic-{k:04d}",
                    name,
                    home.organisation,
                    title,
                    home.year,
                    home.document_type,
                ]
            )
            total += words
    described = {
        "target_words": target_words,
        "seed": seed,
        "documents": n_documents,
        "words": total,
        "institutions": len({s.organisation for s in sources}),
    }
    stamp.write_text(json.dumps(described, indent=1) + "\n")
    return described


def _paragraphs(rng: random.Random, home: Source, sources: list[Source], length: int):
    body, words = [], 0
    while words < length:
        source = home if rng.random() < HOME_SHARE else rng.choice(sources)
        index = rng.randrange(len(source.paragraphs))
        body.append(source.paragraphs[index])
        words += source.words[index]
    return body, words
