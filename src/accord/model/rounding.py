"""One rounding rule for the numbers a reader compares between outputs: the terminal, the
HTML and Markdown reports, and the table files (CSV, Parquet, JSON).

- **Ranks** are whole numbers. A **rank interval** is whole ranks too: its lower bound
  rounded down and its upper bound rounded up, so that it never claims more certainty than
  the resampling gave (a percentile interval of 2.3–5.6 is ranks 2–6).
- **Probabilities** (of a rank, of the top k) are shares of at most a few thousand random
  draws, whose sampling error is about ±0.01–0.03: they are kept and shown to two decimals,
  which is a whole percentage (0.87 is 87 %).
- **Shares** of text and passages are shown as whole percentages, and **scores**
  (opportunity, alignment, agreement) to two decimals. Table files keep both to
  ``STORED_DECIMALS`` for further analysis; shown, they round to the same figures.

Python's rounding of a decimal half is to the even neighbour (0.125 to 0.12) wherever a
number is rounded or formatted, so every output agrees on those too.
"""

from __future__ import annotations

import math

STORED_DECIMALS = 6  # scores and shares in table files
PROBABILITY_DECIMALS = 2  # probabilities everywhere: a whole percentage
SCORE_DECIMALS = 2  # scores as shown
PERCENT_DECIMALS = 0  # shares and probabilities as shown, in percent
MISSING = "–"


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def rank_bounds(low: float | None, high: float | None) -> tuple[int | None, int | None]:
    """A rank interval as whole ranks, widened outwards.

    Example:
        >>> rank_bounds(2.3, 5.6)
        (2, 6)
    """
    return (
        math.floor(low) if _is_number(low) else None,
        math.ceil(high) if _is_number(high) else None,
    )


def probability(value: float) -> float:
    """A probability as kept and shown: two decimals (NaN stays NaN).

    Example:
        >>> probability(0.8734)
        0.87
    """
    return round(value, PROBABILITY_DECIMALS) if _is_number(value) else value


def score_text(value: object, decimals: int = SCORE_DECIMALS) -> str:
    """A score as shown: '0.41'; a missing one as '–'."""
    return f"{value:.{decimals}f}" if _is_number(value) else MISSING


def percent_text(value: object, decimals: int = PERCENT_DECIMALS) -> str:
    """A share or probability as shown: 0.873 as '87%'; a missing one as '–'."""
    return f"{value:.{decimals}%}" if _is_number(value) else MISSING


def rank_interval_text(low: float | None, high: float | None) -> str:
    """'2–6', or '–' without an interval."""
    first, last = rank_bounds(low, high)
    return MISSING if first is None or last is None else f"{first}–{last}"
