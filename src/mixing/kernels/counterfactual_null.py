r"""The counterfactual null of a two-value test (``segregation``'s TwoValueTest approaches).

Two contexts A and B (two municipalities, or two years) are compared under the null that
their difference is due to the *attribute* distribution only: each context's units get
the other context's attribute distribution by the counterfactual of
:func:`mixing.kernels.decompose.counterfactual` (composition, share or dual
composition), and a simulated context is a coin-flip mixture, unit by unit, of its own
and its counterfactual counts. The simulated differences
:math:`\tilde\Delta_r = I(\tilde A_r) - I(\tilde B_r)` form the null distribution of the
observed :math:`\Delta = I(A) - I(B)` (Rey, Cortes & Knaap 2021; ``segregation``
``TwoValueTest(null_approach=...)``).

Used by :func:`mixing.kernels.inference.two_value_test` (``null="composition"``,
``"share"``, ``"dual_composition"``).

References
----------
Rey, S. J., Cortes, R. & Knaap, E. (2021), Comparative spatial segregation analytics,
*Spatial Demography* 9, 31-64.
"""

from __future__ import annotations

import numpy as np

from mixing.kernels.decompose import APPROACHES, counterfactual

__all__ = ["APPROACHES", "counterfactual_null"]


def _kept(group, total) -> tuple[np.ndarray, np.ndarray]:
    """The units :func:`counterfactual` keeps (finite counts, total > 0), in order."""
    x = np.asarray(group, dtype=np.float64)
    t = np.asarray(total, dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(t) & (t > 0)
    return x[keep], t[keep]


def counterfactual_null(kernel, first, second, approach, replicates, rng, kwargs):
    r"""Simulated differences ``(replicates,)`` under the counterfactual null.

    Parameters
    ----------
    kernel : callable
        Two-group index ``f(group, total, *, groups=None, **kwargs)``.
    first, second : tuple of array_like
        ``(group, total)`` of contexts A and B (any lengths).
    approach : {"composition", "share", "dual_composition"}
    replicates : int
    rng : numpy.random.Generator
    kwargs : mapping
        Passed to the kernel.

    Returns
    -------
    numpy.ndarray

    Notes
    -----
    With :math:`(x_i, t_i)` a unit's counts and :math:`(x^c_i, t^c_i)` its counterfactual,
    each replicate draws a fair coin per unit and uses :math:`x_i` or :math:`x^c_i` as
    the group count. The total is :math:`t_i` for ``composition`` (where
    :math:`t^c_i = t_i`) and :math:`t^c_i` for ``share`` and ``dual_composition``, as in
    ``segregation`` (which pairs the unit's *observed* group count with the
    counterfactual total). Where that observed count exceeds the counterfactual total
    ``segregation`` computes with a share above 1; here it is capped at the total.
    All replicates of both contexts are evaluated in two kernel calls (one id per
    replicate).
    """
    xa, ta = _kept(*first)
    xb, tb = _kept(*second)
    ga, tca, gb, tcb = counterfactual(xa, ta, xb, tb, approach)
    if approach != "composition":
        ta, tb = tca, tcb

    def simulate(x, xc, t):
        coin = rng.random((replicates, x.size)) > 0.5
        sim = np.minimum(np.where(coin, x, xc), t)
        ids = np.repeat(np.arange(replicates), x.size)
        return np.asarray(kernel(sim.ravel(), np.tile(t, replicates), groups=ids, **kwargs),
                          dtype=np.float64)

    return simulate(xa, ga, ta) - simulate(xb, gb, tb)
