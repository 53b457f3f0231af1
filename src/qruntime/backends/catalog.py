"""The backends a runtime offers: built in, plus those of an optional config file.

A catalog holds :class:`BackendEntry` values (cheap: a name, a kind, a size) and
turns each into a :class:`~qruntime.backends.spec.BackendSpec` the first time
it is asked for, since a device's target and noise model take a while to build.

Built in:

* ``ibmq_qasm_simulator``: ideal, 32 qubits, all-to-all, a broad basis.
* IBM's cloud simulator family (:mod:`qruntime.backends.simulators`):
  ``simulator_statevector`` (32 qubits), ``simulator_mps`` (100),
  ``simulator_stabilizer`` (5000, Clifford only), ``simulator_extended_stabilizer`` (63).
* ``ibm_qrt_falcon``: a 27-qubit heavy-hex device (IBM Falcon r5 layout) with
  basis ``ecr, id, rz, sx, x``, seeded calibration data and its noise model.
* ``ibm_qrt_eagle``: the same for the 127-qubit Eagle r3 layout.
* ``ibm_qrt_heron``: a 156-qubit Heron r2 device: basis ``cz, id, rz, sx, x`` and
  the fractional ``rx`` and ``rzz`` (:mod:`qruntime.backends.processor`).

The file named by ``QRUNTIME_BACKENDS`` adds entries (or replaces built-in ones
of the same name)::

    {"backends": [
        {"name": "ibm_qrt_falcon_b", "kind": "heavy_hex", "num_qubits": 27, "seed": 7},
        {"name": "small_simulator", "kind": "ideal", "num_qubits": 5},
        {"name": "big_stabilizer", "kind": "stabilizer", "num_qubits": 20000}
    ]}
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from qruntime.backends.processor import PROCESSORS
from qruntime.backends.simulators import SIMULATOR_KINDS
from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError, NotFoundError

CONFIG_ENV = "QRUNTIME_BACKENDS"
KINDS = (*SIMULATOR_KINDS, "heavy_hex")
ONLINE_DATE = datetime(2024, 1, 2, tzinfo=timezone.utc)


@dataclass(frozen=True)
class BackendEntry:
    """What a backend is, before its spec is built.

    Args:
        name: The backend's name.
        kind: ``"ideal"`` (all-to-all, no noise, Aer's choice of method), one of the
            simulator family's Aer methods (``"statevector"``, ``"matrix_product_state"``,
            ``"stabilizer"``, ``"extended_stabilizer"``), or ``"heavy_hex"`` (IBM
            device layout, noisy).
        num_qubits: Qubit count; 27, 127 or 156 for ``"heavy_hex"`` (Falcon, Eagle, Heron).
        seed: Seed of the calibration values of a ``"heavy_hex"`` backend.
        description: One line shown in listings; a default is made from the kind.
    """

    name: str
    kind: str
    num_qubits: int
    seed: int = 0
    description: str = ""

    @property
    def is_simulator(self) -> bool:
        """Whether the backend reports ``simulator: true`` (every kind but the devices)."""
        return self.kind in SIMULATOR_KINDS


BUILTIN_ENTRIES = (
    BackendEntry(
        "ibmq_qasm_simulator", "ideal", 32, description="32-qubit ideal simulator, all-to-all"
    ),
    BackendEntry(
        "simulator_statevector", "statevector", 32,
        description="32-qubit statevector simulator, all-to-all",
    ),
    BackendEntry(
        "simulator_mps", "matrix_product_state", 100,
        description="100-qubit matrix product state simulator, all-to-all",
    ),
    BackendEntry(
        "simulator_stabilizer", "stabilizer", 5000,
        description="5000-qubit stabilizer simulator, all-to-all, Clifford circuits only",
    ),
    BackendEntry(
        "simulator_extended_stabilizer", "extended_stabilizer", 63,
        description="63-qubit extended stabilizer simulator (Clifford+T), all-to-all",
    ),
    BackendEntry(
        "ibm_qrt_falcon", "heavy_hex", 27, seed=2701,
        description="27-qubit heavy-hex device model (IBM Falcon r5 layout), noisy",
    ),
    BackendEntry(
        "ibm_qrt_eagle", "heavy_hex", 127, seed=12701,
        description="127-qubit heavy-hex device model (IBM Eagle r3 layout), noisy",
    ),
    BackendEntry(
        "ibm_qrt_heron", "heavy_hex", 156, seed=15601,
        description="156-qubit heavy-hex device model (IBM Heron r2 layout, fractional "
        "gates), noisy",
    ),
)


class BackendCatalog:
    """Backends by name, each built once, on first use, and shared.

    Thread-safe: concurrent ``get`` calls for one name build it once.

    Example:
        >>> catalog = BackendCatalog()
        >>> catalog.names()[:4]
        ['ibm_qrt_eagle', 'ibm_qrt_falcon', 'ibm_qrt_heron', 'ibmq_qasm_simulator']
        >>> catalog.get("ibm_qrt_falcon").num_qubits
        27
    """

    def __init__(self, entries: Iterable[BackendEntry] = BUILTIN_ENTRIES) -> None:
        self._entries = {entry.name: entry for entry in entries}  # later ones win
        self._locks = {name: threading.Lock() for name in self._entries}
        self._specs: dict[str, BackendSpec] = {}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> BackendCatalog:
        """The built-in backends plus those of the file named by ``QRUNTIME_BACKENDS``."""
        path = environ.get(CONFIG_ENV)
        extra = load_entries(Path(path)) if path else []
        return cls([*BUILTIN_ENTRIES, *extra])

    def names(self) -> list[str]:
        """Names of all backends, sorted."""
        return sorted(self._entries)

    def entries(self) -> list[BackendEntry]:
        """All entries, sorted by name; reading them builds nothing."""
        return [self._entries[name] for name in self.names()]

    def entry(self, name: str) -> BackendEntry:
        """The entry of backend ``name``; raises :class:`NotFoundError` if there is none."""
        entry = self._entries.get(name)
        if entry is None:
            raise NotFoundError(
                f"backend {name!r} not found; available backends: {', '.join(self.names())}."
            )
        return entry

    def get(self, name: str) -> BackendSpec:
        """The spec of backend ``name``, built on first call; raises :class:`NotFoundError`."""
        spec = self._specs.get(name)
        if spec is not None:
            return spec
        entry = self.entry(name)
        with self._locks[name]:
            spec = self._specs.get(name)
            if spec is None:
                spec = self._specs[name] = build_spec(entry)
        return spec

    def specs(self) -> list[BackendSpec]:
        """The specs of all backends, sorted by name (builds those not built yet)."""
        return [self.get(name) for name in self.names()]


def build_spec(entry: BackendEntry) -> BackendSpec:
    """Build the target, noise model and document builders of ``entry``."""
    if entry.kind in SIMULATOR_KINDS:
        from qruntime.backends.simulators import simulator_spec

        return simulator_spec(entry, ONLINE_DATE)
    return _build_device(entry)


def _build_device(entry: BackendEntry) -> BackendSpec:
    from qruntime.backends.calibration import calibrate
    from qruntime.backends.document import configuration_document, properties_document
    from qruntime.backends.noise import device_noise_model
    from qruntime.backends.target import device_target
    from qruntime.backends.topology import directed_edges

    processor = PROCESSORS[entry.num_qubits]
    couplings = directed_edges(processor.edges())
    calibration = calibrate(
        entry.num_qubits, couplings, seed=entry.seed, two_qubit_gate=processor.two_qubit_gate,
        profile=processor.profile, fractional=bool(processor.fractional_gates),
    )
    description = entry.description or processor.describe()
    target = device_target(calibration, description, processor.basis, processor.bounded_angles)
    return BackendSpec(
        name=entry.name,
        target=target,
        is_simulator=False,
        description=description,
        angle_ranges=processor.bounded_angles,
        build_noise_model=partial(device_noise_model, target),
        configuration_dict=partial(
            configuration_document,
            online_date=ONLINE_DATE,
            processor_type=processor.processor_type(),
        ),
        properties_dict=partial(properties_document, calibration=calibration),
    )


def load_entries(path: Path) -> list[BackendEntry]:
    """Read backend entries from a JSON file: ``{"backends": [...]}`` or a bare list."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"cannot read backend config {str(path)!r}: {exc}") from exc
    items = data.get("backends") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InvalidInputError(
            f"backend config {str(path)!r} must hold a list of backends or {{\"backends\": [...]}}."
        )
    return [_entry(item, f"{path}: backend {i}") for i, item in enumerate(items)]


