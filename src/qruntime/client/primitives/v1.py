"""The V1 primitives of qiskit-ibm-runtime 0.27: :class:`SamplerV1` and :class:`EstimatorV1`.

Their circuits need not be ISA: the runtime transpiles them for the backend
(``optimization_level`` 0-3). A job's params are those the 0.27 client sends::

    {"circuits": [QC, ...], "parameters": [[Parameter, ...], ...],
     "parameter_values": [[float, ...], ...],            # one list per circuit
     "observables": [SparsePauliOp, ...],                 # Estimator only
     "transpilation_settings": {...}, "resilience_settings": {...}, "run_options": {...}}

Example:
    .. code-block:: python

        from qruntime import QiskitRuntimeService, Session, Sampler

        backend = QiskitRuntimeService().backend("ibmq_qasm_simulator")
        with Session(backend=backend) as session:
            sampler = Sampler(session=session)
            job1 = sampler.run(transpiled_circuit)
            job2 = backend.run(transpiled_circuit)       # the same session
            print(job1.result().quasi_dists[0])
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV1, BaseSamplerV1
from qiskit.quantum_info import Pauli, SparsePauliOp

from qruntime.client.backend import IBMBackend
from qruntime.client.job import RuntimeJob
from qruntime.client.primitives.base import Mode, RuntimePrimitive
from qruntime.client.primitives.options_v1 import Options, v1_program_inputs
from qruntime.client.primitives.pubs import measures, pub_errors
from qruntime.client.results import ResultDecoder, estimator_v1_result, sampler_v1_result
from qruntime.client.session import Session
from qruntime.errors import IBMInputValueError


class _PrimitiveV1(RuntimePrimitive):
    """What SamplerV1 and EstimatorV1 share: 0.27 options and submitting V1 params."""

    version = 1
    _max_resilience = 1
    _decoder: ResultDecoder

    def __init__(self, backend: IBMBackend | str | None = None, session: Session | None = None,
                 options: Options | dict[str, Any] | None = None, mode: Mode | None = None
                 ) -> None:
        RuntimePrimitive.__init__(self, mode, backend=backend, session=session)
        if options is None:
            self._options = Options()
        elif isinstance(options, Options):
            self._options = options.merged()
        elif isinstance(options, dict):
            self._options = Options().merged(**options)
        else:
            raise IBMInputValueError(
                f"options must be an Options or a dict, not {type(options).__name__}."
            )

    @property
    def options(self) -> Options:
        """The primitive's :class:`~qruntime.Options`: set them in place or by :meth:`set_options`.

        Example:
            >>> sampler.options.execution.shots = 1000
        """
        return self._options

    def set_options(self, **fields: Any) -> None:
        """Set options by top-level name (a dict for a group) or bare name (``shots=100``).

        Raises:
            IBMInputValueError: An option is unknown or its value not allowed.

        Example:
            >>> sampler.set_options(shots=1000, optimization_level=0)
        """
        self._options = self._options.merged(**fields)

    def _submit_v1(self, inputs: dict[str, Any], run_options: dict[str, Any]) -> RuntimeJob:
        options = self._options.merged(**run_options)
        settings = v1_program_inputs(
            options, noiseless_simulator=self._backend.simulator,
            max_resilience=self._max_resilience,
        )
        job: RuntimeJob = self._submit(
            {**inputs, **settings}, job_class=RuntimeJob, decoder=self._decoder,
            tags=options.environment.job_tags or [],
            max_execution_time=options.max_execution_time,
        )
        return job


class SamplerV1(_PrimitiveV1, BaseSamplerV1[RuntimeJob]):  # type: ignore[misc]
    """Quasi-probabilities of circuit outcomes, as qiskit-ibm-runtime 0.27's ``Sampler``.

    Args:
        backend: The backend (an :class:`~qruntime.IBMBackend` or its name).
        session: A :class:`~qruntime.Session` (it takes precedence over ``backend``).
        options: :class:`~qruntime.Options`, or a dict of them.
        mode: A backend, session or batch, as the V2 primitives take it.

    Raises:
        IBMInputValueError: No backend is given, or an option is unknown.

    Example:
        .. code-block:: python

            from qruntime import Sampler

            with backend.open_session() as session:
                sampler = Sampler(backend=backend)
                job = sampler.run(circuit, shots=2000)     # joins the backend's session
                print(job.session_id == session.session_id)          # True
                print(job.result().quasi_dists[0].binary_probabilities())
    """

    _program_id = "sampler"
    _max_resilience = 1
    _decoder = staticmethod(sampler_v1_result)

    def __init__(self, backend: IBMBackend | str | None = None, session: Session | None = None,
                 options: Options | dict[str, Any] | None = None, mode: Mode | None = None
                 ) -> None:
        BaseSamplerV1.__init__(self)
        _PrimitiveV1.__init__(self, backend, session, options, mode)

    def run(
        self, circuits: QuantumCircuit | Sequence[QuantumCircuit],
        parameter_values: Any = None, **kwargs: Any,
    ) -> RuntimeJob:
        """Sample each circuit with its parameter values bound.

        Args:
            circuits: One circuit or a list; each must measure something. They
                need not be ISA: the runtime transpiles them.
            parameter_values: One list of values per circuit (or one list for one circuit).
            **kwargs: Options for this job only, by bare name (``shots=100``)
                or group (``execution={"shots": 100}``).

        Returns:
            The job; ``job.result()`` is a :class:`~qiskit.primitives.SamplerResult`.

        Raises:
            IBMInputValueError: A circuit measures nothing, parameter values do
                not fit (the message shows expected and given shapes), or an
                option is unknown; nothing was submitted.

        Example:
            >>> job = sampler.run([ansatz] * 3, thetas[:3], shots=2000, seed_simulator=1)
            >>> [dist.binary_probabilities() for dist in job.result().quasi_dists]
        """
        circuit_list = _circuits(circuits)
        for index, circuit in enumerate(circuit_list):
            if circuit.num_clbits == 0 or not measures(circuit):
                raise IBMInputValueError(
                    f"circuit {index} measures nothing, so a Sampler has nothing to return. "
                    "Add measurements, e.g. circuit.measure_all()."
                )
        return self._run(circuit_list, _parameter_values(parameter_values, circuit_list),
                         **kwargs)

    def _run(self, circuits: Sequence[QuantumCircuit], parameter_values: Sequence[Sequence[float]],
             **run_options: Any) -> RuntimeJob:
        return self._submit_v1(_inputs(circuits, parameter_values), run_options)


class EstimatorV1(_PrimitiveV1, BaseEstimatorV1[RuntimeJob]):  # type: ignore[misc]
    """Expectation values of observables, as qiskit-ibm-runtime 0.27's ``Estimator``.

    Args:
        backend: The backend (an :class:`~qruntime.IBMBackend` or its name).
        session: A :class:`~qruntime.Session` (it takes precedence over ``backend``).
        options: :class:`~qruntime.Options`, or a dict of them.
        mode: A backend, session or batch, as the V2 primitives take it.

    Raises:
        IBMInputValueError: No backend is given, or an option is unknown.

    Example:
        .. code-block:: python

            from qiskit.quantum_info import SparsePauliOp
            from qruntime import Estimator

            estimator = Estimator(backend=backend, options={"execution": {"shots": 8000}})
            job = estimator.run([bell, bell], ["ZZ", SparsePauliOp("XX")])
            print(job.result().values)                  # about [1.0, 1.0]
    """

    _program_id = "estimator"
    _max_resilience = 3
    _decoder = staticmethod(estimator_v1_result)

    def __init__(self, backend: IBMBackend | str | None = None, session: Session | None = None,
                 options: Options | dict[str, Any] | None = None, mode: Mode | None = None
                 ) -> None:
        BaseEstimatorV1.__init__(self)
        _PrimitiveV1.__init__(self, backend, session, options, mode)

    def run(
        self, circuits: QuantumCircuit | Sequence[QuantumCircuit], observables: Any,
        parameter_values: Any = None, **kwargs: Any,
    ) -> RuntimeJob:
        """Estimate ``<observables[i]>`` for ``circuits[i]`` with ``parameter_values[i]`` bound.

        Args:
            circuits: One circuit or a list (no measurements needed; need not be ISA).
            observables: One per circuit: ``SparsePauliOp``, ``Pauli`` or a Pauli string.
            parameter_values: One list of values per circuit.
            **kwargs: Options for this job only, as for :meth:`SamplerV1.run`.

        Returns:
            The job; ``job.result()`` is an :class:`~qiskit.primitives.EstimatorResult`
            whose metadata holds each value's ``variance`` and ``shots``.

        Raises:
            IBMInputValueError: An observable acts on another number of qubits
                than its circuit, counts do not match, or parameter values do
                not fit; nothing was submitted.

        Example:
            >>> job = estimator.run([ansatz] * 2, ["ZZII", "XXII"], [theta, theta])
            >>> job.result().values
            array([0.91..., -0.14...])
        """
        circuit_list = _circuits(circuits)
        operators = _observables(observables, circuit_list)
        return self._run(circuit_list, operators,
                         _parameter_values(parameter_values, circuit_list), **kwargs)

    def _run(self, circuits: Sequence[QuantumCircuit], observables: Sequence[SparsePauliOp],
             parameter_values: Sequence[Sequence[float]], **run_options: Any) -> RuntimeJob:
        inputs = _inputs(circuits, parameter_values)
        inputs["observables"] = list(observables)
        return self._submit_v1(inputs, run_options)


def _inputs(circuits: Sequence[QuantumCircuit], values: Sequence[Sequence[float]]
            ) -> dict[str, Any]:
    # The job keeps its own copies of the circuits, as backend.run's jobs do.
    return {
        "circuits": [circuit.copy() for circuit in circuits],
        "parameters": [list(circuit.parameters) for circuit in circuits],
        "parameter_values": [list(vector) for vector in values],
    }


def _circuits(circuits: Any) -> list[QuantumCircuit]:
    listed = [circuits] if isinstance(circuits, QuantumCircuit) else list(circuits)
    if not listed:
        raise IBMInputValueError("No circuits were given.")
    for index, circuit in enumerate(listed):
        if not isinstance(circuit, QuantumCircuit):
            raise IBMInputValueError(
                f"circuit {index} must be a QuantumCircuit, not {type(circuit).__name__}."
            )
    return listed


def _parameter_values(values: Any, circuits: list[QuantumCircuit]) -> list[list[float]]:
    """One list of floats per circuit, checked against each circuit's parameters."""
    if values is None:
        values = [[] for _ in circuits]
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, Real):
        values = [[values]]
    elif isinstance(values, Sequence) and not any(isinstance(v, (Sequence, np.ndarray))
                                                  for v in values):
        values = [values]
    if len(values) != len(circuits):
        raise IBMInputValueError(
            f"parameter_values holds {len(values)} sets for {len(circuits)} circuits: "
            "expected one set per circuit."
        )
    checked = []
    for index, (vector, circuit) in enumerate(zip(values, circuits, strict=True)):
        with pub_errors(f"parameter_values[{index}]"):
            array = np.asarray(vector, dtype=float)
        expected = (circuit.num_parameters,)
        if array.shape != expected:
            names = ", ".join(p.name for p in circuit.parameters) or "none"
            raise IBMInputValueError(
                f"parameter_values[{index}] has shape {array.shape} but circuit {index} has "
                f"{circuit.num_parameters} parameters ({names}): expected shape {expected}."
            )
        checked.append([float(v) for v in array])
    return checked


def _observables(observables: Any, circuits: list[QuantumCircuit]) -> list[SparsePauliOp]:
    if isinstance(observables, (str, Pauli, SparsePauliOp)):
        observables = [observables]
    operators = []
    for index, observable in enumerate(observables):
        with pub_errors(f"observable {index}"):
            operators.append(SparsePauliOp(observable))
    if len(operators) != len(circuits):
        raise IBMInputValueError(
            f"{len(operators)} observables were given for {len(circuits)} circuits: "
            "expected one observable per circuit."
        )
    for index, (operator, circuit) in enumerate(zip(operators, circuits, strict=True)):
        if operator.num_qubits != circuit.num_qubits:
            raise IBMInputValueError(
                f"observable {index} acts on {operator.num_qubits} qubits but circuit {index} "
                f"has {circuit.num_qubits}: they must match."
            )
    return operators
