r"""Compare years: index trends with intervals, tests, per-unit change, and why M changed.

:func:`compare_years` takes units of several years on one geometry (match them first with
:func:`mixing.geometry.harmonise.harmonise`) and returns four tidy tables: the trend of every index
per year (with bootstrap intervals), a test of the difference between consecutive years,
the change of each unit's shares, and the decomposition of the change in the mutual
information index M (:func:`mutual_information_difference`).

Why M changed (Elbers 2023)
---------------------------
M can change because the *groups* changed size (more residents with a non-western
background everywhere), because the *units* changed size (a new-build buurt grew), or
because the groups sorted differently over the units -- only the last is a structural
change in segregation. Elbers (2023) separates these with iterative proportional fitting
(IPF, Deming & Stephan 1940): IPF gives a table with the association structure (odds
ratios) of one year and the margins of another, so M can be evaluated for every
combination of group margins, unit margins and structure from year A or B. Shapley
values (Shorrocks 2013) average each factor's contribution over the orders in which the
factors can be switched: first margins (jointly) against structure, then the marginal part
split into group and unit margins. Units and groups present in one year only are split
off first as additions / removals. The formulas are those of Elbers' own implementation,
``segregation::mutual_difference(method = "shapley")`` (R package ``segregation``).

References
----------
Elbers, B. (2023), A method for studying differences in segregation across time and
space, *Sociological Methods & Research* 52(1), 5-42.
Deming, W. E. & Stephan, F. F. (1940), On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known, *Annals of Mathematical Statistics*
11(4), 427-444.
Mora, R. & Ruiz-Castillo, J. (2011), Entropy-based segregation indices, *Sociological
Methodology* 41, 159-194.
Shorrocks, A. F. (2013), Decomposition procedures for distributional analysis: a unified
framework based on the Shapley value, *Journal of Economic Inequality* 11, 99-126.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixing.catalogue import HEADLINE_INDICES
from mixing.checks import integer, quiet
from mixing.dimensions import DIMENSIONS
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels import multigroup
from mixing.kernels.grouping import group_generators, make_batch
from mixing.kernels.inference import bootstrap_ci, two_value_test
from mixing.kernels.mutual import bootstrap_summary, log_base
from mixing.tables.frames import index_table
from mixing.tables.regions import composition

__all__ = [
    "COMPONENTS",
    "FILL",
    "METHODS",
    "components",
    "IPFConvergenceWarning",
    "MDifference",
    "YearComparison",
    "ipf",
    "mutual_information_difference",
    "unit_change",
    "compare_years",
]

#: Components of :class:`MDifference`, in table order.
COMPONENTS = ("M_first", "M_second", "difference", "group_marginal", "unit_marginal",
              "structural", "additions", "removals")
#: Methods of :func:`mutual_information_difference` (R ``mutual_difference(method = )``).
METHODS = ("shapley", "km", "mrc", "shapley_detailed", "shapley_detailed_marginal")


def components(method: str = "shapley") -> tuple[str, ...]:
    """The components a method reports: :data:`COMPONENTS`, plus ``interaction`` for km."""
    return COMPONENTS[:5] + ("interaction",) + COMPONENTS[5:] if method == "km" else COMPONENTS

#: Count given to empty cells of the common support before IPF (R ``create_common_data``).
FILL = 1e-10


class IPFConvergenceWarning(UserWarning):
    """Iterative proportional fitting stopped at ``max_iter`` before reaching ``tol``."""


# ----------------------------------------------------------------------------- IPF
def _column_sums(x: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    return np.stack([np.bincount(codes, weights=x[:, k], minlength=n)
                     for k in range(x.shape[1])], axis=1)


def ipf(seed, unit_margin, group_margin, *, groups=None, tol=1e-10, max_iter=10_000,
        precision=None):
    r"""Iterative proportional fitting of a units x groups table to given margins.

    Parameters
    ----------
    seed : array_like
        ``(units, k)`` non-negative table whose association structure is kept.
    unit_margin : array_like
        ``(units,)`` target row sums.
    group_margin : array_like
        ``(k,)``, or ``(n_groups, k)`` with ``groups``: target column sums (per group).
    groups : array_like, optional
        One id per unit (e.g. municipality): every group is fitted independently, all in
        one vectorised loop.
    tol : float, default 1e-10
        Stop when every margin is within a factor :math:`e^{\text{tol}}` of its target.
    max_iter : int, default 10000
        Maximum number of cycles (one group step and one unit step each).
    precision : float, optional
        None (default): iterate to the fixed point (``tol``). A number switches to the
        stopping rule of R ``segregation::ipf`` (argument ``precision``, R's default
        0.001): margins are compared as *proportions* after every half step (group step
        first), and each municipality stops as soon as every group and unit proportion
        is within ``precision`` of its target (absolute difference). Margins must then
        be given as proportions (sum 1 per group), as
        :func:`mutual_information_difference` does.

    Returns
    -------
    numpy.ndarray
        ``(units, k)`` table with (approximately) the target margins and the odds ratios of
        ``seed``. Zero cells stay zero.

    Notes
    -----
    Alternately :math:`x_{ik} \leftarrow x_{ik} G_k / \sum_i x_{ik}` and
    :math:`x_{ik} \leftarrow x_{ik} U_i / \sum_k x_{ik}` (Deming & Stephan 1940); the
    limit is the table closest to ``seed`` in Kullback-Leibler divergence with the target
    margins, which preserves every odds ratio :math:`x_{ik} x_{jl} / (x_{il} x_{jk})`.
    Target margins must have equal totals per group.

    Examples
    --------
    >>> ipf([[1.0, 1.0], [1.0, 3.0]], [4.0, 4.0], [3.0, 5.0]).round(6).tolist()
    [[2.0, 2.0], [1.0, 3.0]]
    """
    x = np.array(seed, dtype=np.float64)
    U = np.asarray(unit_margin, dtype=np.float64)
    batch = make_batch(groups, x.shape[0])
    G = np.asarray(group_margin, dtype=np.float64).reshape(batch.n_groups, x.shape[1])
    codes, n = batch.codes, batch.n_groups
    if precision is not None:
        return _ipf_precision(x, U, G, codes, n, float(precision), max_iter)
    with quiet():
        for _ in range(max_iter):
            col = _column_sums(x, codes, n)
            x *= np.where(col > 0, G / col, 0.0)[codes]
            row = x.sum(axis=1)
            x *= np.where(row > 0, U / row, 0.0)[:, None]
            col = _column_sums(x, codes, n)
            gap = np.abs(np.log(col[G > 0] / G[G > 0]))
            if gap.size == 0 or gap.max() <= tol:
                break
        else:
            warnings.warn(f"IPF did not converge in {max_iter} iterations (largest margin "
                          f"gap {gap.max():.2e} > tol {tol:.0e})", IPFConvergenceWarning,
                          stacklevel=2)
    return x


def _ipf_precision(x, U, G, codes, n, precision, max_iter):
    """IPF with R ``segregation::ipf_compute``'s stopping rule (see :func:`ipf`).

    Vectorised over municipalities; a municipality that has converged is frozen while the
    others go on, so each stops where a separate call would.
    """
    if not precision > 0:
        raise InputError(f"argument `precision` must be > 0, got {precision!r}",
                         fix="pass e.g. precision=0.001 (R's default), or None")
    active = np.ones(n, dtype=bool)
    with quiet():
        for step in range(2 * max_iter):
            rows = active[codes]
            if step % 2 == 0:  # group (column) step first, as R before it randomised the start
                col = _column_sums(x, codes, n)
                factor = np.where(col > 0, G / col, 0.0)[codes]
                x[rows] *= factor[rows]
            else:
                row = x.sum(axis=1)
                factor = np.where(row > 0, U / row, 0.0)
                x[rows] *= factor[rows][:, None]
            col_gap = np.abs(_column_sums(x, codes, n) - G).max(axis=1, initial=0.0)
            row_gap = np.zeros(n)
            np.maximum.at(row_gap, codes, np.abs(x.sum(axis=1) - U))
            active &= ~((col_gap <= precision) & (row_gap <= precision))
            if not active.any():
                break
        else:
            warnings.warn(f"IPF did not reach precision {precision} in {max_iter} iterations "
                          f"for {int(active.sum())} group(s)", IPFConvergenceWarning,
                          stacklevel=3)
    return x


# ----------------------------------------------------------------------------- Elbers
@dataclass(frozen=True, eq=False)
class MDifference:
    """Decomposition of :math:`M_2 - M_1` (:func:`mutual_information_difference`).

    All fields are floats, or arrays in ``np.unique(groups)`` order.
    ``difference == group_marginal + unit_marginal + structural + additions + removals``
    (+ ``interaction`` for ``method="km"``).

    Attributes
    ----------
    M_first, M_second : M of each dataset (all units and groups).
    difference : ``M_second - M_first``.
    group_marginal : change due to the changed sizes of the population groups.
    unit_marginal : change due to the changed sizes of the units.
    structural : change in how groups sort over units, margins held fixed.
    additions : change due to units / groups present only in ``second``.
    removals : change due to units / groups present only in ``first``.
    labels : numpy.ndarray or None
    se, bias, ci_low, ci_high : mapping of component name to value, or None
        Bootstrap summaries (``se=True``); the components are then bias-corrected.
    replicates : int
        Bootstrap replicates, 0 without ``se``.
    interaction : float, numpy.ndarray or None
        ``method="km"`` only: the part of the marginal change that neither margin
        explains alone.
    method : str
        One of :data:`METHODS`.
    detail : pandas.DataFrame or None
        ``shapley_detailed`` / ``shapley_detailed_marginal``: long table ``group, unit,
        stat, value`` per unit of the common support (``unit`` = row position).
    """

    M_first: float | np.ndarray
    M_second: float | np.ndarray
    difference: float | np.ndarray
    group_marginal: float | np.ndarray
    unit_marginal: float | np.ndarray
    structural: float | np.ndarray
    additions: float | np.ndarray
    removals: float | np.ndarray
    labels: np.ndarray | None = None
    se: Mapping[str, float | np.ndarray] | None = None
    bias: Mapping[str, float | np.ndarray] | None = None
    ci_low: Mapping[str, float | np.ndarray] | None = None
    ci_high: Mapping[str, float | np.ndarray] | None = None
    replicates: int = 0
    interaction: float | np.ndarray | None = None
    method: str = "shapley"
    detail: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Tidy table ``group, component, value`` (components in :data:`COMPONENTS` order).

        With a bootstrap (``replicates > 0``) also ``se, bias, ci_low, ci_high``.
        """
        labels = [None] if self.labels is None else list(self.labels)
        extra = ("se", "bias", "ci_low", "ci_high") if self.replicates else ()
        return pd.concat([pd.DataFrame({"group": labels, "component": c,
                                        "value": np.atleast_1d(getattr(self, c)),
                                        **{e: np.atleast_1d(getattr(self, e)[c])
                                           for e in extra}})
                          for c in components(self.method)], ignore_index=True)


