r"""The mutual information index M and Theil's H, complete: inference and local parts.

Companion of :mod:`mixing.kernels.multigroup` (which holds the point estimates M, H and
their between/within decomposition) after Elbers' R package ``segregation``:

* :func:`mutual_total` -- M and H (optionally the part *within* clusters), with bootstrap
  standard errors, bias correction and percentile intervals (R ``mutual_total(se = TRUE)``);
* :func:`mutual_expected` -- M and H expected when there is no segregation at all, i.e.
  when residents are allocated to units at random (R ``mutual_expected``);
* :func:`mutual_local` -- the local segregation scores of every unit and every population
  group, whose weighted sums are M (R ``mutual_local``).

The change of M between two years is decomposed in
:func:`mixing.tables.change.mutual_information_difference` (R ``mutual_difference``).

Every kernel takes ``counts`` shaped (units, k) -- one column per population group -- and
optionally ``groups`` (one id per unit, e.g. the municipality code). Units with NaN in any
column or a row total of 0 are excluded (:mod:`mixing.kernels.grouping`).

Random draws use one generator per municipality keyed by its code
(:func:`mixing.kernels.grouping.group_generators`), so a batch gives the same numbers as
separate calls. Resampling draws *residents*, so counts are rounded to whole residents for
the draws (R refuses non-integer totals instead).

Notation: unit :math:`i`, population group :math:`k`, count :math:`c_{ik}`, unit total
:math:`t_i`, :math:`T = \sum_i t_i`, :math:`p_i = t_i / T`, :math:`P_k = \sum_i c_{ik} / T`,
:math:`p_{k|i} = c_{ik} / t_i`, :math:`p_{i|k} = c_{ik} / (T P_k)`.

References
----------
Theil, H. (1971), *Principles of Econometrics*, Wiley.
Mora, R. & Ruiz-Castillo, J. (2011), Entropy-based segregation indices, *Sociological
Methodology* 41, 159-194.
Elbers, B. (2023), A method for studying differences in segregation across time and space,
*Sociological Methods & Research* 52(1), 5-42; R package ``segregation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixing.checks import integer, quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.grouping import group_generators, make_batch, multigroup_counts
from mixing.kernels.multigroup import mutual_information_decomposition

__all__ = [
    "MutualTotal",
    "mutual_total",
    "MutualExpected",
    "mutual_expected",
    "MutualLocal",
    "mutual_local",
    "MutualLocalExpected",
    "mutual_local_expected",
    "log_base",
    "bootstrap_summary",
]



# ----------------------------------------------------------------------------- helpers
def log_base(base) -> float:
    r""":math:`\ln(\text{base})`: divide natural-log M and local scores by it (R ``base``).

    H is a ratio of two such quantities and does not depend on the base.
    """
    b = float(base)
    if not (np.isfinite(b) and b > 0 and b != 1):
        raise InputError(f"argument `base` must be a positive number other than 1, "
                         f"got {base!r}",
                         fix="pass e.g. base=2 (bits), or leave the default e (nats)")
    return float(np.log(b))


def _xlogx_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The terms p ln(p / q), with 0 ln 0 = 0."""
    with quiet():
        return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)


def _m_and_h(tab: np.ndarray, onehot: np.ndarray | None = None):
    """M and H of tables ``(..., units, k)``; with ``onehot`` (units, clusters): within part.

    The within part is ``total - between`` with ``between`` the M (H) of the cluster-pooled
    table, as R ``mutual_total(within = )``.
    """
    def mh(x):
        T = x.sum(axis=(-2, -1))
        with quiet():
            p = x / T[..., None, None]
        pu = p.sum(axis=-1, keepdims=True)
        pg = p.sum(axis=-2, keepdims=True)
        M = _xlogx_ratio(p, pu * pg).sum(axis=(-2, -1))
        E = -_xlogx_ratio(pg, 1.0).sum(axis=(-2, -1))
        with quiet():
            return M, np.where(E > 0, M / E, np.nan)

    M, H = mh(tab)
    if onehot is not None:
        Mb, Hb = mh(np.einsum("...nk,nc->...ck", tab, onehot))
        M, H = M - Mb, H - Hb
    return M, H


