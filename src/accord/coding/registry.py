"""Coders by versioned name, so that every result can say exactly which method produced it."""

from __future__ import annotations

from collections.abc import Callable

from accord.coding.embedding import EmbeddingCoder, VectorCache, is_available
from accord.coding.ensemble import EnsembleCoder
from accord.coding.rules import RulesCoder
from accord.errors import ConfigError
from accord.model.codebook import Codebook

CODERS: dict[str, Callable[..., object]] = {
    "rules.v1": lambda codebook, cache=None: RulesCoder(codebook),
    "minilm.v1": EmbeddingCoder,
    "ensemble.v1": EnsembleCoder,
}
ALIASES = {"rules": "rules.v1", "embedding": "minilm.v1", "ensemble": "ensemble.v1"}
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


def default_coder_name() -> str:
    """The ensemble when the embedding extra is installed, else the rules."""
    return "ensemble.v1" if is_available() else "rules.v1"