def _clean(counts, name) -> np.ndarray:
    c = np.array(counts, dtype=np.float64)
    if c.ndim != 2:
        raise InputError(f"argument `{name}` must be (units, groups), got shape {c.shape}")
    bad = np.isfinite(c) & (c < 0)
    if bad.any():
        raise InputError(f"argument `{name}` has negative counts", value=float(c[bad][0]))
    c[~np.isfinite(c).all(axis=1)] = 0.0  # unknown units are absent (project rule)
    return c


def _fill(a: np.ndarray, b: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per group: :data:`FILL`, or a thousandth of the smallest positive count if below it.

    As R ``segregation``'s ``create_common_data`` (since Dec 2018, "IPF with very small
    weights"): the filled count must stay far below every observed count of either year,
    or the fill itself would carry weight in the fitted tables.
    """
    smallest = np.full(n, np.inf)
    for x in (a, b):
        pos = x > 0
        np.minimum.at(smallest, np.broadcast_to(codes[:, None], x.shape)[pos], x[pos])
    return np.where(FILL > smallest, smallest / 1000, FILL)


@shared_parameters
def mutual_information_difference(first, second, *, groups=None, tol=1e-10, max_iter=10_000,
                                  precision=None, method="shapley", se=False, replicates=100,
                                  ci=0.95, seed=None, base=np.e):
    r"""Decompose the change of M between two datasets of the same units (Elbers 2023).

    Parameters
    ----------
    first, second : array_like
        ``(units, k)`` counts of the two years, aligned row by row (a unit absent in a
        year has a row of zeros or NaN there).
    groups : array_like, optional
        One id per unit (e.g. municipality): one decomposition per group, vectorised.
    tol, max_iter
        IPF convergence (:func:`ipf`).
    precision : float, optional
        None (default): every IPF runs to its fixed point, so the components are those of
        the exact Shapley decomposition. A number uses R ``segregation``'s stopping rule
        instead (:func:`ipf`; R's default is ``precision = 0.001``), which reproduces R's
        printed components up to R's own run-to-run noise.
    method : {"shapley", "km", "mrc", "shapley_detailed", "shapley_detailed_marginal"}
        ``"shapley"`` (default): Elbers (2023), below. ``"km"``: Karmel & Maclachlan
        (1988) -- A's structure refitted to B's group margins, unit margins and both;
        reports ``interaction``. ``"mrc"``: Mora & Ruiz-Castillo (2009) -- no IPF:
        the change of the units' entropy (``unit_marginal``), of the population
        groups' sizes weighing their conditional unit distributions
        (``group_marginal``) and of those distributions (``structural``).
        ``"shapley_detailed"`` / ``"shapley_detailed_marginal"``: the Shapley
        components, with :attr:`MDifference.detail` splitting ``structural`` /
        ``unit_marginal`` over the units (see Notes). All methods split off additions
        and removals the same way.
    se : bool, default False
        Bootstrap (R ``mutual_difference(se = TRUE)``): each replicate redraws the
        residents of both years from their observed cells (multinomial, per
        municipality) and decomposes again; the result carries ``se``, ``bias``,
        ``ci_low``, ``ci_high`` and bias-corrected components (R ``bootstrap_summary``:
        percentiles of the debiased replicates). All replicates of all municipalities go
        through one vectorised IPF. With a detailed method the per-unit rows of
        :attr:`MDifference.detail` get ``se``, ``bias``, ``ci_low`` and ``ci_high`` too.
    {R_BOOTSTRAP}

    Returns
    -------
    MDifference
        Components are NaN for a municipality whose two years share no unit and
        population group with residents (without ``groups`` this is an error, as in R).

    Notes
    -----
    Let A = ``first``, B = ``second`` restricted to the common support (units with
    residents in both years, population groups present in both), and :math:`M_{gus}` the
    M of the table with group margins of year g, unit margins of year u and the
    structure of year s (IPF of table s to those margins). Empty cells of the common
    support get the count :data:`FILL` = 1e-10 before fitting (a thousandth of the
    smallest positive count of either year when that is smaller), as R
    ``segregation``'s ``create_common_data``. Then (Elbers 2023, Shapley values over the
    three factors):

    .. math::
        \text{structural} &= \tfrac12 (M_{AAB} - M_{AAA}) + \tfrac12 (M_{BBB} - M_{BBA}) \\
        \text{group} &= \tfrac14 [(M_{BAA} - M_{AAA}) + (M_{BBA} - M_{ABA})
                        + (M_{BBB} - M_{ABB}) + (M_{BAB} - M_{AAB})] \\
        \text{unit} &= \tfrac14 [(M_{ABA} - M_{AAA}) + (M_{BBA} - M_{BAA})
                        + (M_{BBB} - M_{BAB}) + (M_{ABB} - M_{AAB})] \\
        \text{additions} &= M_2 - M_{BBB}, \qquad \text{removals} = M_{AAA} - M_1

    so the five components add up to :math:`M_2 - M_1` exactly.

    The other methods, on the same common support and with :math:`M_{gus}` as above
    (Karmel & Maclachlan 1988; Mora & Ruiz-Castillo 2009; R ``mutual_difference``):

    .. math::
        \text{km:}\quad & \text{group} = M_{BAA} - M_{AAA}, \;
            \text{unit} = M_{ABA} - M_{AAA}, \;
            \text{interaction} = M_{BBA} - M_{BAA} - M_{ABA} + M_{AAA}, \;
            \text{structural} = M_{BBB} - M_{BBA} \\
        \text{mrc:}\quad & \text{unit} = E^B_u - E^A_u, \;
            \text{group} = \tfrac12 \sum_k (P^B_k - P^A_k)(S^A_k + S^B_k), \;
            \text{structural} = \tfrac12 \sum_k (P^A_k + P^B_k)(S^B_k - S^A_k)

    with :math:`E_u = -\sum_i p_i \ln p_i` the units' entropy and
    :math:`S_k = \sum_i p_{i|k} \ln p_{i|k}`, since :math:`M = E_u + \sum_k P_k S_k`.

    Detail (R ``shapley_detailed``): M is a sum of unit terms :math:`p_i\, ls_i`, so each
    Shapley difference splits by unit. ``total`` of unit i is
    :math:`\tfrac12 (T^{AAB}_i - T^{AAA}_i) + \tfrac12 (T^{BBB}_i - T^{BBA}_i)` with
    :math:`T = p_i ls_i` of that table (the units' totals add up to ``structural``),
    reported with ``p1``, ``p2`` (the unit's shares), ``ls_diff1`` =
    :math:`ls^{AAB}_i - ls^{AAA}_i`, ``ls_diff2`` = :math:`ls^{BBB}_i - ls^{BBA}_i`
    and their mean ``ls_diff_mean``; ``total`` ~ ``(p1 ls_diff1 + p2 ls_diff2) / 2``
    up to the IPF tolerance (R's test identity). ``shapley_detailed_marginal`` splits
    ``unit_marginal`` the same way over its four differences (stat ``unit_marginal``).
    R's current source for the detailed methods and km/mrc is not in the offline peer
    folder; these are derived from the definitions above and checked against the
    identities R's tests assert (tests/test_mutual_reference_r.py). Call with the
    tables transposed for the split over population groups.

    *Tolerance matters.* The margins of the six fitted tables are only as close to their
    targets as the IPF stopping rule makes them, and the components are small differences
    of M values of those tables. With R's default (``precision = 0.001``: every margin
    proportion within 0.001 of its target) the group / unit / structural split can differ
    from the fixed point in the third decimal -- enough to flip the sign of a small
    structural component. R's own README for ``schools00`` -> ``schools05`` has printed
    ``structural`` as +0.00318 and as -0.00349 in different versions (and R >= 1.1 starts
    IPF with a random step, so its split varies run to run). The default here is the
    fixed point (``tol = 1e-10`` on the log margin ratios), which does not depend on the
    order of the steps; pass ``precision=0.001`` to mimic R. Identical datasets give
    zeros; scaling one population group everywhere changes only ``group_marginal``
    (the odds ratios are unchanged), up to the IPF tolerance.

    References: Elbers (2023), *Sociological Methods & Research* 52(1), 5-42; Deming &
    Stephan (1940).

    Examples
    --------
    >>> a = [[90, 10], [10, 90]]
    >>> d = mutual_information_difference(a, a)
    >>> abs(d.difference) + abs(d.structural) < 1e-12
    True
    """
    a, b = _clean(first, "first"), _clean(second, "second")
    if a.shape != b.shape:
        raise InputError(f"`first` {a.shape} and `second` {b.shape} differ in shape",
                         fix="align both years on the same units (harmonise first)")
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; valid: {', '.join(METHODS)}",
                         fix='pass method="shapley" (the default, Elbers 2023)')
    unit_log = log_base(base)
    if se:
        return _bootstrap_difference(a, b, groups, replicates, ci, seed, base, method,
                                     dict(tol=tol, max_iter=max_iter, precision=precision))
    batch = make_batch(groups, a.shape[0])
    codes, n = batch.codes, batch.n_groups
    gid = codes if groups is not None else None

    def terms(x):
        return _unit_terms(x, batch) / unit_log

    def M_exact(x):  # the index itself, so that identical inputs give exact zeros
        return np.atleast_1d(multigroup.mutual_information(x, groups=gid)) / unit_log

    M1, M2 = M_exact(a), M_exact(b)
    common = (a.sum(axis=1) > 0) & (b.sum(axis=1) > 0)
    cols = (_column_sums(a, codes, n) > 0) & (_column_sums(b, codes, n) > 0)
    support = common[:, None] & cols[codes]
    a0, b0 = np.where(support, a, 0.0), np.where(support, b, 0.0)
    no_common = batch.sum(support.sum(axis=1).astype(np.float64)) == 0
    if batch.scalar and no_common[0]:
        raise InputError("`first` and `second` have no unit and population group with "
                         "residents in both years in common; the change cannot be decomposed",
                         fix="pass the same units and population groups for both years")
    t_AAA, t_BBB = terms(a0), terms(b0)
    m_AAA, m_BBB = M_exact(a0), M_exact(b0)

    def out(values):  # components are undefined for a municipality without common support
        return batch.out(np.where(no_common, np.nan, values))

    head = dict(M_first=batch.out(M1), M_second=batch.out(M2), difference=batch.out(M2 - M1),
                additions=out(M2 - m_BBB), removals=out(m_AAA - M1), labels=batch.labels,
                method=method)
    if method == "mrc":
        group, unit, structural = _mrc(a0, b0, batch)
        return MDifference(**head, group_marginal=out(group / unit_log),
                           unit_marginal=out(unit / unit_log),
                           structural=out(structural / unit_log))
    fill = _fill(a, b, codes, n)[codes][:, None]
    af = np.where(support & (a0 == 0), fill, a0)
    bf = np.where(support & (b0 == 0), fill, b0)
    with quiet():  # proportions: both years' margins sum to 1 per group
        af = af / batch.sum(af.sum(axis=1))[codes][:, None]
        bf = bf / batch.sum(bf.sum(axis=1))[codes][:, None]
    af, bf = np.nan_to_num(af), np.nan_to_num(bf)
    ua, ub = af.sum(axis=1), bf.sum(axis=1)
    ga, gb = _column_sums(af, codes, n), _column_sums(bf, codes, n)

    def fit(seed, u, g):
        return terms(ipf(seed, u, g, groups=gid, tol=tol, max_iter=max_iter,
                         precision=precision))

    # t_GUS: unit terms of the table with group margins G, unit margins U, structure S
    t_BBA, t_ABA, t_BAA = fit(af, ub, gb), fit(af, ub, ga), fit(af, ua, gb)
    m_BBA, m_ABA, m_BAA = batch.sum(t_BBA), batch.sum(t_ABA), batch.sum(t_BAA)
    if method == "km":
        return MDifference(**head, group_marginal=out(m_BAA - m_AAA),
                           unit_marginal=out(m_ABA - m_AAA),
                           interaction=out(m_BBA - m_BAA - m_ABA + m_AAA),
                           structural=out(m_BBB - m_BBA))
    t_AAB, t_BAB, t_ABB = fit(bf, ua, ga), fit(bf, ua, gb), fit(bf, ub, ga)
    structural_u = 0.5 * (t_AAB - t_AAA) + 0.5 * (t_BBB - t_BBA)  # sums to structural
    unit_u = 0.25 * ((t_ABA - t_AAA) + (t_BBA - t_BAA) + (t_BBB - t_BAB) + (t_ABB - t_AAB))
    m = {name: batch.sum(t) for name, t in (("AAB", t_AAB), ("BAB", t_BAB), ("ABB", t_ABB))}
    group = 0.25 * ((m_BAA - m_AAA) + (m_BBA - m_ABA) + (m_BBB - m["ABB"])
                    + (m["BAB"] - m["AAB"]))
    detail = None
    if method == "shapley_detailed":
        detail = _structural_detail(batch, common, structural_u, ua, ub,
                                    (t_AAA, t_AAB, t_BBA, t_BBB, a0, b0))
    elif method == "shapley_detailed_marginal":
        detail = _detail_frame(batch, common, {"unit_marginal": unit_u})
    return MDifference(**head, group_marginal=out(group), unit_marginal=out(batch.sum(unit_u)),
                       structural=out(batch.sum(structural_u)), detail=detail)


def _unit_terms(x: np.ndarray, batch) -> np.ndarray:
    r"""Each unit's term :math:`p_i \, ls_i` of M (natural log), per group; 0 if empty."""
    codes = batch.codes
    t = x.sum(axis=1)
    with quiet():
        T = batch.sum(t)[codes]
        P = (_column_sums(x, codes, batch.n_groups) / batch.sum(t)[:, None])[codes]
        cond = np.nan_to_num(x / t[:, None])
        ls = np.where(cond > 0, cond * np.log(np.where(cond > 0, cond, 1.0) / P), 0.0)
        return np.nan_to_num(t / T) * ls.sum(axis=1)


def _mrc(a0: np.ndarray, b0: np.ndarray, batch):
    """Mora & Ruiz-Castillo (2009) split of M(b0) - M(a0): group, unit, structural (nats)."""
    codes, n = batch.codes, batch.n_groups

    def parts(x):
        t = x.sum(axis=1)
        T = batch.sum(t)
        with quiet():
            p_unit = np.nan_to_num(t / T[codes])
            E = -batch.sum(np.where(p_unit > 0, p_unit * np.log(np.where(p_unit > 0, p_unit,
                                                                          1.0)), 0.0))
            col = _column_sums(x, codes, n)
            p_group = np.nan_to_num(col / T[:, None])
            cond = np.nan_to_num(x / col[codes])  # p(i | k)
            S = _column_sums(np.where(cond > 0, cond * np.log(np.where(cond > 0, cond, 1.0)),
                                      0.0), codes, n)
        return E, p_group, S

    Ea, pa, Sa = parts(a0)
    Eb, pb, Sb = parts(b0)
    group = 0.5 * ((pb - pa) * (Sb + Sa)).sum(axis=1)
    structural = 0.5 * ((pa + pb) * (Sb - Sa)).sum(axis=1)
    return group, Eb - Ea, structural


def _detail_frame(batch, keep: np.ndarray, stats: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Long ``group, unit, stat, value`` for the units of the common support."""
    rows = np.flatnonzero(keep)
    labels = batch.labels[batch.codes[rows]] if batch.labels is not None else None
    return pd.concat([pd.DataFrame({"group": labels, "unit": rows, "stat": name,
                                    "value": np.asarray(values)[rows]})
                      for name, values in stats.items()], ignore_index=True)


def _structural_detail(batch, common, total, ua, ub, tables) -> pd.DataFrame:
    """Per-unit structural contributions (``method="shapley_detailed"``)."""
    t_AAA, t_AAB, t_BBA, t_BBB, a0, b0 = tables
    codes = batch.codes
    with quiet():
        p1 = np.nan_to_num(a0.sum(axis=1) / batch.sum(a0.sum(axis=1))[codes])
        p2 = np.nan_to_num(b0.sum(axis=1) / batch.sum(b0.sum(axis=1))[codes])
        ls_diff1 = t_AAB / ua - t_AAA / p1
        ls_diff2 = t_BBB / p2 - t_BBA / ub
    return _detail_frame(batch, common, {
        "p1": p1, "p2": p2, "ls_diff1": ls_diff1, "ls_diff2": ls_diff2,
        "ls_diff_mean": 0.5 * (ls_diff1 + ls_diff2), "total": total})


def _bootstrap_difference(a, b, groups, replicates, ci, seed, base, method, ipf_options):
    """:func:`mutual_information_difference` with ``se=True`` (see there)."""
    if not 0 < ci < 1:
        raise InputError(f"argument `ci` must be in (0, 1), got {ci!r}", fix="pass e.g. 0.95")
    reps = integer(replicates, "replicates", 2, example=100)
    est = mutual_information_difference(a, b, groups=groups, base=base, method=method,
                                        **ipf_options)
    batch = make_batch(groups, a.shape[0])
    gens = group_generators(seed, batch)
    rows_a, rows_b, ids, origin = [], [], [], []
    for g, gen in enumerate(gens):
        idx = np.flatnonzero(batch.codes == g)
        origin.append(np.tile(idx, reps))
        for year, rows in ((a, rows_a), (b, rows_b)):
            cells = year[idx]
            total = cells.sum()
            draws = (gen.multinomial(int(np.rint(total)), (cells / total).ravel(), size=reps)
                     if total > 0 else np.zeros((reps, cells.size)))
            rows.append(draws.reshape(reps * idx.size, -1).astype(np.float64))
        ids.append(g * reps + np.repeat(np.arange(reps), idx.size))
    boot = mutual_information_difference(np.concatenate(rows_a), np.concatenate(rows_b),
                                         groups=np.concatenate(ids), base=base, method=method,
                                         **ipf_options)
    values, summaries = {}, {k: {} for k in ("se", "bias", "ci_low", "ci_high")}
    for name in components(method):
        observed = np.atleast_1d(getattr(est, name))
        sims = np.asarray(getattr(boot, name)).reshape(batch.n_groups, reps).T
        mean, sd, bias, lo, hi = bootstrap_summary(observed, sims, ci)
        values[name] = batch.out(mean)
        for key, part in zip(summaries, (sd, bias, lo, hi), strict=True):
            summaries[key][name] = batch.out(part)
    detail = est.detail
    if detail is not None:  # per unit and statistic; a unit empty in a replicate is left out
        d = boot.detail
        unit = np.concatenate(origin)[d["unit"].to_numpy()]
        rep = d["group"].to_numpy(np.int64) % reps
        sims = pd.Series(d["value"].to_numpy(), index=pd.MultiIndex.from_arrays(
            [rep, unit, d["stat"].to_numpy()])).unstack([1, 2])
        keys = pd.MultiIndex.from_arrays([detail["unit"], detail["stat"]])
        sims = sims.reindex(index=range(reps), columns=keys).to_numpy(np.float64)
        parts = bootstrap_summary(detail["value"].to_numpy(np.float64), sims, ci)
        detail = detail.assign(**dict(zip(("value", "se", "bias", "ci_low", "ci_high"), parts,
                                          strict=True)))
    return MDifference(**values, labels=batch.labels, **summaries, replicates=reps,
                       method=method, detail=detail)


# ----------------------------------------------------------------------------- frames
@dataclass(frozen=True, eq=False)
class YearComparison:
    """Result of :func:`compare_years`; every table is tidy.

    Attributes
    ----------
    trends : DataFrame
        ``municipality_code, year, level, dimension, index, value, n_units, ci_low,
        ci_high, se``; intervals NaN when ``seed`` is None.
    tests : DataFrame
        ``municipality_code, year_from, year_to, dimension, index, value_from, value_to,
        difference, p_value, n_units`` (two-value test per consecutive pair); empty when
        ``seed`` is None.
    units : DataFrame
        Per-unit change (:func:`unit_change`).
    decomposition : DataFrame
        ``municipality_code, year_from, year_to, groups, component, value``
        (:func:`mutual_information_difference` per pair).
    notes : tuple of str
        What was left out and why (e.g. no bootstrap available).
    """

    trends: pd.DataFrame
    tests: pd.DataFrame
    units: pd.DataFrame
    decomposition: pd.DataFrame
    notes: tuple[str, ...] = ()


def unit_change(first: pd.DataFrame, second: pd.DataFrame, *,
                dimensions: Sequence[str] = ("social_housing", "migration")) -> pd.DataFrame:
    """Share of each dimension's group per unit in two years, and the difference.

    Parameters
    ----------
    first, second : DataFrame
        Canonical units of two years on the same geometry (same ``unit_code``).
    dimensions : sequence of str
        Names of :data:`mixing.dimensions.DIMENSIONS`.

    Returns
    -------
    DataFrame
        ``unit_code, unit_name, municipality_code, year_from, year_to, dimension,
        total_from, total_to, share_from, share_to, difference`` (shares in [0, 1],
        ``difference = share_to - share_from``; NaN where a share is unknown or the
        total is 0). Units present in one year only are kept with NaN for the other.
    """
    keys = ["unit_code"]
    a = first.drop_duplicates(keys).set_index("unit_code")
    b = second.drop_duplicates(keys).set_index("unit_code")
    codes = a.index.union(b.index, sort=True)
    a, b = a.reindex(codes), b.reindex(codes)
    frames = []
    for name in dimensions:
        if name not in DIMENSIONS:
            raise InputError(f"unknown dimension {name!r}; valid: {sorted(DIMENSIONS)}")
        dim = DIMENSIONS[name]
        with quiet():
            ta, tb = a[dim.total].astype(float), b[dim.total].astype(float)
            sa = (a[dim.group].astype(float) / ta).where(ta > 0)
            sb = (b[dim.group].astype(float) / tb).where(tb > 0)
        frames.append(pd.DataFrame({
            "unit_code": codes, "unit_name": a["unit_name"].combine_first(b["unit_name"])
            if "unit_name" in a else codes,
            "municipality_code": a["municipality_code"].combine_first(b["municipality_code"]),
            "year_from": int(first["year"].iloc[0]), "year_to": int(second["year"].iloc[0]),
            "dimension": name, "total_from": ta.to_numpy(), "total_to": tb.to_numpy(),
            "share_from": sa.to_numpy(), "share_to": sb.to_numpy(),
            "difference": (sb - sa).to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def _aligned(first: pd.DataFrame, second: pd.DataFrame):
    """Both years on the union of their unit codes, in one order."""
    a = first.set_index("unit_code")
    b = second.set_index("unit_code")
    codes = a.index.union(b.index, sort=True)
    return a.reindex(codes), b.reindex(codes)


def _trends(units, dimensions, indices, seed, replicates) -> pd.DataFrame:
    trends = index_table(units, dimensions=tuple(dimensions), indices=tuple(indices),
                         inference_indices=())
    trends[["ci_low", "ci_high", "se"]] = np.nan
    if seed is None:
        return trends
    key = units["municipality_code"].astype(str) + "|" + units["year"].astype(str)
    for name in dimensions:
        dim = DIMENSIONS[name]
        for index in indices:
            res = bootstrap_ci(index, units[dim.group].to_numpy(float),
                               units[dim.total].to_numpy(float), groups=key.to_numpy(),
                               replicates=replicates, seed=seed)
            labels = pd.Series(res.labels).str.split("|", expand=True)
            ci = pd.DataFrame({"municipality_code": labels[0], "year": labels[1].astype(int),
                               "dimension": name, "index": index, "lo": res.ci_low,
                               "hi": res.ci_high, "sd": res.sd})
            trends = trends.merge(ci, on=["municipality_code", "year", "dimension", "index"],
                                  how="left")
            hit = trends["lo"].notna() | trends["hi"].notna()
            trends.loc[hit, "ci_low"] = trends.loc[hit, "lo"]
            trends.loc[hit, "ci_high"] = trends.loc[hit, "hi"]
            trends.loc[hit, "se"] = trends.loc[hit, "sd"]
            trends = trends.drop(columns=["lo", "hi", "sd"])
    return trends


def compare_years(
    units_by_year: Mapping[int, pd.DataFrame],
    *,
    dimensions: Sequence[str] = ("social_housing", "migration"),
    indices: Sequence[str] = HEADLINE_INDICES,
    groups: str | Sequence[str] = "migration_background",
    seed: int | None,
    replicates: int = 199,
    permutations: int = 199,
    pairs: Sequence[tuple[int, int]] | None = None,
) -> YearComparison:
    """Compare segregation across years: trends, tests, per-unit change, change of M.

    Parameters
    ----------
    units_by_year : mapping of int to DataFrame
        Canonical units of one level per year, on one geometry (same codes; see
        :func:`mixing.geometry.harmonise.harmonise`). Several municipalities may be stacked.
    dimensions : sequence of str
        Two-group dimensions (:data:`mixing.dimensions.DIMENSIONS`) for trends, tests and
        unit change. Dimensions without any known group count in a year are skipped
        for that year by :func:`mixing.tables.frames.index_table`.
    indices : sequence of str
        Two-group kernels (:mod:`mixing.kernels.aspatial`).
    groups : str or sequence of str, default "migration_background"
        Population groups for the M decomposition (:func:`mixing.tables.regions.composition`),
        e.g. western / non-western / rest.
    seed : int or None
        Root seed of the bootstrap and permutation draws; None skips them.
    replicates, permutations : int
        Bootstrap replicates per interval; permutations per two-value test.
    pairs : sequence of (int, int), optional
        Year pairs to compare; default consecutive years.

    Returns
    -------
    YearComparison

    Notes
    -----
    Intervals: :func:`mixing.kernels.inference.bootstrap_ci` (percentile, residents resampled
    within units), one call per (dimension, index) for all municipalities and years.
    Tests: :func:`mixing.kernels.inference.two_value_test` with ``null="paired_swap"`` -- the two
    years describe the *same* units, so each unit's rows swap years at random. Both need
    random draws: with ``seed=None`` they are left out and :attr:`YearComparison.notes`
    says so. The decomposition of M is
    :func:`mutual_information_difference` (Elbers 2023) per municipality.
    """
    if len(units_by_year) < 1:
        raise InputError("units_by_year is empty", fix="pass {year: units, ...}")
    years = sorted(units_by_year)
    pairs = list(zip(years[:-1], years[1:], strict=True)) if pairs is None else list(pairs)
    for pair in pairs:
        missing = [y for y in pair if y not in units_by_year]
        if missing:
            raise InputError(f"pair {pair}: years {missing} not in units_by_year {years}")
    notes = []
    if seed is None:
        notes.append("seed=None: no intervals and no tests (they need random draws)")
    frames = [units_by_year[y].assign(year=int(y)) for y in years]
    stacked = pd.concat(frames, ignore_index=True)
    present = [d for d in dimensions if DIMENSIONS[d].group in stacked
               and stacked[DIMENSIONS[d].group].notna().any()]
    trends = _trends(stacked, present, indices, seed, replicates)

    tests, changes, decompositions = [], [], []
    for y1, y2 in pairs:
        first = units_by_year[y1].assign(year=int(y1))
        second = units_by_year[y2].assign(year=int(y2))
        a, b = _aligned(first, second)
        municipality = a["municipality_code"].combine_first(b["municipality_code"]).astype(str)
        changes.append(unit_change(first, second, dimensions=present))
        d = mutual_information_difference(composition(a, groups), composition(b, groups),
                                          groups=municipality.to_numpy())
        frame = d.to_frame().rename(columns={"group": "municipality_code"})
        decompositions.append(frame.assign(year_from=int(y1), year_to=int(y2),
                                           groups=groups if isinstance(groups, str)
                                           else "+".join(groups)))
        if seed is not None:
            tests.append(_pair_tests(a, b, municipality, y1, y2, present, indices, seed,
                                     permutations))
    columns = ["municipality_code", "year_from", "year_to", "groups", "component", "value"]
    test_columns = ["municipality_code", "year_from", "year_to", "dimension", "index",
                    "value_from", "value_to", "difference", "p_value", "n_units"]
    return YearComparison(
        trends=trends,
        tests=pd.concat(tests, ignore_index=True) if tests else pd.DataFrame(columns=test_columns),
        units=pd.concat(changes, ignore_index=True) if changes else pd.DataFrame(),
        decomposition=pd.concat(decompositions, ignore_index=True)[columns]
        if decompositions else pd.DataFrame(columns=columns),
        notes=tuple(notes))


def _pair_tests(a, b, municipality, y1, y2, dimensions, indices, seed, permutations):
    rows = []
    for name in dimensions:
        dim = DIMENSIONS[name]
        xa, ta = a[dim.group].to_numpy(float), a[dim.total].to_numpy(float)
        xb, tb = b[dim.group].to_numpy(float), b[dim.total].to_numpy(float)
        if not (np.isfinite(xa).any() and np.isfinite(xb).any()):
            continue
        usable = (np.isfinite(xa) & np.isfinite(ta) & (ta > 0)
                  & np.isfinite(xb) & np.isfinite(tb) & (tb > 0))
        n_units = pd.Series(usable).groupby(municipality.to_numpy()).sum()
        for index in indices:
            # second - first: positive difference = more segregated in the later year
            res = two_value_test(index, (xb, tb), (xa, ta), groups=municipality.to_numpy(),
                                 null="paired_swap", permutations=permutations, seed=seed)
            rows.append(pd.DataFrame({
                "municipality_code": res.labels, "year_from": int(y1), "year_to": int(y2),
                "dimension": name, "index": index, "value_from": res.value_second,
                "value_to": res.value_first, "difference": res.difference,
                "p_value": res.p_value,
                "n_units": n_units.reindex(res.labels).to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