def _municipality_cells(counts, groups, within=None):
    """Validated counts, batch, per-municipality unit positions and cluster one-hots."""
    c, valid, batch = multigroup_counts(counts, groups)
    members, onehots = [], []
    cl = None if within is None else make_batch(within, c.shape[0])
    for g in range(batch.n_groups):
        idx = np.flatnonzero((batch.codes == g) & valid)
        members.append(idx)
        if cl is None:
            onehots.append(None)
        else:
            _, local = np.unique(cl.codes[idx], return_inverse=True)
            onehots.append(np.eye(int(local.max()) + 1 if idx.size else 0)[local])
    return c, batch, members, onehots


def bootstrap_summary(est: np.ndarray, boot: np.ndarray, ci: float):
    r"""Bootstrap summary of R ``segregation``'s ``bootstrap_summary``.

    ``boot`` holds the replicates on axis 0. R debiases every replicate,
    :math:`d_b = 2\,\hat\theta - \theta^*_b`, and reports their mean
    (:math:`2\hat\theta - \bar\theta^*`), their standard deviation (ddof 1), the bias
    :math:`\bar\theta^* - \hat\theta` and the percentile interval *of the debiased
    replicates* (R ``quantile`` type 7 = numpy ``linear``). Returns ``(estimate, se,
    bias, ci_low, ci_high)``.
    """
    with quiet():
        if not boot.size:
            nan = np.full(np.shape(est), np.nan)
            return nan, nan, nan, nan, nan
        debiased = 2 * est - boot
        mean = np.nanmean(debiased, axis=0)
        se = np.nanstd(debiased, axis=0, ddof=1)
        lo, hi = np.nanquantile(debiased, [(1 - ci) / 2, 1 - (1 - ci) / 2], axis=0)
    return mean, se, est - mean, lo, hi


# ----------------------------------------------------------------------------- total
@dataclass(frozen=True, eq=False)
class MutualTotal:
    """M and H of a municipality, optionally bias-corrected with bootstrap errors.

    All fields are floats, or arrays in ``np.unique(groups)`` order. Without ``se`` the
    ``*_se``, ``*_bias`` and ``*_ci_*`` fields are NaN and ``M``, ``H`` are the plain
    estimates.

    Attributes
    ----------
    M, H : estimates (bias-corrected when ``se=True``: ``plain - bias``).
    M_se, H_se : bootstrap standard deviations (ddof 1).
    M_bias, H_bias : mean of the bootstrap replicates minus the plain estimate.
    M_ci_low, M_ci_high, H_ci_low, H_ci_high : percentile interval of the debiased
        replicates :math:`2 M - M^*_b` (R ``bootstrap_summary``).
    replicates : int, 0 without ``se``.
    labels : numpy.ndarray or None
    """

    M: float | np.ndarray
    H: float | np.ndarray
    M_se: float | np.ndarray
    H_se: float | np.ndarray
    M_bias: float | np.ndarray
    H_bias: float | np.ndarray
    M_ci_low: float | np.ndarray
    M_ci_high: float | np.ndarray
    H_ci_low: float | np.ndarray
    H_ci_high: float | np.ndarray
    replicates: int = 0
    labels: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """Tidy ``group, stat, est, se, bias, ci_low, ci_high`` (stat M and H)."""
        labels = [None] if self.labels is None else list(self.labels)
        rows = []
        for stat in ("M", "H"):
            rows.append(pd.DataFrame({
                "group": labels, "stat": stat,
                **{col: np.atleast_1d(getattr(self, f"{stat}{suffix}"))
                   for col, suffix in (("est", ""), ("se", "_se"), ("bias", "_bias"),
                                       ("ci_low", "_ci_low"), ("ci_high", "_ci_high"))}}))
        return pd.concat(rows, ignore_index=True)


