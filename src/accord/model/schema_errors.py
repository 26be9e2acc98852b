"""Readable problems from a pydantic ValidationError, for settings files and codebooks.

The allowed keys and the did-you-mean suggestion come from the model itself, so they stay right
when a field is added or renamed.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True, slots=True)
class Problem:
    loc: tuple[str | int, ...]  # where, as pydantic gives it
    unknown_key: bool  # a key the model does not have (the other kind: a bad or missing value)
    text: str  # what is wrong, without the location
    allowed: tuple[str, ...] = ()  # with an unknown key: the keys allowed at that place
    owner: str = ""  # with an unknown key: the model that has those keys


def schema_problems(model: type[BaseModel], exc: ValidationError) -> list[Problem]:
    """Every problem of ``exc`` (not only the first), each with a suggestion where one fits.

    Example:
        >>> from pydantic import ConfigDict
        >>> class Section(BaseModel):
        ...     model_config = ConfigDict(extra="forbid")
        ...     workers: int = 2
        >>> try:
        ...     Section.model_validate({"wrokers": 3})
        ... except ValidationError as exc:
        ...     print(schema_problems(Section, exc)[0].text)
        unknown key; did you mean 'workers'?
    """
    return [_problem(model, error) for error in exc.errors()]


def _problem(model: type[BaseModel], error: Any) -> Problem:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        owner = model_at(model, loc[:-1])
        allowed = tuple(field_keys(owner)) if owner else ()
        return Problem(loc, True, unknown_key_text(str(loc[-1]), allowed), allowed, _name(owner))
    if error["type"] == "missing":
        return Problem(loc, False, "required key is missing")
    message = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and error["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {_shown(error['input'])})"
    return Problem(loc, False, message)


def unknown_key_text(key: str, allowed: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return "unknown key" + (f"; did you mean '{close[0]}'?" if close else "")


def field_keys(model: type[BaseModel]) -> list[str]:
    """The keys a model accepts, as written in a file (aliases where a field has one)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model that validates the mapping found at ``path`` (list indexes and dict keys are
    stepped over); None when the path leads to something else."""
    current: type[BaseModel] | None = model
    skip_keys = 0
    for key in path:
        if current is None:
            return None
        if isinstance(key, int):
            continue
        if skip_keys:
            skip_keys -= 1
            continue
        fields = {field.alias or name: field for name, field in current.model_fields.items()}
        if key not in fields:
            return None
        current, skip_keys = _inner_model(fields[key].annotation)
    return current


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, int]:
    """The model inside an annotation (``list[M]``, ``M | None``, ``dict[str, M]``), and how
    many dict keys stand between the field and that model in a location."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation, 0
    depth = 1 if get_origin(annotation) is dict else 0
    for arg in get_args(annotation):
        found, inner = _inner_model(arg)
        if found is not None:
            return found, depth + inner
    return None, 0


def sentence(text: str) -> str:
    """The text with a full stop, unless it already ends a sentence."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _name(model: type[BaseModel] | None) -> str:
    return model.__name__ if model else ""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
