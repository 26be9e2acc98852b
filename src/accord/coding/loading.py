"""Loading a model without the libraries printing over Accord's own output.

While a model loads, transformers draws a "Loading weights" bar and prints a load report
(an unused ``position_ids`` key of the packaged MiniLM), and libraries raise warnings. None of
it is for the person running Accord: it goes to Accord's log at DEBUG level (``--debug``
shows it). The command line also turns off every tqdm bar of the libraries (model2vec's
"Encoding tokens" during distillation), since it draws its own progress.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)


@contextmanager
def quiet_model_loading() -> Iterator[None]:
    """Silence the libraries' progress bars and load reports and log their warnings.

    Import the libraries before entering, so that their own logging is set up before it is
    quietened (transformers configures its handler when first imported)."""
    with _quiet_transformers(), _quiet_hub(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for warning in caught:
                logger.debug(
                    "While loading a model: %s: %s", warning.category.__name__, warning.message
                )


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    if "transformers" not in sys.modules:  # importing it only to quieten it costs seconds
        yield
        return
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


@contextmanager
def _quiet_hub() -> Iterator[None]:
    if "huggingface_hub" not in sys.modules:
        yield
        return
    from huggingface_hub.utils import (
        are_progress_bars_disabled,
        disable_progress_bars,
        enable_progress_bars,
    )

    was_disabled = are_progress_bars_disabled()
    disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            enable_progress_bars()