@shared_parameters
def mutual_total(counts, *, groups=None, within=None, se=False, replicates=100, ci=0.95,
                 seed=None, base=np.e):
    r"""Mutual information M and Theil's H, with bootstrap bias correction and errors.

    Parameters
    ----------
    {MULTI_COUNTS}
    groups : array_like, optional
        One id per unit (e.g. municipality); if given, every field is an array with one
        value per group in ``np.unique(groups)`` order.
    within : array_like, optional
        One cluster id per unit (e.g. the wijk of each buurt): report the segregation
        *within* clusters, :math:`M - M_{\text{between}}` (and the same for H), as R
        ``mutual_total(within = )``. Cluster ids only need to be unique per group.
    se : bool, default False
        Bootstrap: standard errors, bias and intervals, and bias-corrected ``M``, ``H``.
    replicates : int, default 100
        Bootstrap replicates (R's ``n_bootstrap``; R's default is also 100).
    ci : float, default 0.95
        Coverage of the percentile interval.
    {R_SEED_BASE}

    Returns
    -------
    MutualTotal

    Notes
    -----
    .. math:: M = \sum_i \sum_k \frac{c_{ik}}{T} \ln \frac{c_{ik} T}{t_i \, T P_k},
              \qquad H = \frac{M}{E}, \quad E = -\sum_k P_k \ln P_k

    Bootstrap (Elbers 2023, R ``mutual_total(se = TRUE)``): every replicate draws
    :math:`N = \operatorname{round}(T)` residents from the multinomial distribution with
    cell probabilities :math:`c_{ik} / T` and recomputes M and H. With :math:`\bar M^*`
    the mean of the replicates, the bias is :math:`\bar M^* - M` and the reported
    estimate :math:`M - \text{bias} = 2M - \bar M^*`; the standard error is the standard
    deviation of the replicates and the interval the ``ci`` percentile interval of the
    debiased replicates :math:`2M - M^*_b` (R's ``bootstrap_summary``; for skewed
    replicates this is not the replicates' own interval shifted by the bias). M is
    biased upwards in small samples (a unit with few residents rarely matches the city's
    mix by chance), so the correction lowers it.

    References: Theil (1971); Mora & Ruiz-Castillo (2011); Elbers (2023), *Sociological
    Methods & Research* 52(1), 5-42.

    Examples
    --------
    >>> r = mutual_total([[10, 0], [0, 10]])
    >>> round(r.M, 6), r.H
    (0.693147, 1.0)
    """
    if not 0 < ci < 1:
        raise InputError(f"argument `ci` must be in (0, 1), got {ci!r}", fix="pass e.g. 0.95")
    unit = log_base(base)
    c, batch, members, onehots = _municipality_cells(counts, groups, within)
    if within is None:
        d = mutual_information_decomposition(c, np.zeros(c.shape[0]), groups=batch.codes)
        M, H = np.atleast_1d(d.total) / unit, np.atleast_1d(d.H_total)
    else:
        d = mutual_information_decomposition(c, within, groups=batch.codes)
        M, H = np.atleast_1d(d.within) / unit, np.atleast_1d(d.H_within)
    nan = np.full(batch.n_groups, np.nan)
    if not se:
        return MutualTotal(batch.out(M), batch.out(H), *[batch.out(nan)] * 8,
                           replicates=0, labels=batch.labels)
    reps = integer(replicates, "replicates", 2, example=100)
    gens = group_generators(seed, batch)
    out = {name: nan.copy() for name in ("M", "H", "Ms", "Hs", "Mb", "Hb", "Ml", "Mh",
                                         "Hl", "Hh")}
    for g, (gen, idx, onehot) in enumerate(zip(gens, members, onehots, strict=True)):
        if idx.size == 0:
            continue
        cells = c[idx]
        T = cells.sum()
        draws = gen.multinomial(int(np.rint(T)), (cells / T).ravel(), size=reps)
        bm, bh = _m_and_h(draws.reshape(reps, *cells.shape).astype(np.float64), onehot)
        bm = bm / unit
        (out["M"][g], out["Ms"][g], out["Mb"][g], out["Ml"][g],
         out["Mh"][g]) = bootstrap_summary(M[g], bm, ci)
        (out["H"][g], out["Hs"][g], out["Hb"][g], out["Hl"][g],
         out["Hh"][g]) = bootstrap_summary(H[g], bh, ci)
    o = {k: batch.out(v) for k, v in out.items()}
    return MutualTotal(o["M"], o["H"], o["Ms"], o["Hs"], o["Mb"], o["Hb"], o["Ml"], o["Mh"],
                       o["Hl"], o["Hh"], replicates=reps, labels=batch.labels)


