"""Draw the passages of the six-dimension gold set and fix its document splits.

The record of how `gold/gold_shared_corpus.jsonl` was sampled. Run once, before any model or
pattern work on the new set:

    python gold/make_gold.py ../shared/corpus WORKDIR
    python gold/make_gold.py ../shared/corpus WORKDIR --supplement CATEGORY,CATEGORY

It writes `gold/splits.json` (committed: which documents are train, dev and test) and, into
WORKDIR (never committed: it holds corpus text), `candidates.jsonl` with each passage's text,
heading and neighbours, and one `batch-K.jsonl` per coder. Labels point at passages by document
id, character offsets into the corpus `.txt` and the SHA-256 of the span.

Sampling (seeded): every document contributes random passages; then passages matching broad cue
words are drawn for every category of every dimension, so that rare categories have support;
then hard negatives (sector words in lists, "Security Council", preambular paragraphs). The cues
only shape the sample: the labels come from people reading the passages.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20261202
MIN_WORDS, MAX_WORDS = 10, 200
RANDOM_PER_DOCUMENT = 28
PER_CUE = {"domain": 50, "principle": 45, "approach": 30, "other": 34, "negative": 40}
N_CODERS = 8
DOUBLE_SHARE = 0.21
FIRST_CODER_NUMBER = 4  # coder-1..3 made the first dev set

# Documents whose texts overlap (versions, drafts, yearly resolutions) share a split, so a
# test passage never has a near-copy in training.
GROUPS = [
    ["oecd--recommendation-council-ai-2019", "oecd--recommendation-council-ai-amended-2024"],
    [
        "un-general-assembly--a-res-78-241-laws",
        "un-general-assembly--a-res-79-62-laws",
        "un-general-assembly--a-res-80-57-laws",
    ],
    ["un-ccw-gge-laws--draft-report-2023-crp1", "un-ccw-gge-laws--report-2019-ccw-gge1-2019-3"],
    [
        "international-ai-safety-report--interim-report-2024",
        "international-ai-safety-report--international-ai-safety-report-2025",
    ],
    [
        "eu--gpai-code-of-practice-first-draft-2024",
        "eu--gpai-code-of-practice-safety-security-2025",
        "eu--gpai-code-of-practice-transparency-2025",
        "eu--gpai-code-of-practice-copyright-2025",
    ],
    ["g7--hiroshima-code-of-conduct-2023", "g7--hiroshima-guiding-principles-2023"],
]

# Chosen from titles and types alone, before any labels existed: every kind of instrument
# (treaty, recommendation, resolutions, interpretive guidance, reports, a strategy) and
# sectors from education and health to defence and finance.
TEST_DOCUMENTS = [
    "council-of-europe--framework-convention-ai-cets-225-2024",
    "oecd--recommendation-council-ai-2019",
    "un-general-assembly--a-res-78-241-laws",
    "un-general-assembly--a-res-78-311-ai-capacity-building",
    "un-secretary-general--a-79-240-advisory-board-disarmament-2024",
    "unesco--ai-in-education-challenges-opportunities-2019",
    "itu--fg-ai4h-del04-ai-software-life-cycle-2023",
    "african-union--continental-ai-strategy-2024",
    "imf--wp-24-65-economic-impacts-regulation-ai-2024",
    "world-economic-forum--governance-in-the-age-of-generative-ai-2024",
    "unesco--challenging-systematic-prejudices-gender-bias-llms-2024",
    "bis--wp-1310-ai-agents-cash-management-payment-systems-2025",
    "eu--guidelines-gpai-obligations-2025",
    "eu--edps-techdispatch-explainable-ai-2023",
]
DEV_DOCUMENTS = [
    "unesco--gem-report-2023-summary-technology-in-education",
    "eu--draft-guidance-serious-incident-reporting-2025",
    "un-ecosoc--sti-forum-2025-co-chairs-summary",
    "world-economic-forum--ai-governance-journey-2021",
    "unoda--occasional-paper-42-governance-ai-military-2024",
    "multi-agency-ncsc-cisa--guidelines-secure-ai-system-development-2023",
    "un-women--explainer-ai-and-gender-equality-2024",
    "g7--hiroshima-code-of-conduct-2023",
]

CUES: dict[str, dict[str, str]] = {
    "domain": {
        "agriculture_food": r"agricultur|farm|food|crop|fisher|livestock",
        "education": r"educat|school|teacher|student|curricul|universit",
        "health": r"health|medical|patient|clinic|hospital",
        "environment_climate": r"climate|environment|biodiversity|disaster|emission",
        "cybersecurity": r"cyber|adversarial|vulnerabilit|malware|red.team",
        "defence_military": r"military|weapon|armed|warfare|defence|defense",
        "law_enforcement_justice": r"police|policing|judicial|court|criminal|border|"
        r"law enforcement",
        "public_administration": r"public sector|public service|government|procurement|"
        r"public administration|civil serv",
        "trade_industry": r"trade|SME|industr|market|competition|manufactur|enterprise",
        "labour_employment": r"labour|labor|worker|employment|jobs|workplace",
        "finance": r"financ|bank|payment|credit|insurance",
        "information_media": r"media|disinformation|misinformation|journalis|election|platform",
        "science_research": r"scientific|research infrastructure|science|researcher",
        "transport_mobility": r"transport|vehicle|aviation|maritime|mobility|logistic",
        "energy_infrastructure": r"energy|critical infrastructure|electricity|"
        r"telecommunication|grid",
        "humanitarian_development": r"sustainable development|humanitarian|poverty|digital divide|"
        r"developing countr|SDG",
    },
    "principle": {
        "transparency_explainability": r"transparen|explainab|interpretab|disclos",
        "accountability": r"accountab|liabil|redress|remed",
        "fairness_non_discrimination": r"\bbias|discriminat|fairness|equal treatment",
        "privacy_data_protection": r"privacy|personal data|data protection",
        "safety_robustness": r"safety|robust|reliab",
        "human_rights_dignity": r"human rights|fundamental rights|dignity",
        "human_autonomy_oversight": r"human oversight|human control|autonomy|democra|human agency",
        "sustainability": r"sustainab|planet",
        "inclusion_diversity": r"inclusi|diversity|accessib|gender",
        "beneficence_wellbeing": r"well-being|wellbeing|benefit|common good|do no harm",
        "truthfulness_integrity": r"disinformation|misinformation|deepfake|hallucinat|integrity",
        "intellectual_property": r"copyright|intellectual property|patent|trade secret",
        "children_rights": r"\bchild|minors\b",
        "labour_rights": r"workers|labour rights|social dialogue|trade union|decent work",
        "ai_literacy_education": r"literacy|awareness|understanding of AI|skills",
        "openness_cooperation": r"open.source|open data|sharing|interoperab|open science",
    },
    "approach": {
        "regulatory": r"\bshall\b|obligation|complian|regulat|prohibit",
        "innovation": r"invest|fund|start.?up|sandbox|compute|adoption",
        "implementation": r"capacity.building|toolkit|guidance|monitor|training",
    },
    "other": {
        "security_sensitive": r"military|national security|weapon|terror|espionage|geopolit",
        "international_cooperation": r"international cooperation|multilateral|partnership|"
        r"harmoni[sz]|cross-border",
        "binding": r"\bshall\b|\bdecides\b|\bArticle \d",
    },
}
NEGATIVE_CUES = {
    "security-council": r"Security Council",
    "preamble": r"^(Recalling|Noting|Recognizing|Recognising|Reaffirming|Welcoming|"
    r"Acknowledging|Bearing in mind|Mindful|Considering|Whereas|Emphasizing|Stressing)",
}
SECTOR_LIST_MIN = 4  # a block naming this many sectors is a sector-list hard negative


def blocks_of(text: str):
    """(start, end) of blank-line separated blocks of prose of a codable size."""
    for match in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        block = match.group(0)
        n_words = len(block.split())
        if not MIN_WORDS <= n_words <= MAX_WORDS:
            continue
        letters = sum(ch.isalpha() for ch in block)
        if letters < 0.7 * len(re.sub(r"\s", "", block)):
            continue
        yield match.start(), match.end()


def heading_before(text: str, start: int) -> str:
    """The nearest short line before ``start`` that looks like a heading."""
    window = text[max(0, start - 4000) : start].splitlines()
    for line in reversed(window):
        line = line.strip().lstrip("#").strip()
        if (
            line
            and len(line.split()) <= 14
            and not line.endswith((".", ",", ";", ":"))
            and (line[0].isupper() or line[0].isdigit())
        ):
            return line[:160]
    return ""


def split_of(document_id: str) -> str:
    group = next((g for g in GROUPS if document_id in g), [document_id])
    if any(d in TEST_DOCUMENTS for d in group):
        return "test"
    if any(d in DEV_DOCUMENTS for d in group):
        return "dev"
    return "train"


def existing_spans(path: Path) -> set[tuple[str, int, int]]:
    if not path.is_file():
        return set()
    spans = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        spans.add((record["document_id"], record["char_start"], record["char_end"]))
    return spans


def overlaps(block: tuple, taken: set[tuple[str, int, int]]) -> bool:
    doc, start, end = block[0], block[1], block[2]
    return any(d == doc and s < end and start < e for d, s, e in taken)


def draw(corpus: Path, old_gold: Path) -> tuple[list[dict], dict[str, str]]:
    rng = random.Random(SEED)
    rows = list(csv.DictReader((corpus / "manifest.csv").open(encoding="utf-8")))
    texts = {row["id"]: (corpus / row["path"]).read_text(encoding="utf-8") for row in rows}
    taken = existing_spans(old_gold)
    by_doc: dict[str, list[tuple]] = {}
    for row in rows:
        text = texts[row["id"]]
        spans = list(blocks_of(text))
        for index, (start, end) in enumerate(spans):
            block = (row["id"], start, end, text[start:end], index)
            if not overlaps(block, taken):
                by_doc.setdefault(row["id"], []).append(block)
    chosen: dict[tuple[str, int], tuple] = {}
    for doc_blocks in by_doc.values():
        for block in rng.sample(doc_blocks, min(RANDOM_PER_DOCUMENT, len(doc_blocks))):
            chosen[(block[0], block[1])] = (*block, "random")
    every = [b for doc_blocks in by_doc.values() for b in doc_blocks]
    for kind, cues in CUES.items():
        for category, cue in cues.items():
            pattern = re.compile(cue, re.IGNORECASE if category != "binding" else 0)
            hits = [b for b in every if pattern.search(b[3]) and (b[0], b[1]) not in chosen]
            for block in rng.sample(hits, min(PER_CUE[kind], len(hits))):
                chosen[(block[0], block[1])] = (*block, f"enriched:{category}")
    sector_patterns = [re.compile(c, re.IGNORECASE) for c in CUES["domain"].values()]
    negatives = {
        name: [b for b in every if re.search(cue, b[3], re.MULTILINE)]
        for name, cue in NEGATIVE_CUES.items()
    }
    negatives["sector-list"] = [
        b for b in every if sum(bool(p.search(b[3])) for p in sector_patterns) >= SECTOR_LIST_MIN
    ]
    for name, hits in negatives.items():
        hits = [b for b in hits if (b[0], b[1]) not in chosen]
        for block in rng.sample(hits, min(PER_CUE["negative"], len(hits))):
            chosen[(block[0], block[1])] = (*block, f"hard-negative:{name}")
    meta = {row["id"]: row for row in rows}
    items = [
        _item(f"s{n:04d}", doc, start, end, text, stratum, texts[doc], meta[doc])
        for n, (doc, start, end, text, _index, stratum) in enumerate(
            sorted(chosen.values(), key=lambda b: (b[0], b[1])), 1
        )
    ]
    return items, {row["id"]: split_of(row["id"]) for row in rows}


def _item(item_id, doc, start, end, text, stratum, document_text, row) -> dict:
    """A candidate with what a coder reads: the passage, its heading and neighbours."""
    return {
        "id": item_id,
        "document_id": doc,
        "char_start": start,
        "char_end": end,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "stratum": stratum,
        "split": split_of(doc),
        "title": row["title"],
        "organisation": row["organisation"],
        "document_type": row["document_type"],
        "heading": heading_before(document_text, start),
        "before": document_text[max(0, start - 400) : start].strip()[-300:],
        "text": text,
        "after": document_text[end : end + 250].strip()[:200],
    }


def assign(items: list[dict]) -> dict[int, list[dict]]:
    """Every item gets a first coder; a seeded 21 % also gets a second, different coder."""
    rng = random.Random(SEED + 1)
    order = items[:]
    rng.shuffle(order)
    batches: dict[int, list[dict]] = {k: [] for k in range(N_CODERS)}
    for n, item in enumerate(order):
        first = n % N_CODERS
        batches[first].append({**item, "role": "first"})
        if rng.random() < DOUBLE_SHARE:
            second = (first + 1 + rng.randrange(N_CODERS - 1)) % N_CODERS
            batches[second].append({**item, "role": "second"})
    for batch in batches.values():
        rng.shuffle(batch)
    return batches


SUPPLEMENT_SEED = SEED + 2
SUPPLEMENT_PER_CUE = 45


def supplement(corpus: Path, work: Path, categories: list[str]) -> None:
    """After the first coding round: more cue-matched passages for categories that ended
    with fewer than 40 positives, coded by one more coder. Existing items are untouched."""
    rng = random.Random(SUPPLEMENT_SEED)
    existing = [json.loads(line) for line in (work / "candidates.jsonl").open(encoding="utf-8")]
    taken = {(i["document_id"], i["char_start"], i["char_end"]) for i in existing}
    taken |= existing_spans(Path(__file__).parent / "dev_shared_corpus.jsonl")
    rows = list(csv.DictReader((corpus / "manifest.csv").open(encoding="utf-8")))
    texts = {row["id"]: (corpus / row["path"]).read_text(encoding="utf-8") for row in rows}
    meta = {row["id"]: row for row in rows}
    every = [
        (row["id"], s, e, texts[row["id"]][s:e])
        for row in rows
        for s, e in blocks_of(texts[row["id"]])
        if not overlaps((row["id"], s, e), taken)
    ]
    cues = {c: r for kind in CUES.values() for c, r in kind.items()}
    chosen: dict[tuple[str, int], tuple] = {}
    for category in categories:
        pattern = re.compile(cues[category], re.IGNORECASE)
        hits = [b for b in every if pattern.search(b[3]) and (b[0], b[1]) not in chosen]
        for block in rng.sample(hits, min(SUPPLEMENT_PER_CUE, len(hits))):
            chosen[(block[0], block[1])] = (*block, f"supplement:{category}")
    start = len(existing) + 1
    coder = f"coder-{FIRST_CODER_NUMBER + N_CODERS}"
    blocks = sorted(chosen.values(), key=lambda b: (b[0], b[1]))
    with (
        (work / "candidates.jsonl").open("a", encoding="utf-8") as all_items,
        (work / f"batch-{coder}.jsonl").open("w", encoding="utf-8") as batch,
    ):
        for n, (doc, s, e, text, stratum) in enumerate(blocks, start):
            item = _item(f"s{n:04d}", doc, s, e, text, stratum, texts[doc], meta[doc])
            all_items.write(json.dumps(item, ensure_ascii=False) + "\n")
            batch.write(json.dumps({**item, "role": "first", "coder": coder}) + "\n")
    print(f"{len(blocks)} supplementary passages for {coder}")


def main(corpus: Path, work: Path) -> None:
    here = Path(__file__).parent
    items, splits = draw(corpus, here / "dev_shared_corpus.jsonl")
    work.mkdir(parents=True, exist_ok=True)
    with (work / "candidates.jsonl").open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    for k, batch in assign(items).items():
        coder = f"coder-{FIRST_CODER_NUMBER + k}"
        with (work / f"batch-{coder}.jsonl").open("w", encoding="utf-8") as fh:
            for item in batch:
                fh.write(json.dumps({**item, "coder": coder}, ensure_ascii=False) + "\n")
    documents = {
        split: sorted(d for d, s in splits.items() if s == split)
        for split in ("train", "dev", "test")
    }
    record = {
        "seed": SEED,
        "gold": "gold/gold_shared_corpus.jsonl",
        "rule": "split by document; documents in one group share a split",
        "groups": GROUPS,
        **documents,
    }
    (here / "splits.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    counts = {s: sum(i["split"] == s for i in items) for s in documents}
    print(f"{len(items)} passages ({counts}); batches and candidates in {work}")


if __name__ == "__main__":
    if len(sys.argv) > 4 and sys.argv[3] == "--supplement":
        supplement(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[4].split(","))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
