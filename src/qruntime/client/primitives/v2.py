"""The V2 primitives: :class:`SamplerV2` and :class:`EstimatorV2`.

They take pubs (primitive unified blocs) of ISA circuits, check them against
the backend's target before submitting, and return a
:class:`~qruntime.RuntimeJobV2` whose result is a Qiskit
:class:`~qiskit.primitives.PrimitiveResult`. The job's params are those the
stock qiskit-ibm-runtime client sends::

    {"pubs": [...], "options": {...}, "version": 2, "support_qiskit": True,
     "resilience_level": ...}   # the last only when set

Example:
    .. code-block:: python

        from qiskit import QuantumCircuit, transpile
        from qruntime import QiskitRuntimeService, SamplerV2

        backend = QiskitRuntimeService().backend("ibmq_qasm_simulator")
        bell = QuantumCircuit(2)
        bell.h(0)
        bell.cx(0, 1)
        bell.measure_all()
        job = SamplerV2(mode=backend).run([transpile(bell, backend=backend)], shots=1000)
        print(job.result()[0].data.meas.get_counts())      # {'00': 507, '11': 493}
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any, Generic, TypeVar

from qiskit import QuantumCircuit
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import EstimatorPubLike, SamplerPubLike

from qruntime.client.backend import IBMBackend
from qruntime.client.job import RuntimeJobV2
from qruntime.client.primitives.base import Mode, RuntimePrimitive
from qruntime.client.primitives.options_v2 import EstimatorOptions, OptionsV2, SamplerOptions
from qruntime.client.primitives.pubs import (
    estimator_pub,
    estimator_wire,
    sampler_pub,
    sampler_wire,
)
from qruntime.client.results import primitive_v2_result
from qruntime.client.session import Session
from qruntime.errors import IBMInputValueError

OptionsT = TypeVar("OptionsT", bound=OptionsV2)


class _PrimitiveV2(RuntimePrimitive, Generic[OptionsT]):
    """What SamplerV2 and EstimatorV2 share: options, and submitting wire-form pubs."""

    _options_class: type[OptionsT]
    version = 2

    def __init__(self, mode: Mode | None = None,
                 options: OptionsT | dict[str, Any] | None = None, *,
                 backend: IBMBackend | str | None = None, session: Session | None = None
                 ) -> None:
        RuntimePrimitive.__init__(self, mode, backend=backend, session=session)
        self._options: OptionsT = _options_of(self._options_class, options)

    @property
    def options(self) -> OptionsT:
        """The primitive's options; set them in place (``primitive.options.x = ...``).

        Example:
            >>> sampler.options.default_shots = 1000
        """
        return self._options

    def _submit_pubs(self, pubs: list[list[Any]]) -> RuntimeJobV2:
        params = {"pubs": pubs, **self._options._program_inputs()}
        limit, tags = self._options._job_settings()
        job: RuntimeJobV2 = self._submit(
            params, job_class=RuntimeJobV2, decoder=primitive_v2_result, tags=tags,
            max_execution_time=limit,
        )
        return job


class SamplerV2(_PrimitiveV2[SamplerOptions], BaseSamplerV2):  # type: ignore[misc]
    """Samples the outputs of ISA circuits on a runtime backend.

    Args:
        mode: Where jobs run: an :class:`~qruntime.IBMBackend` (job mode), a
            :class:`~qruntime.Session` or a :class:`~qruntime.Batch`.
        options: :class:`~qruntime.SamplerOptions`, or a dict of them.
        backend: The 0.27-era way to give the backend (an ``IBMBackend`` or a name).
        session: The 0.27-era way to give the session.

    Raises:
        IBMInputValueError: No backend is given, or an option is unknown.

    Example:
        .. code-block:: python

            from qruntime import Batch, SamplerV2

            with Batch(backend=backend) as batch:
                sampler = SamplerV2(mode=batch, options={"default_shots": 2000})
                sampler.options.simulator.seed_simulator = 42
                job = sampler.run([isa_bell, (isa_ansatz, parameter_sets)])
            result = job.result()
            counts = result[0].data.meas.get_counts()          # a register named "meas"
            bits = result[1].data.meas                          # BitArray of shape (n,)
    """

    _options_class = SamplerOptions
    _program_id = "sampler"

    def __init__(self, mode: Mode | None = None,
                 options: SamplerOptions | dict[str, Any] | None = None, *,
                 backend: IBMBackend | str | None = None, session: Session | None = None
                 ) -> None:
        BaseSamplerV2.__init__(self)
        _PrimitiveV2.__init__(self, mode, options, backend=backend, session=session)

    def run(self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None) -> RuntimeJobV2:
        """Sample each pub's circuit for each of its parameter sets.

        Args:
            pubs: Pubs: circuits, or tuples ``(circuit, parameter values[, shots])``.
                Circuits must be ISA for the backend and measure something.
            shots: Shots of each pub that names none; ``None`` uses
                ``options.default_shots`` (the runtime's default when unset).

        Returns:
            The job; ``job.result()[i].data.<register>`` is a
            :class:`~qiskit.primitives.BitArray` per classical register.

        Raises:
            IBMInputValueError: Shots are not positive, parameter values do not
                fit a circuit (the message shows the expected and given
                shapes), a circuit measures nothing or is not ISA (the message
                names the instruction and the backend's basis); nothing was
                submitted.

        Example:
            >>> job = sampler.run([isa_bell, (isa_ansatz, thetas, 500)], shots=1000)
            >>> job.result()[1].data.meas.shape              # one BitArray per parameter set
            (10,)
        """
        if shots is not None and (isinstance(shots, bool) or not isinstance(shots, Integral)
                                  or shots <= 0):
            raise IBMInputValueError(f"shots must be a positive integer, not {shots!r}.")
        coerced = [sampler_pub(pub, shots, i, self._backend) for i, pub in enumerate(_listed(pubs))]
        return self._submit_pubs([sampler_wire(pub) for pub in coerced])


class EstimatorV2(_PrimitiveV2[EstimatorOptions], BaseEstimatorV2):  # type: ignore[misc]
    """Estimates expectation values of observables on ISA circuits on a runtime backend.

    Args:
        mode: Where jobs run: an :class:`~qruntime.IBMBackend` (job mode), a
            :class:`~qruntime.Session` or a :class:`~qruntime.Batch`.
        options: :class:`~qruntime.EstimatorOptions`, or a dict of them.
        backend: The 0.27-era way to give the backend (an ``IBMBackend`` or a name).
        session: The 0.27-era way to give the session.

    Raises:
        IBMInputValueError: No backend is given, or an option is unknown.

    Example:
        .. code-block:: python

            from qiskit.quantum_info import SparsePauliOp
            from qiskit.transpiler import generate_preset_pass_manager
            from qruntime import EstimatorV2, Session

            isa = generate_preset_pass_manager(1, backend=backend).run(ansatz)
            hamiltonian = SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5)])
            with Session(backend=backend) as session:
                estimator = EstimatorV2(mode=session)
                job = estimator.run([(isa, hamiltonian.apply_layout(isa.layout), thetas)],
                                    precision=0.01)
            data = job.result()[0].data
            print(data.evs, data.stds)
    """

    _options_class = EstimatorOptions
    _program_id = "estimator"

    def __init__(self, mode: Mode | None = None,
                 options: EstimatorOptions | dict[str, Any] | None = None, *,
                 backend: IBMBackend | str | None = None, session: Session | None = None
                 ) -> None:
        BaseEstimatorV2.__init__(self)
        _PrimitiveV2.__init__(self, mode, options, backend=backend, session=session)

    def run(self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
            ) -> RuntimeJobV2:
        """Estimate each pub's observables for each of its parameter sets.

        Args:
            pubs: Tuples ``(circuit, observables[, parameter values[, precision]])``;
                circuits must be ISA for the backend, and observables act on
                as many qubits as the circuit (apply the circuit's layout).
            precision: Target standard error of each pub that names none;
                ``None`` uses ``options.default_precision``.

        Returns:
            The job; ``job.result()[i].data`` has ``evs`` and ``stds``, shaped as
            the pub's observables broadcast with its parameter sets.

        Raises:
            IBMInputValueError: Precision is not positive, observables do not
                fit a circuit, parameter values have the wrong shape, or a
                circuit is not ISA; nothing was submitted.

        Example:
            >>> job = estimator.run([(isa_ansatz, [["ZZII"], ["XXII"]], thetas)], precision=0.01)
            >>> job.result()[0].data.evs.shape               # 2 observables x 10 sets
            (2, 10)
        """
        if precision is not None and (isinstance(precision, bool)
                                      or not isinstance(precision, Real) or precision <= 0):
            raise IBMInputValueError(f"precision must be a number > 0, not {precision!r}.")
        coerced = [
            estimator_pub(pub, precision, i, self._backend) for i, pub in enumerate(_listed(pubs))
        ]
        return self._submit_pubs([estimator_wire(pub) for pub in coerced])


def _options_of(kind: type[OptionsT], options: Any) -> OptionsT:
    if options is None:
        return kind()
    if isinstance(options, kind):
        return copy.deepcopy(options)
    if isinstance(options, dict):
        return kind(**options)
    raise IBMInputValueError(
        f"options must be a {kind.__name__} or a dict, not {type(options).__name__}."
    )


def _listed(pubs: Any) -> list[Any]:
    if isinstance(pubs, QuantumCircuit) or (
        isinstance(pubs, tuple) and pubs and isinstance(pubs[0], QuantumCircuit)
    ):
        raise IBMInputValueError(
            "run() takes a list of pubs; wrap a single pub in a list: run([pub])."
        )
    listed = list(pubs)
    if not listed:
        raise IBMInputValueError("run() needs at least one pub.")
    return listed