# ----------------------------------------------------------------------------- expected
@dataclass(frozen=True, eq=False)
class MutualExpected:
    """M and H expected under random allocation (:func:`mutual_expected`).

    Attributes
    ----------
    M, H : mean over the simulated tables (R's ``M under 0`` / ``H under 0``).
    M_se, H_se : their standard deviations over the simulations (ddof 1).
    replicates : int
    labels : numpy.ndarray or None
    """

    M: float | np.ndarray
    H: float | np.ndarray
    M_se: float | np.ndarray
    H_se: float | np.ndarray
    replicates: int
    labels: np.ndarray | None = None


def _random_table(gen, unit_tot: np.ndarray, group_tot: np.ndarray) -> np.ndarray:
    """(reps, units, k) tables with the given margins, residents allocated at random.

    ``unit_tot`` (reps, units) and ``group_tot`` (reps, k), integer, equal totals per
    replicate. Unit by unit, the unit's residents are drawn without replacement from the
    residents not yet placed (a multivariate hypergeometric draw, as k - 1 univariate
    ones), vectorised over replicates: the same distribution as R's ``r2dtable``.
    """
    reps, n = unit_tot.shape
    k = group_tot.shape[1]
    pool = group_tot.astype(np.int64).copy()
    tab = np.zeros((reps, n, k), dtype=np.int64)
    for j in range(n):
        need = unit_tot[:, j].astype(np.int64).copy()
        for col in range(k - 1):
            rest = pool[:, col + 1:].sum(axis=1)
            x = gen.hypergeometric(pool[:, col], rest, need)
            tab[:, j, col] = x
            need -= x
        tab[:, j, k - 1] = need
        pool -= tab[:, j]
    return tab


def _null_tables(gen, cells: np.ndarray, fixed_margins: bool, reps: int):
    """(reps, units, k) float tables of no segregation with the margins of ``cells``.

    None when fewer than two units or population groups have residents (R: NA).
    """
    cells = np.rint(cells)
    u, k = cells.sum(axis=1), cells.sum(axis=0)
    if (u > 0).sum() < 2 or (k > 0).sum() < 2:
        return None
    N = int(u.sum())
    if fixed_margins:
        ut, kt = np.broadcast_to(u, (reps, u.size)), np.broadcast_to(k, (reps, k.size))
    else:
        ut = gen.multinomial(N, u / N, size=reps)
        kt = gen.multinomial(N, k / N, size=reps)
    return _random_table(gen, ut, kt).astype(np.float64)


