"""Backends: the catalog of what a runtime offers, and each backend's spec.

``default_catalog().get(name)`` gives a :class:`BackendSpec`: the ``Target``
clients transpile against, limits, the protocol documents, an ISA check, and a
cached Aer simulator (with the noise model of device-like backends).
"""

from __future__ import annotations

from qruntime.backends.catalog import BackendCatalog, BackendEntry, default_catalog
from qruntime.backends.spec import BackendSpec
from qruntime.backends.target import TargetBackend

__all__ = ["BackendCatalog", "BackendEntry", "BackendSpec", "TargetBackend", "default_catalog"]
