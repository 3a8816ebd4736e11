"""The one tie rule of every Monte Carlo p-value in the package.

A simulated value within :data:`TIE_RTOL` of the observed one, relative to the largest
magnitude involved, is a tie and counts on *both* sides of the test. The same arrangement
of values summed in another order differs in the last bits; without the rule such a tie
would fall on one side by rounding. Used by :mod:`mixing.kernels.inference` and
:mod:`mixing.kernels.autocorr`.
"""

from __future__ import annotations

import numpy as np

from mixing.checks import quiet

__all__ = ["TIE_RTOL", "tie_tolerance", "tail_counts"]

#: Relative tolerance under which a simulated value ties with the observed one.
TIE_RTOL = 1e-12


def tie_tolerance(observed: np.ndarray, sims: np.ndarray, axis: int) -> np.ndarray:
    """``TIE_RTOL * (|observed| + max |sims|)`` along ``axis`` of the simulations (NaN skipped).

    >>> float(tie_tolerance(np.array([[2.0]]), np.array([[1.0, -3.0, np.nan]]), axis=1)[0, 0])
    5e-12
    """
    with quiet():
        largest = np.fmax.reduce(np.abs(sims), axis=axis, keepdims=True)
        return TIE_RTOL * (np.abs(observed) + largest)


def tail_counts(sims: np.ndarray, observed: np.ndarray, axis: int) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    """Simulations ``>=`` and ``<=`` the observed value along ``axis``, ties on both sides.

    >>> tail_counts(np.array([[0.1 + 0.2, 0.2, 0.4]]), np.array([[0.3]]), axis=1)
    (array([2]), array([2]))
    """
    tol = tie_tolerance(observed, sims, axis)
    return (sims >= observed - tol).sum(axis=axis), (sims <= observed + tol).sum(axis=axis)
