"""accord cache info / clear on the per-user vector cache."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from accord.cli import app
from accord.store.vector_cache import VectorFile

runner = CliRunner()


def test_cache_info_and_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path / "cache"))
    vector = np.ones(384, dtype=np.float32)
    VectorFile().put("model-x", {f"h{k}": (vector, ((0, 5),), vector[None, :]) for k in range(3)})
    settings = tmp_path / "s.toml"
    settings.write_text("[cache]\nmax_mb = 100\n")
    shown = runner.invoke(app, ["cache", "info", "--json", "--settings", str(settings)])
    assert shown.exit_code == 0, shown.output
    info = json.loads(shown.output)
    assert info["n_vectors"] == 3 and info["models"] == {"model-x": 3}
    assert info["max_mb"] == 100 and info["path"].endswith("cache/vectors.sqlite")
    assert "3" in runner.invoke(app, ["cache", "info"]).output
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "Dropped 3 cached vector(s)." in cleared.output
    assert json.loads(runner.invoke(app, ["cache", "info", "--json"]).output)["n_vectors"] == 0
