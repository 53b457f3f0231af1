"""The V1 primitive inputs (qiskit-ibm-runtime <= 0.27): circuits transpiled on the server.

A V1 Sampler or Estimator job sends every circuit once per parameter set::

    {"circuits": [QC, ...], "parameters": [[Parameter, ...], ...],
     "parameter_values": [[float, ...], ...],
     "transpilation_settings": {"skip_transpilation": False,
                                "optimization_settings": {"level": 1}, ...},
     "resilience_settings": {"level": 0},
     "run_options": {"shots": 4000, "init_qubits": True, "seed_simulator": ...}}

Older clients (0.7-0.8) send each distinct circuit once and pick them with
``circuit_indices``; both forms are read. The circuits are transpiled with the
backend's cached preset pass manager (level 1 unless the settings say
otherwise, the level the seed-era client sends), each distinct circuit once,
and the parameter sets are then bound inside the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.transpiler import PassManager

from qruntime.backends.spec import BackendSpec
from qruntime.errors import InvalidInputError
from qruntime.programs import inputs, options
from qruntime.programs.simulation import noise_model_of

#: Optimisation level when the settings give none (what the 0.2x client sends).
DEFAULT_LEVEL = 1
#: Shots when ``run_options`` gives none (the V1 client's default).
DEFAULT_SHOTS = 4000

#: Top-level V1 keys every primitive reads.
COMMON_KEYS = (
    "circuits", "parameters", "parameter_values", "circuit_indices", "skip_transpilation",
    "transpilation_settings", "resilience_settings", "run_options",
)

_PASS_MANAGER_ARGS = (
    "initial_layout", "layout_method", "routing_method", "approximation_degree",
    "seed_transpiler",
)


@dataclass(frozen=True)
class Entry:
    """One circuit and parameter set of a V1 job.

    ``source`` indexes the job's distinct circuits, so a circuit sent once per
    parameter set is transpiled once.
    """

    source: int
    values: np.ndarray


@dataclass(frozen=True)
class V1Job:
    """A validated V1 primitive job (before transpilation)."""

    circuits: list[QuantumCircuit]
    entries: list[Entry]
    shots: int
    seed: int | None
    noise_model: Any
    skip_transpilation: bool
    pass_manager: PassManager | None
    ignored: dict[str, Any]


def parse(params: Mapping[str, Any], backend: BackendSpec, extra_keys: Sequence[str] = ()
          ) -> V1Job:
    """Check the V1 inputs in ``params`` (keys beyond ``extra_keys`` are refused)."""
    inputs.check_keys(params, (*COMMON_KEYS, *extra_keys), "V1 input")
    settings = {key: params.get(key) for key in options.V1_SETTINGS}
    ignored = options.check_options(settings, options.V1_SETTINGS, "params")
    if ignored.get("params.resilience_settings.level") == 0:
        del ignored["params.resilience_settings.level"]
    circuits = [
        inputs.require_circuit(c, f"circuit {i}")
        for i, c in enumerate(inputs.circuit_list(params.get("circuits"), "params['circuits']"))
    ]
    entries = _entries(params, circuits)
    inputs.check_count(len(entries), backend.max_experiments, "circuits", backend.name)
    circuits, entries = _distinct(circuits, entries)
    transpilation = options.pick(params, "transpilation_settings", default={})
    skip = bool(transpilation.get("skip_transpilation") or params.get("skip_transpilation"))
    for index, circuit in enumerate(circuits):
        _check_fits(circuit, index, backend, skip)
    run_options = options.pick(params, "run_options", default={})
    inputs.check_flag(run_options.get("init_qubits"), True, "run_options.init_qubits",
                      "the simulator starts every shot from |0...0>. Allowed: True.")
    return V1Job(
        circuits=circuits,
        entries=entries,
        shots=inputs.check_shots(options.pick(run_options, "shots", default=DEFAULT_SHOTS),
                                 backend.max_shots, "run_options.shots"),
        seed=inputs.check_seed(run_options.get("seed_simulator"), "run_options.seed_simulator"),
        noise_model=noise_model_of(run_options.get("noise_model"), "run_options.noise_model"),
        skip_transpilation=skip,
        pass_manager=None if skip else _pass_manager(transpilation, backend),
        ignored=ignored,
    )


def transpile(job: V1Job) -> list[QuantumCircuit]:
    """Each distinct circuit of ``job``, ready for the backend."""
    if job.skip_transpilation or job.pass_manager is None:
        return list(job.circuits)
    try:
        return [job.pass_manager.run(circuit) for circuit in job.circuits]
    except Exception as exc:  # the transpiler raises TranspilerError and friends
        raise InvalidInputError(f"Transpiling the circuits for the backend failed: {exc}") from exc


def grouped(job: V1Job) -> dict[int, list[int]]:
    """Indices of ``job.entries`` per distinct circuit, in order of first use."""
    groups: dict[int, list[int]] = {}
    for position, entry in enumerate(job.entries):
        groups.setdefault(entry.source, []).append(position)
    return groups


def _distinct(circuits: list[QuantumCircuit], entries: list[Entry]
              ) -> tuple[list[QuantumCircuit], list[Entry]]:
    """Merge equal circuits (a 0.2x client sends one copy per parameter set).

    Comparing two small circuits costs far less than transpiling one; only
    circuits alike in name and size are compared.
    """
    kept: list[QuantumCircuit] = []
    alike: dict[tuple[Any, ...], list[int]] = {}
    where: list[int] = []
    for circuit in circuits:
        key = (circuit.name, circuit.num_qubits, circuit.num_clbits, len(circuit.data),
               circuit.num_parameters)
        candidates = alike.setdefault(key, [])
        match = next((k for k in candidates if kept[k] is circuit or kept[k] == circuit), None)
        if match is None:
            match = len(kept)
            kept.append(circuit)
            candidates.append(match)
        where.append(match)
    return kept, [Entry(where[entry.source], entry.values) for entry in entries]


def _entries(params: Mapping[str, Any], circuits: list[QuantumCircuit]) -> list[Entry]:
    indices = params.get("circuit_indices")
    if indices is None:
        indices = list(range(len(circuits)))
    if not isinstance(indices, (list, tuple)) or not all(
        isinstance(i, (int, np.integer)) and 0 <= i < len(circuits) for i in indices
    ):
        raise InvalidInputError(
            f"params['circuit_indices'] must be a list of indices into the {len(circuits)} "
            "circuits."
        )
    values = params.get("parameter_values")
    if values is None:
        values = [[] for _ in indices]
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) != len(indices):
        raise InvalidInputError(
            f"params['parameter_values'] must hold one list of values per circuit: "
            f"{len(indices)} expected, {len(values) if hasattr(values, '__len__') else values!r}"
            " given."
        )
    names = params.get("parameters")
    return [
        Entry(int(source), _values(circuits[source], values[k], names, int(source), k))
        for k, source in enumerate(indices)
    ]


def _values(circuit: QuantumCircuit, given: Any, names: Any, source: int, k: int) -> np.ndarray:
    """The values of entry ``k`` in the order of ``circuit.parameters``."""
    where = f"parameter_values[{k}] (circuit {source})"
    with inputs.coercing(where):
        array = np.asarray(given, dtype=float).reshape(-1)
    count = circuit.num_parameters
    if array.shape != (count,):
        raise InvalidInputError(
            f"{where} has shape {array.shape}, but the circuit has {count} parameters: "
            f"expected shape ({count},)."
        )
    order = names[source] if isinstance(names, (list, tuple)) and source < len(names) else None
    if not order or [str(p) for p in order] == [p.name for p in circuit.parameters]:
        return array
    by_name = dict(zip((str(p) for p in order), array))
    missing = [p.name for p in circuit.parameters if p.name not in by_name]
    if missing:
        raise InvalidInputError(f"{where}: no value for parameters {', '.join(missing)}.")
    return np.array([by_name[p.name] for p in circuit.parameters])


def _check_fits(circuit: QuantumCircuit, index: int, backend: BackendSpec, skip: bool) -> None:
    if skip:
        backend.check_circuit(circuit, index)
    elif circuit.num_qubits > backend.num_qubits:
        raise InvalidInputError(
            f"circuit {index} has {circuit.num_qubits} qubits but backend {backend.name!r} "
            f"has {backend.num_qubits}."
        )


def _pass_manager(settings: Mapping[str, Any], backend: BackendSpec) -> PassManager:
    level = options.pick(settings, "optimization_settings", "level",
                         default=settings.get("optimization_level", DEFAULT_LEVEL))
    if isinstance(level, bool) or level not in (0, 1, 2, 3):
        raise InvalidInputError(
            f"transpilation_settings.optimization_settings.level is {level!r}; "
            "allowed: 0, 1, 2, 3."
        )
    for name in ("coupling_map", "basis_gates"):
        if settings.get(name) is not None:
            raise InvalidInputError(
                f"transpilation_settings.{name} is not supported: circuits are transpiled for "
                "the backend's own target. Leave it unset."
            )
    extra = {name: settings[name] for name in _PASS_MANAGER_ARGS if settings.get(name) is not None}
    if not extra:
        return backend.pass_manager(int(level))
    from qiskit.transpiler import generate_preset_pass_manager

    with inputs.coercing("transpilation_settings"):
        try:
            return generate_preset_pass_manager(int(level), target=backend.target, **extra)
        except InvalidInputError:
            raise
        except Exception as exc:  # TranspilerError for a bad layout or method name
            raise InvalidInputError(f"transpilation_settings: {exc}") from exc