@shared_parameters
def mutual_expected(counts, *, groups=None, within=None, fixed_margins=True, replicates=100,
                    seed=None, base=np.e):
    r"""M and H expected when residents are allocated to units at random (no segregation).

    Parameters
    ----------
    {MULTI_COUNTS}
    {GROUPS}
    within : array_like, optional
        One cluster id per unit (e.g. the wijk of each buurt): simulate within every
        cluster separately and report the average weighted by the clusters' shares of
        residents, as R ``mutual_total_expected(within = )``. Clusters with a single unit
        or population group have no null distribution and are left out (R's "singleton
        items"); the weights are the shares among the remaining clusters.
    fixed_margins : bool, default True
        Keep every unit's size and every population group's size as observed (R's
        default). False draws both margins first from multinomial distributions with the
        observed shares, as R ``mutual_expected(fixed_margins = FALSE)``.
    replicates : int, default 100
        Number of simulated tables (R's ``n_bootstrap``).
    {R_SEED_BASE}

    Returns
    -------
    MutualExpected
        NaN where a municipality has fewer than two units or population groups.

    Notes
    -----
    Each simulated table has the margins :math:`t_i` and :math:`T P_k` (counts rounded to
    whole residents) and residents placed at random -- the null of no segregation; M and H
    (:func:`mutual_total`) of each table are averaged. M is not 0 under this null: for
    large N, :math:`2 N M` is approximately :math:`\chi^2` with :math:`(n - 1)(k - 1)`
    degrees of freedom, so :math:`E[M] \approx (n - 1)(k - 1) / (2N)`. An observed M
    close to this value says the units are too small to show segregation.

    With ``within``, cluster c (share :math:`p_c` of the residents of the clusters kept)
    gives :math:`E_c` and :math:`s_c`; the result is :math:`\sum_c p_c E_c` with
    standard error :math:`\sqrt{\sum_c p_c s_c^2}` (R ``mutual_total_expected``).

    References: Elbers (2023); R ``segregation::mutual_total_expected``; Carrington, W. J.
    & Troske, K. R. (1997), On measuring segregation in samples with small units, *Journal
    of Business & Economic Statistics* 15(4), 402-409.

    Examples
    --------
    >>> e = mutual_expected([[50, 50], [50, 50]], replicates=200, seed=1)
    >>> 0 < e.M < 0.02
    True
    """
    reps = integer(replicates, "replicates", 2, example=100)
    unit = log_base(base)
    c, batch, members, onehots = _municipality_cells(counts, groups, within)
    gens = group_generators(seed, batch)
    res = np.full((4, batch.n_groups), np.nan)
    for g, (gen, idx, onehot) in enumerate(zip(gens, members, onehots, strict=True)):
        clusters = [idx] if onehot is None else [idx[col > 0] for col in onehot.T]
        parts = []  # (residents, M mean, H mean, M sd, H sd) per cluster with a null
        for members_c in clusters:
            tables = _null_tables(gen, c[members_c], fixed_margins, reps)
            if tables is None:
                continue
            M, H = _m_and_h(tables)
            M = M / unit
            parts.append((c[members_c].sum(), M.mean(), H.mean(), M.std(ddof=1),
                          H.std(ddof=1)))
        if not parts:
            continue
        w, m, h, sm, sh = np.array(parts).T
        w = w / w.sum()
        res[:, g] = (w * m).sum(), (w * h).sum(), np.sqrt((w * sm**2).sum()), np.sqrt(
            (w * sh**2).sum())
    return MutualExpected(*[batch.out(r) for r in res], replicates=reps, labels=batch.labels)


@dataclass(frozen=True, eq=False)
class MutualLocalExpected:
    """Local segregation scores expected under random allocation (:func:`mutual_local_expected`).

    Attributes
    ----------
    ls : numpy.ndarray
        (units,) mean of each unit's :math:`ls_i` over the simulated tables (R ``est`` of
        ``LS under 0``); NaN for excluded units and municipalities without a null.
    ls_se : numpy.ndarray
        (units,) their standard deviation (ddof 1; R ``se``).
    p_mean : numpy.ndarray
        (units,) mean share of the unit in the simulated tables (R ``p_mean``; the
        observed share with fixed margins). ``sum(p_mean * ls)`` estimates the M of
        :func:`mutual_expected`.
    replicates : int
    """

    ls: np.ndarray
    ls_se: np.ndarray
    p_mean: np.ndarray
    replicates: int


