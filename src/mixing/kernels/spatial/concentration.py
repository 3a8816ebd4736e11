"""Concentration: the space a group occupies (Duncan, Cuzzort & Duncan 1961)."""

from __future__ import annotations

import numpy as np

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.kernels.grouping import exclusive_cumsum, two_group_counts
from mixing.kernels.spatial._common import _vector

__all__ = ["delta", "absolute_concentration", "relative_concentration"]


# ---------------------------------------------------------------------------------------
# concentration: the space a group occupies (Duncan, Cuzzort & Duncan 1961)
# ---------------------------------------------------------------------------------------


@shared_parameters
def delta(group, total, areas, *, groups=None):
    r"""Delta index DEL of Hoover (1941) / Duncan, Cuzzort & Duncan (1961).

    Parameters
    ----------
    {AREA_PARAMETERS}

    Returns
    -------
    DEL : float or numpy.ndarray
        DEL in [0, 1]: the share of the group that would have to move to live at uniform
        density. NaN where the group is absent or no area is left.

    Notes
    -----
    .. math:: DEL = \tfrac12 \sum_i \left\lvert \frac{x_i}{X} - \frac{a_i}{A}
              \right\rvert

    Same definition as ``segregation.singlegroup.Delta``, except that units excluded by
    the project's rule (no people or unknown counts) do not count in :math:`A` either;
    ``segregation`` counts the area of every row it is given.

    References: Duncan, O. D., Cuzzort, R. P. & Duncan, B. (1961), *Statistical Geography*,
    Free Press; Massey & Denton (1988), *Social Forces* 67(2).

    Examples
    --------
    >>> delta([10, 0], [10, 10], [1, 1])
    0.5
    >>> delta([5, 5], [10, 10], [1, 1])
    0.0
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    a = np.where(valid, _vector(areas, x.shape[0], "areas"), 0.0)
    X, A = batch.sum(x), batch.sum(a)
    with quiet():
        return batch.out(0.5 * batch.sum(np.abs(x / X[batch.codes] - a / A[batch.codes])))


def _concentration_parts(group, total, areas, groups):
    """Per-group sums of x a, y a, t a and the sums over the smallest / largest units."""
    x, t, valid, batch = two_group_counts(group, total, groups)
    n = x.shape[0]
    a = np.where(valid, _vector(areas, n, "areas"), 0.0)
    X, T = batch.sum(x), batch.sum(t)
    with quiet():
        share = X / T

        def first_units(order):
            """Units whose predecessors (in ``order``, within the group) hold < X people."""
            codes = batch.codes[order]
            before = exclusive_cumsum(t[order], codes, batch.n_groups)
            inside = np.zeros(n, dtype=bool)
            # segregation: n1 = first k with cumsum_k / T >= X / T, units 0 .. n1-1
            inside[order] = (before / T[codes]) < share[codes]
            return inside

        small = first_units(np.lexsort((a, batch.codes)))
        large = first_units(np.lexsort((-a, batch.codes)))
    ta = t * a
    return dict(
        x=x, t=t, a=a, batch=batch, X=X, T=T,
        xa=batch.sum(x * a), ya=batch.sum((t - x) * a), Y=batch.sum(t - x),
        T1=batch.sum(np.where(small, t, 0.0)), T1a=batch.sum(np.where(small, ta, 0.0)),
        T2=batch.sum(np.where(large, t, 0.0)), T2a=batch.sum(np.where(large, ta, 0.0)),
    )


@shared_parameters
def absolute_concentration(group, total, areas, *, groups=None):
    r"""Absolute concentration ACO: how little space the group occupies (Massey & Denton 1988).

    Parameters
    ----------
    {AREA_PARAMETERS}

    Returns
    -------
    ACO : float or numpy.ndarray
        ACO, 1 when the group lives in the smallest possible space. NaN where the group
        is absent or the bounds coincide (e.g. all units have the same area).

    Notes
    -----
    Units sorted by area, ascending: :math:`n_1` is the number of smallest units whose
    cumulative total first reaches :math:`X`, :math:`n_2` the number of largest units
    that does, :math:`T_1, T_2` their totals. Then

    .. math:: ACO = 1 - \frac{\sum_i x_i a_i / X - \sum_{i \le n_1} t_i a_i / T_1}
                            {\sum_{i > n - n_2} t_i a_i / T_2
                             - \sum_{i \le n_1} t_i a_i / T_1}

    Same definition (and the same :math:`n_1, n_2`, see ``segregation`` issue 43) as
    ``segregation.singlegroup.AbsoluteConcentration``; ties in area are ordered by
    position here (a stable sort) where ``segregation`` uses an unstable one. Only valid
    units count (see :func:`delta`).

    References: Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> absolute_concentration([10, 0, 0], [10, 10, 10], [1, 2, 3])
    1.0
    """
    s = _concentration_parts(group, total, areas, groups)
    with quiet():
        low = s["T1a"] / s["T1"]
        high = s["T2a"] / s["T2"]
        return s["batch"].out(1.0 - (s["xa"] / s["X"] - low) / (high - low))


@shared_parameters
def relative_concentration(group, total, areas, *, groups=None):
    r"""Relative concentration RCO: space of the group against the rest (Massey & Denton 1988).

    Parameters
    ----------
    {AREA_PARAMETERS}

    Returns
    -------
    RCO : float or numpy.ndarray
        RCO: positive when the group occupies less space than the rest, 1 when it fills
        the smallest units. Not bounded by -1 below (the formula is not symmetric: a
        group filling the largest units can give -5). NaN where the group or the rest is
        absent or all units have the same area.

    Notes
    -----
    With :math:`n_1, n_2, T_1, T_2` as in :func:`absolute_concentration`,

    .. math:: RCO = \frac{\dfrac{\sum_i x_i a_i / X}{\sum_i y_i a_i / Y} - 1}
                         {\dfrac{\sum_{i \le n_1} t_i a_i / T_1}
                                 {\sum_{i > n - n_2} t_i a_i / T_2} - 1}

    Same definition as ``segregation.singlegroup.RelativeConcentration``.

    References: Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> relative_concentration([10, 0], [10, 10], [1, 3])
    1.0
    """
    s = _concentration_parts(group, total, areas, groups)
    with quiet():
        ratio = (s["xa"] / s["X"]) / (s["ya"] / s["Y"])
        bound = (s["T1a"] / s["T1"]) / (s["T2a"] / s["T2"])
        return s["batch"].out((ratio - 1.0) / (bound - 1.0))
