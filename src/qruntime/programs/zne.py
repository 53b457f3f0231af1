"""Zero-noise extrapolation (ZNE): values at amplified noise, extrapolated to none.

A circuit's two-qubit gates are folded, ``G -> G (G^dagger G)^n``, so that it
runs at noise factors ``F = 2n + 1`` (fractional factors fold a share of the
gates once more), by qiskit-mitigation's :class:`GateFoldingPass`; each
amplified circuit is estimated as any other (:mod:`qruntime.programs.measured`),
and the values are fitted against ``F`` and evaluated at ``F = 0``.

Extrapolators, as IBM names them (``x`` is the noise factor):

==========================  =========================================
``linear``                  ``a + b x``
``polynomial_degree_k``     a polynomial of degree ``k`` (1 to 7)
``exponential``             ``a exp(-b x)``
``double_exponential``      ``a exp(-b x) + c exp(-d x)``
``fallback``                no fit: the value at the lowest factor
==========================  =========================================

A list of extrapolators is tried in order, per observable: the first whose
value at zero noise is finite and within the observable's range (widened by
its standard error) wins; when none is, the one with the smallest standard
error does. Standard errors come from the fit's covariance, to first order.

Example:
    >>> extrapolate([1, 3, 5], np.array([[0.8, 0.55, 0.38]]), np.array([[0.01] * 3]),
    ...             ["exponential", "linear"], [0], np.array([1.0])).values
    array([0.96...])
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.transpiler import PassManager

#: The extrapolators IBM names (``polynomial_degree_k`` for k from 1 to 7).
EXTRAPOLATORS = ("linear", "exponential", "double_exponential", "fallback",
                 *(f"polynomial_degree_{k}" for k in range(1, 8)))

#: The amplifiers that run here, and which gates each folds a fractional factor's
#: extra time on.
AMPLIFIERS = {"gate_folding": "random", "gate_folding_front": "front",
              "gate_folding_back": "back"}


def needed_factors(extrapolator: str) -> int:
    """How many distinct noise factors ``extrapolator`` needs."""
    if extrapolator == "fallback":
        return 1
    if extrapolator in ("linear", "exponential"):
        return 2
    if extrapolator == "double_exponential":
        return 4
    degree = re.fullmatch(r"polynomial_degree_([1-7])", extrapolator)
    if degree is None:
        raise ValueError(f"unknown extrapolator {extrapolator!r}")
    return int(degree.group(1)) + 1


def amplified(circuit: QuantumCircuit, factor: float, amplifier: str = "gate_folding",
              seed: int | None = None) -> QuantumCircuit:
    """``circuit`` with its two-qubit gates folded to noise factor ``factor`` (>= 1)."""
    from qiskit_mitigation.zne import GateFoldingPass

    if factor == 1:
        return circuit
    method: Any = AMPLIFIERS[amplifier]  # one of the pass's literal names
    folding = GateFoldingPass(factor, method=method, seed=seed)
    return PassManager([folding]).run(circuit)


@dataclass(frozen=True)
class Extrapolated:
    """Extrapolated values of observables (leading axes) from their noisy values.

    Attributes:
        values: At zero noise, by the extrapolator chosen for each observable.
        stds: Their standard errors.
        chosen: The chosen extrapolator of each observable.
        curves: ``[..., extrapolator, target]``: every extrapolator at every target factor.
        curve_stds: Their standard errors.
    """

    values: np.ndarray
    stds: np.ndarray
    chosen: np.ndarray
    curves: np.ndarray
    curve_stds: np.ndarray


def extrapolate(factors: Sequence[float], values: np.ndarray, stds: np.ndarray,
                extrapolators: Sequence[str], targets: Sequence[float],
                bounds: np.ndarray) -> Extrapolated:
    """Fit ``values[..., f]`` (at ``factors[f]``, standard errors ``stds``) with each of
    ``extrapolators`` and evaluate them at zero and at ``targets``.

    ``bounds[...]`` is each observable's largest possible magnitude (the sum of its
    coefficients' magnitudes), which decides whether an extrapolation is believable.
    """
    x = np.asarray(factors, dtype=float)
    values, stds = np.asarray(values, float), np.asarray(stds, float)
    shape = values.shape[:-1]
    flat_values, flat_stds = values.reshape(-1, len(x)), stds.reshape(-1, len(x))
    flat_bounds = np.broadcast_to(bounds, shape).reshape(-1)
    points = np.concatenate([[0.0], np.asarray(targets, dtype=float)])
    curves = np.empty((len(flat_values), len(extrapolators), len(points)))
    curve_stds = np.empty_like(curves)
    for i, (y, sigma) in enumerate(zip(flat_values, flat_stds)):
        for e, name in enumerate(extrapolators):
            curves[i, e], curve_stds[i, e] = _fit(name, x, y, sigma, points)
    best = np.empty(len(flat_values))
    best_stds = np.empty(len(flat_values))
    chosen = np.empty(len(flat_values), dtype=object)
    for i in range(len(flat_values)):
        zero, error = curves[i, :, 0], curve_stds[i, :, 0]
        valid = [e for e in range(len(extrapolators))
                 if np.isfinite(zero[e]) and np.isfinite(error[e])
                 and abs(zero[e]) - error[e] <= flat_bounds[i] * (1 + 1e-9)]
        pick = valid[0] if valid else int(np.argmin(np.where(np.isfinite(error), error,
                                                              np.inf)))
        best[i], best_stds[i], chosen[i] = zero[pick], error[pick], extrapolators[pick]
    return Extrapolated(best.reshape(shape), best_stds.reshape(shape),
                        chosen.reshape(shape),
                        curves[:, :, 1:].reshape(*shape, len(extrapolators), len(points) - 1),
                        curve_stds[:, :, 1:].reshape(*shape, len(extrapolators),
                                                     len(points) - 1))


def _fit(name: str, x: np.ndarray, y: np.ndarray, sigma: np.ndarray, points: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """One extrapolator's values and standard errors at ``points`` (NaN when it fails)."""
    failed = np.full(len(points), np.nan), np.full(len(points), np.nan)
    sigma = np.where(sigma > 0, sigma, max(float(sigma.max()), 1e-12) if sigma.size else 1e-12)
    if name == "fallback":
        lowest = int(np.argmin(x))
        return np.full(len(points), y[lowest]), np.full(len(points), sigma[lowest])
    if name.startswith("polynomial_degree_") or name == "linear":
        degree = 1 if name == "linear" else int(name.rsplit("_", 1)[1])
        if len(np.unique(x)) <= degree:
            return failed
        return _linear_model(np.vander(x, degree + 1, increasing=True), y, sigma,
                             np.vander(points, degree + 1, increasing=True))
    model, start = _nonlinear(name, x, y)
    from scipy.optimize import curve_fit

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params, covariance = curve_fit(model, x, y, p0=start, sigma=sigma,
                                           absolute_sigma=True, maxfev=5000)
    except (RuntimeError, ValueError):
        return failed
    at = model(points, *params)
    gradient = np.empty((len(points), len(params)))
    for k in range(len(params)):  # numerical gradient for the first-order errors
        step = 1e-6 * max(1.0, abs(params[k]))
        shifted = params.copy()
        shifted[k] += step
        gradient[:, k] = (model(points, *shifted) - at) / step
    variance = np.einsum("pk,kl,pl->p", gradient, covariance, gradient)
    return at, np.sqrt(np.where(variance >= 0, variance, np.nan))