def _local_scores(tab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., units) local scores :math:`ls_i` and shares :math:`p_i` of tables (..., units, k).

    Units without residents get NaN scores (R drops them).
    """
    T = tab.sum(axis=(-2, -1))[..., None]
    t = tab.sum(axis=-1)
    with quiet():
        P = tab.sum(axis=-2, keepdims=True) / T[..., None]
        cond = tab / t[..., None]
        ls = _xlogx_ratio(np.nan_to_num(cond), P).sum(axis=-1)
        return np.where(t > 0, ls, np.nan), t / T


@shared_parameters
def mutual_local_expected(counts, *, groups=None, fixed_margins=True, replicates=100,
                          seed=None, base=np.e):
    r"""Local segregation scores of every unit expected under random allocation.

    Parameters
    ----------
    {MULTI_COUNTS}
    {GROUPS}
    fixed_margins : bool, default True
        As :func:`mutual_expected`.
    replicates : int, default 100
        Number of simulated tables (R's ``n_bootstrap``).
    seed : int, numpy.random.Generator or None
        Root seed; each municipality draws from its own stream keyed by its id (the same
        tables as :func:`mutual_expected` with the same seed).
    base : float, default e
        Base of the logarithm (R ``base``).

    Returns
    -------
    MutualLocalExpected

    Notes
    -----
    The tables of :func:`mutual_expected` (margins kept, residents placed at random);
    in each, the local score of unit i (:func:`mutual_local`)

    .. math:: ls_i = \sum_k p_{k|i} \ln \frac{p_{k|i}}{P_k}

    is computed with the table's own margins, and its mean and standard deviation over
    the tables are reported (R ``mutual_local_expected``, statistic ``LS under 0``). Small
    units get large expected scores: compare a unit's observed :math:`ls_i` with this
    value before reading it as segregation. Call with ``counts.T`` for the population
    groups' scores. Units that are empty in a simulated table (only with
    ``fixed_margins=False``) are left out of that table's mean.

    References: Elbers (2023); R ``segregation::mutual_local_expected``; Theil (1971).

    Examples
    --------
    >>> e = mutual_local_expected([[5, 5], [50, 50]], replicates=200, seed=1)
    >>> bool(e.ls[0] > e.ls[1] > 0)
    True
    """
    reps = integer(replicates, "replicates", 2, example=100)
    unit = log_base(base)
    c, batch, members, _ = _municipality_cells(counts, groups)
    gens = group_generators(seed, batch)
    out = np.full((3, c.shape[0]), np.nan)
    for gen, idx in zip(gens, members, strict=True):
        tables = _null_tables(gen, c[idx], fixed_margins, reps)
        if tables is None:
            continue
        ls, p = _local_scores(tables)
        with quiet():
            out[:, idx] = (np.nanmean(ls, axis=0) / unit, np.nanstd(ls, axis=0, ddof=1) / unit,
                           p.mean(axis=0))
    out[:, np.rint(c).sum(axis=1) == 0] = np.nan
    return MutualLocalExpected(out[0], out[1], out[2], replicates=reps)


# ----------------------------------------------------------------------------- local
@dataclass(frozen=True, eq=False)
class MutualLocal:
    """Local segregation scores of M per unit and per population group.

    Attributes
    ----------
    unit_ls : numpy.ndarray
        (units,) local segregation :math:`ls_i` of each unit, NaN for excluded units.
    unit_p : numpy.ndarray
        (units,) the unit's share :math:`p_i` of its municipality's residents (0 when
        excluded). ``sum(unit_p * unit_ls) == M`` per municipality.
    group_ls : numpy.ndarray
        (k,) or (n_groups, k): local segregation :math:`ls_k` of each population group.
    group_p : numpy.ndarray
        (k,) or (n_groups, k): the population group's share :math:`P_k`.
        ``sum(group_p * group_ls) == M`` per municipality.
    labels : numpy.ndarray or None
    unit_ls_se, unit_ls_bias, unit_ls_ci_low, unit_ls_ci_high : numpy.ndarray or None
        With ``se=True``: bootstrap standard error, bias and interval of each
        :math:`ls_i` (R ``mutual_local(se = TRUE)``); ``unit_ls`` is then bias-corrected.
        None without ``se``.
    replicates : int
        Bootstrap replicates, 0 without ``se``.
    """

    unit_ls: np.ndarray
    unit_p: np.ndarray
    group_ls: np.ndarray
    group_p: np.ndarray
    labels: np.ndarray | None = None
    unit_ls_se: np.ndarray | None = None
    unit_ls_bias: np.ndarray | None = None
    unit_ls_ci_low: np.ndarray | None = None
    unit_ls_ci_high: np.ndarray | None = None
    replicates: int = 0

    @property
    def unit_M(self) -> np.ndarray:
        r"""Each unit's contribution :math:`p_i \, ls_i` to M (0 for excluded units)."""
        return np.where(self.unit_p > 0, self.unit_p * np.nan_to_num(self.unit_ls), 0.0)

    @property
    def group_M(self) -> np.ndarray:
        r"""Each population group's contribution :math:`P_k \, ls_k` to M."""
        return self.group_p * self.group_ls


