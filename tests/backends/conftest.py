"""One catalog per test session, since device specs take a while to build.

``bell`` (the seed's circuit) comes from the top-level conftest.
"""

from __future__ import annotations

import pytest

from qruntime.backends import BackendCatalog, BackendSpec


@pytest.fixture(scope="session")
def catalog() -> BackendCatalog:
    return BackendCatalog()


@pytest.fixture(scope="session")
def ideal(catalog: BackendCatalog) -> BackendSpec:
    return catalog.get("ibmq_qasm_simulator")


@pytest.fixture(scope="session")
def falcon(catalog: BackendCatalog) -> BackendSpec:
    return catalog.get("ibm_qrt_falcon")



@pytest.fixture(scope="session")
def heron(catalog: BackendCatalog) -> BackendSpec:
    return catalog.get("ibm_qrt_heron")
