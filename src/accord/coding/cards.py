"""The validation card of the packaged codebook: how its coders did against people on
documents they never saw, shipped beside its model (``models/<codebook>/validation.json``).

``benchmarks/validation.py --shipped`` writes it from the same run as
docs/validation-shipped.md. Reports show it when no validation of the user's own is stored.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from accord.coding.codebooks import DEFAULT_CODEBOOK

CARD_FILE = "validation.json"


def card_path() -> str:
    """Where the packaged codebook's card lives (inside the installed package)."""
    return str(resources.files("accord").joinpath(f"models/{DEFAULT_CODEBOOK}/{CARD_FILE}"))


def validation_card(codebook_digest: str) -> dict[str, Any] | None:
    """The card, when it describes the codebook with this digest (the packaged codebook as
    shipped); None for any other codebook, an edited one included."""
    source = resources.files("accord").joinpath(f"models/{DEFAULT_CODEBOOK}/{CARD_FILE}")
    if not source.is_file():
        return None
    card = json.loads(source.read_text("utf-8"))
    return card if card.get("codebook_digest") == codebook_digest else None