@shared_parameters
def mutual_local(counts, *, groups=None, se=False, replicates=100, ci=0.95, seed=None,
                 base=np.e):
    r"""Local segregation scores of the mutual information index (Theil 1971; R mutual_local).

    Parameters
    ----------
    {MULTI_COUNTS}
    groups : array_like, optional
        One id per unit (e.g. municipality); shares and scores are per group.
    se : bool, default False
        Bootstrap the unit scores as :func:`mutual_total` bootstraps M (residents redrawn
        from the observed cells, R ``mutual_local(se = TRUE)``): standard errors, bias,
        intervals and bias-corrected ``unit_ls``. A unit that is empty in a replicate is
        left out of that replicate, as R does.
    {R_BOOTSTRAP}

    Returns
    -------
    MutualLocal

    Notes
    -----
    M is the weighted mean of a local score per unit, and also per population group:

    .. math::
        ls_i = \sum_k p_{k|i} \ln \frac{p_{k|i}}{P_k}, \qquad
        ls_k = \sum_i p_{i|k} \ln \frac{p_{i|k}}{p_i}, \qquad
        M = \sum_i p_i \, ls_i = \sum_k P_k \, ls_k

    :math:`ls_i` is the Kullback-Leibler divergence of the unit's mix from the
    municipality's (0 for a unit with the city's mix; :math:`-\ln P_k` for a unit with
    only residents of group k); :math:`ls_k` is how unevenly group k is spread over the
    units compared with all residents. R ``segregation::mutual_local(data, group, unit)``
    returns ``ls`` and ``p`` of each ``unit``; call it with ``group`` and ``unit`` swapped
    for the group scores. :math:`ls_i` is also the first step of the divergence profile
    of Olteanu et al. (2019) (``segregation.dynamics.compute_divergence_profiles``).

    References: Theil (1971); Mora & Ruiz-Castillo (2011), *Sociological Methodology* 41,
    159-194; Elbers (2023).

    Examples
    --------
    >>> loc = mutual_local([[10, 0], [0, 10]])
    >>> loc.unit_ls.round(6).tolist(), loc.unit_p.tolist()
    ([0.693147, 0.693147], [0.5, 0.5])
    """
    if not 0 < ci < 1:
        raise InputError(f"argument `ci` must be in (0, 1), got {ci!r}", fix="pass e.g. 0.95")
    unit = log_base(base)
    c, valid, batch = multigroup_counts(counts, groups)
    t = c.sum(axis=1)
    T = batch.sum(t)
    K = c.shape[1]
    C = np.stack([batch.sum(c[:, k]) for k in range(K)], axis=1)  # (G, K)
    with quiet():
        P = C / T[:, None]
        p_unit = t / T[batch.codes]
        p_k_given_i = np.where(valid[:, None], c / np.where(t > 0, t, 1.0)[:, None], 0.0)
        unit_ls = _xlogx_ratio(p_k_given_i, P[batch.codes]).sum(axis=1) / unit
        p_i_given_k = c / C[batch.codes]
        terms = _xlogx_ratio(np.nan_to_num(p_i_given_k), p_unit[:, None]) / unit
    group_ls = np.stack([batch.sum(terms[:, k]) for k in range(K)], axis=1)
    group_ls = np.where(C > 0, group_ls, np.nan)
    unit_ls = np.where(valid, unit_ls, np.nan)
    unit_p = np.where(valid, np.nan_to_num(p_unit), 0.0)
    if batch.scalar:
        group_ls, P = group_ls[0], P[0]
    if not se:
        return MutualLocal(unit_ls, unit_p, group_ls, P, labels=batch.labels)
    reps = integer(replicates, "replicates", 2, example=100)
    boot = np.full((5, c.shape[0]), np.nan)
    gens = group_generators(seed, batch)
    for g, gen in enumerate(gens):
        idx = np.flatnonzero((batch.codes == g) & valid)
        if idx.size == 0:
            continue
        cells = c[idx]
        draws = gen.multinomial(int(np.rint(cells.sum())), (cells / cells.sum()).ravel(),
                                size=reps).reshape(reps, *cells.shape).astype(np.float64)
        ls, _ = _local_scores(draws)
        boot[:, idx] = bootstrap_summary(unit_ls[idx], ls / unit, ci)
    return MutualLocal(boot[0], unit_p, group_ls, P, labels=batch.labels, unit_ls_se=boot[1],
                       unit_ls_bias=boot[2], unit_ls_ci_low=boot[3], unit_ls_ci_high=boot[4],
                       replicates=reps)
