"""Coders by versioned name, so that every result can say exactly which method produced it."""

from __future__ import annotations

from collections.abc import Callable

from accord.coding.embedding import EmbeddingCoder, VectorCache
from accord.coding.ensemble import EnsembleCoder
from accord.coding.rules import RulesCoder
from accord.coding.trained import TrainedCoder
from accord.errors import ConfigError
from accord.model.codebook import Codebook

CODERS: dict[str, Callable[..., object]] = {
    "rules.v1": lambda codebook, cache=None: RulesCoder(codebook),
    "minilm.v1": EmbeddingCoder,
    "ensemble.v1": EnsembleCoder,
    "trained.v1": TrainedCoder,
}
ALIASES = {
    "rules": "rules.v1",
    "embedding": "minilm.v1",
    "ensemble": "ensemble.v1",
    "trained": "trained.v1",
}
NEEDS_EMBEDDING = {"minilm.v1", "ensemble.v1"}


def resolve_name(name: str) -> str:
    full = ALIASES.get(name, name)
    if full not in CODERS:
        choices = ", ".join(sorted([*ALIASES, *CODERS]))
        raise ConfigError(f"Unknown coder '{name}'.", hint=f"Choose one of: {choices}.")
    return full


def make_coder(name: str, codebook: Codebook, cache: VectorCache | None = None):
    """The coder registered under ``name`` (an alias like 'rules' works too)."""
    return CODERS[resolve_name(name)](codebook, cache=cache)


def default_coder_name(codebook: Codebook) -> str:
    """The trained coder when the codebook ships a model (the best measured on held-out
    documents that codes a corpus quickly: docs/validation.md), else the rules."""
    return "trained.v1" if codebook.model is not None else "rules.v1"