def _entry(item: Any, where: str) -> BackendEntry:
    if not isinstance(item, dict):
        raise InvalidInputError(f"{where} must be an object.")
    allowed = {"name", "kind", "num_qubits", "seed", "description"}
    if unknown := sorted(set(item) - allowed):
        raise InvalidInputError(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}.")
    name, kind, num_qubits = item.get("name"), item.get("kind"), item.get("num_qubits")
    seed, description = item.get("seed", 0), item.get("description", "")
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"{where}: 'name' must be a non-empty string.")
    if kind not in KINDS:
        raise InvalidInputError(f"{where}: 'kind' is {kind!r}; allowed: {', '.join(KINDS)}.")
    if not _is_int(num_qubits) or num_qubits < 1:
        raise InvalidInputError(f"{where}: 'num_qubits' must be a positive integer.")
    if kind == "heavy_hex" and num_qubits not in PROCESSORS:
        raise InvalidInputError(
            f"{where}: a heavy_hex backend has 27, 127 or 156 qubits, not {num_qubits}."
        )
    if not _is_int(seed) or not isinstance(description, str):
        raise InvalidInputError(f"{where}: 'seed' must be an integer, 'description' a string.")
    return BackendEntry(name, kind, num_qubits, seed=seed, description=description)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_default: BackendCatalog | None = None
_default_lock = threading.Lock()


def default_catalog() -> BackendCatalog:
    """The process's catalog, made on first call from the built-ins and ``QRUNTIME_BACKENDS``."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = BackendCatalog.from_environment()
    return _default
