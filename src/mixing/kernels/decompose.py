r"""Decompose a difference in segregation into a spatial and an attribute part (Shapley).

Two contexts A and B -- two municipalities, two years, or a situation before and after a
scenario -- have indices :math:`G_A` and :math:`G_B`. Part of the difference comes from the
*attribute* (how many residents of the group there are and how their shares are
distributed over the units: "fewer social homes"), part from the *spatial structure*
(which units get which share, and how big the units are: "better spread"). Counterfactual
populations swap one of the two between the contexts, and the Shapley value averages the
two orders of switching (Shorrocks 2013), so that the two parts add up to the difference.

This is PySAL ``segregation.decomposition.DecomposeSegregation`` (Rey et al. 2021) as a
numpy kernel; numbers agree with it (tests/test_decompose_reference.py).

References
----------
Rey, S. J., Cortes, R. & Knaap, E. (2021), Comparative spatial segregation analytics,
*Spatial Demography* 9, 31-64.
Shorrocks, A. F. (2013), Decomposition procedures for distributional analysis: a unified
framework based on the Shapley value, *Journal of Economic Inequality* 11, 99-126.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.kernels.lookup import two_group_kernels

__all__ = ["APPROACHES", "DifferenceDecomposition", "counterfactual", "decompose_difference"]

#: The counterfactual approaches, as ``counterfactual_approach`` in ``segregation``.
APPROACHES = ("composition", "share", "dual_composition")



@dataclass(frozen=True)
class DifferenceDecomposition:
    """Result of :func:`decompose_difference`.

    ``difference == shapley_spatial + shapley_attribute`` (up to rounding).

    Attributes
    ----------
    shapley_spatial : float
        Part of ``index_a - index_b`` due to the spatial structure (segregation's ``c_s``).
    shapley_attribute : float
        Part due to the attribute distribution (segregation's ``c_a``).
    difference : float
        ``index_a - index_b``.
    index_a, index_b : float
        The index of each context (segregation's ``s1_a1``, ``s2_a2``).
    index_a_structure_b_attribute : float
        A's units with B's attribute distribution (``s1_a2``).
    index_b_structure_a_attribute : float
        B's units with A's attribute distribution (``s2_a1``).
    approach : str
    """

    shapley_spatial: float
    shapley_attribute: float
    difference: float
    index_a: float
    index_b: float
    index_a_structure_b_attribute: float
    index_b_structure_a_attribute: float
    approach: str


def _clean(group, total, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(group, dtype=np.float64)
    t = np.asarray(total, dtype=np.float64)
    if x.ndim != 1 or x.shape != t.shape:
        raise InputError(f"`group_{name}` {x.shape} and `total_{name}` {t.shape} must be "
                         "1-D arrays of equal length", fix="pass one count per unit")
    bad = np.flatnonzero(np.isfinite(x) & np.isfinite(t) & ((x < 0) | (x > t)))
    if bad.size:
        i = int(bad[0])
        raise InputError(f"context {name}: unit {i} has group {float(x[i])!r} outside "
                         f"[0, total={float(t[i])!r}]",
                         fix="group counts must be 0 <= group <= total")
    keep = np.isfinite(x) & np.isfinite(t) & (t > 0)  # the project's exclusion rule
    if keep.sum() < 2:
        raise InputError(f"context {name} has fewer than 2 units with residents",
                         fix="pass the units of a municipality (or scenario) with counts")
    return x[keep], t[keep]


def _swap(values: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Each value replaced by the value at its percentile rank in ``other``.

    Percentile rank = average rank / n (pandas ``rank(pct=True)``); the value at that
    quantile of ``other`` is linearly interpolated (pandas ``Series.quantile``).
    """
    q = rankdata(values, method="average") / values.size
    return np.quantile(other, q, method="linear")


def counterfactual(group_a, total_a, group_b, total_b, approach="composition"):
    r"""Counterfactual populations: each context's units with the other's attribute.

    Parameters
    ----------
    group_a, total_a, group_b, total_b : array_like
        Counts of the group of interest and totals per unit of contexts A and B (units
        with NaN or total 0 are dropped first).
    approach : {"composition", "share", "dual_composition"}
        See Notes.

    Returns
    -------
    tuple of numpy.ndarray
        ``(group_a_cf, total_a_cf, group_b_cf, total_b_cf)`` for the kept units of A and B.

    Notes
    -----
    With :math:`r(v)` the percentile rank of a unit's value among its own context's units
    and :math:`Q_B` the (linearly interpolated) quantile function of the same quantity in
    the other context:

    * ``composition``: group share of the unit :math:`s_i = x_i / t_i` becomes
      :math:`Q_B(r(s_i))`; counterfactual group :math:`t_i Q_B(r(s_i))`, total :math:`t_i`
      (unit sizes kept).
    * ``dual_composition``: the same for the group *and* for the rest
      :math:`(t_i - x_i) / t_i`; the counterfactual total is the sum of both.
    * ``share``: the unit's share of the city's group :math:`x_i / X` becomes
      :math:`Q_B(r(\cdot))`, rescaled to sum to 1 and multiplied by :math:`X` (the city keeps
      its group size); the same for the rest; the total is the sum.

    As ``segregation.inference.comparative.sim_composition``, ``sim_dual_composition``,
    ``sim_share``.
    """
    if approach not in APPROACHES:
        raise InputError(f"unknown counterfactual approach {approach!r}; valid: "
                         f"{', '.join(APPROACHES)}")
    xa, ta = _clean(group_a, total_a, "a")
    xb, tb = _clean(group_b, total_b, "b")
    ra, rb = ta - xa, tb - xb
    if approach == "composition":
        sa, sb = xa / ta, xb / tb
        return _swap(sa, sb) * ta, ta.copy(), _swap(sb, sa) * tb, tb.copy()
    if approach == "dual_composition":
        sa, sb = xa / ta, xb / tb
        ca, cb = ra / ta, rb / tb
        ga, gb = _swap(sa, sb) * ta, _swap(sb, sa) * tb
        oa, ob = _swap(ca, cb) * ta, _swap(cb, ca) * tb
        return ga, ga + oa, gb, gb + ob

    def share(v_a, v_b):
        with quiet():
            sh_a, sh_b = np.nan_to_num(v_a / v_a.sum()), np.nan_to_num(v_b / v_b.sum())
        cf_a, cf_b = _swap(sh_a, sh_b), _swap(sh_b, sh_a)
        with quiet():
            return (np.nan_to_num(cf_a / cf_a.sum() * v_a.sum()),
                    np.nan_to_num(cf_b / cf_b.sum() * v_b.sum()))

    ga, gb = share(xa, xb)
    oa, ob = share(ra, rb)
    return ga, ga + oa, gb, gb + ob


def _resolve(index) -> Callable:
    if callable(index):
        return index
    kernels = two_group_kernels()
    if index not in kernels:
        raise InputError(f"unknown index {index!r}; the decomposition needs a two-group "
                         "index (group, total)", fix=f"use one of {list(kernels)}")
    return kernels[index]


def decompose_difference(index, group_a, total_a, group_b, total_b, *,
                         approach="composition", kwargs_a: Mapping | None = None,
                         kwargs_b: Mapping | None = None, args_a: tuple = (),
                         args_b: tuple = ()) -> DifferenceDecomposition:
    r"""Shapley decomposition of :math:`G_A - G_B` into spatial and attribute parts.

    Parameters
    ----------
    index : str or callable
        A two-group index: a name of the aspatial or spatial family of
        :mod:`mixing.catalogue` (e.g. ``"dissimilarity"``), or any callable
        ``f(group, total, *args, **kwargs) -> float``.
    group_a, total_a : array_like
        Group and total counts per unit of context A (e.g. Den Haag, or a scenario's
        "after"). Units with NaN or total 0 are dropped before anything else.
    group_b, total_b : array_like
        The same for context B.
    approach : {"composition", "share", "dual_composition"}, default "composition"
        How counterfactual populations are built (:func:`counterfactual`).
    kwargs_a, kwargs_b : mapping, optional
        Extra keyword arguments for ``index`` evaluated on A's (B's) units, e.g. a
        ``seed``. The counterfactual A keeps A's units, so it is evaluated with
        ``kwargs_a`` (and ``args_a``).
    args_a, args_b : tuple, optional
        Extra positional arguments after ``(group, total)``: the geometry a spatial kernel
        needs (``catalogue.index(name).needs``), built for each context's *kept* units.

    Returns
    -------
    DifferenceDecomposition

    Notes
    -----
    With :math:`G(S, A)` the index of spatial structure S (units, their sizes and order)
    and attribute distribution A:

    .. math::
        C_S &= \tfrac12 [G(S_A, A_A) - G(S_B, A_A) + G(S_A, A_B) - G(S_B, A_B)] \\
        C_A &= \tfrac12 [G(S_A, A_A) - G(S_A, A_B) + G(S_B, A_A) - G(S_B, A_B)]

    and :math:`C_S + C_A = G_A - G_B`. Equals ``segregation``'s
    ``DecomposeSegregation(index_a, index_b, counterfactual_approach=...)`` attributes
    ``c_s``, ``c_a`` (and ``indices``) on the same units. Read for a scenario: A = after,
    B = before; a negative ``shapley_attribute`` says the group's shares became less
    unequal ("fewer / more evenly sized concentrations"), a negative ``shapley_spatial``
    that the same shares were placed in a less segregated way ("better spread").

    References: Rey, Cortes & Knaap (2021), *Spatial Demography* 9, 31-64; Shorrocks
    (2013), *Journal of Economic Inequality* 11, 99-126.

    Examples
    --------
    >>> d = decompose_difference("dissimilarity", [10, 0, 5], [10, 10, 10], [2, 4, 4],
    ...                          [10, 10, 10])
    >>> round(d.shapley_spatial + d.shapley_attribute - d.difference, 12)
    0.0
    """
    f = _resolve(index)
    ka, kb = dict(kwargs_a or {}), dict(kwargs_b or {})
    xa, ta = _clean(group_a, total_a, "a")
    xb, tb = _clean(group_b, total_b, "b")
    gac, tac, gbc, tbc = counterfactual(xa, ta, xb, tb, approach)
    s1a1, s2a2 = float(f(xa, ta, *args_a, **ka)), float(f(xb, tb, *args_b, **kb))
    s1a2, s2a1 = float(f(gac, tac, *args_a, **ka)), float(f(gbc, tbc, *args_b, **kb))
    c_s = 0.5 * (s1a1 - s2a1 + s1a2 - s2a2)
    c_a = 0.5 * (s1a1 - s1a2 + s2a1 - s2a2)
    return DifferenceDecomposition(c_s, c_a, s1a1 - s2a2, s1a1, s2a2, s1a2, s2a1, approach)