def _linear_model(design: np.ndarray, y: np.ndarray, sigma: np.ndarray, at: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    weights = 1 / sigma
    coefficients, *_ = np.linalg.lstsq(design * weights[:, None], y * weights, rcond=None)
    covariance = np.linalg.pinv((design * weights[:, None] ** 2).T @ design)
    return at @ coefficients, np.sqrt(np.einsum("pk,kl,pl->p", at, covariance, at))


def _nonlinear(name: str, x: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    """The model function of ``name`` and a starting point from a log-linear fit."""
    positive = np.abs(y) > 1e-9
    sign = 1.0 if np.sum(y) >= 0 else -1.0
    if positive.sum() >= 2:
        slope, intercept = np.polyfit(x[positive], np.log(np.abs(y[positive])), 1)
    else:
        slope, intercept = -0.1, 0.0
    a, b = sign * float(np.exp(intercept)), max(-float(slope), 1e-6)
    if name == "exponential":
        return (lambda t, a, b: a * np.exp(-b * t)), [a, b]
    if name == "double_exponential":
        return ((lambda t, a, b, c, d: a * np.exp(-b * t) + c * np.exp(-d * t)),
                [a / 2, b, a / 2, 2 * b])
    raise ValueError(f"unknown extrapolator {name!r}")
