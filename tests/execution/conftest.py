"""One real Dask LocalCluster (two worker processes) for every test of this folder."""

from __future__ import annotations

import pytest

from accord.parallel import DaskExecutor


@pytest.fixture(scope="session")
def cluster():
    with DaskExecutor(None, n_workers=2) as executor:
        executor.client.wait_for_workers(2)
        yield executor
