"""Shared machinery of the autocorrelation kernels: input checks, weights, groups, p-values.

Private to :mod:`mixing.kernels.autocorr`; the public names (:func:`adjust_pvalues`,
:data:`ALTERNATIVES`) are re-exported there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse, special

from mixing.checks import integer, quiet, square_matrix
from mixing.errors import InputError
from mixing.kernels._ties import TIE_RTOL, tie_tolerance
from mixing.kernels.grouping import Batch, make_batch
from mixing.kernels.pairs import SpatialWeights, row_standardise

__all__ = ["ALTERNATIVES", "TIE_RTOL", "adjust_pvalues", "pseudo_p"]

_ADJUST = (None, "fdr", "bonferroni")


def _norm_sf(x: np.ndarray) -> np.ndarray:
    """Standard normal survival function (scipy.special; no scipy.stats import cost)."""
    return special.ndtr(-np.asarray(x, dtype=np.float64))


def _values(y: object, name: str, n: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"argument `{name}` must be numeric ({exc})") from exc
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise InputError(f"argument `{name}` must be 1-D (one value per unit), got {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise InputError(
            f"argument `{name}` has {arr.shape[0]} values but the weights have {n} units",
            fix="align the values with weights.ids",
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InputError(
            f"argument `{name}` has {int(bad.sum())} unknown (NaN) or infinite values "
            f"(first at position {int(np.flatnonzero(bad)[0])})",
            fix="drop those units first: keep = ~np.isnan(y); "
            "w = mixing.geometry.weights.subset(w, keep); then pass y[keep] and w",
        )
    return arr


def _matrix(w: object, transformation: str) -> sparse.csr_array:
    t = str(transformation).lower()
    if t not in ("r", "b"):
        raise InputError(
            "argument `transformation` must be 'r' (row-standardised) or 'b' (binary)",
            value=transformation,
        )
    if isinstance(w, SpatialWeights):
        m = w.W if t == "r" else w.binary
        return sparse.csr_array(m, dtype=np.float64)
    m = square_matrix(w, "w", fix="pass SpatialWeights, built with "
                                   "mixing.geometry.weights.build_weights")
    if t == "b":
        m = m.copy()
        m.eliminate_zeros()
        m.data[:] = 1.0
        return m
    return row_standardise(m)


@dataclass(frozen=True)
class _Setup:
    """Validated input shared by every kernel."""

    W: sparse.csr_array
    batch: Batch
    sizes: np.ndarray  # units per group
    ok: np.ndarray  # group is computable


def _setup(w: object, n_values: int, groups: object, transformation: str) -> _Setup:
    W = _matrix(w, transformation)
    n = W.shape[0]
    if n_values != n:
        raise InputError(
            f"the values have {n_values} units but the weights have {n}",
            fix="align the values with weights.ids (use "
                "mixing.geometry.weights.subset to drop units)",
        )
    batch = make_batch(groups, n)
    if not batch.scalar:
        coo = W.tocoo()
        across = batch.codes[coo.row] != batch.codes[coo.col]
        if across.any():
            raise InputError(
                f"the weights link {int(across.sum())} pairs of units in different groups; "
                "per-group statistics need block-diagonal weights",
                fix="build them with build_weights(..., groups=...) or block_diagonal([...])",
            )
    sizes = np.bincount(batch.codes, minlength=batch.n_groups)
    return _Setup(W, batch, sizes, sizes >= 2)


def _degenerate(setup: _Setup, constant: np.ndarray, no_links: np.ndarray, what: str) -> np.ndarray:
    """Groups that cannot be computed: raise without groups, else warn and mark NaN."""
    bad = ~setup.ok | constant | no_links
    if not bad.any():
        return setup.ok
    if setup.batch.scalar:
        if not setup.ok[0]:
            raise InputError(f"{what} needs at least 2 units, got {int(setup.sizes[0])}")
        if constant[0]:
            raise InputError(
                f"{what} is undefined for a constant variable (zero variance)",
                fix="check the column; a constant share has no spatial pattern to test",
            )
        raise InputError(
            f"{what} is undefined: the weights have no links",
            fix="build the weights with mixing.geometry.weights.build_weights",
        )
    warnings.warn(
        f"{what}: {int(bad.sum())} of {bad.size} groups are undefined and get NaN "
        f"(fewer than 2 units: {int((~setup.ok).sum())}, constant values: "
        f"{int((constant & setup.ok).sum())}, "
        f"no links: {int((no_links & setup.ok & ~constant).sum())})",
        RuntimeWarning,
        stacklevel=3,
    )
    return ~bad


def _constant(y: np.ndarray, batch: Batch) -> np.ndarray:
    hi = np.full(batch.n_groups, -np.inf)
    lo = np.full(batch.n_groups, np.inf)
    np.maximum.at(hi, batch.codes, y)
    np.minimum.at(lo, batch.codes, y)
    return hi == lo


def _standardise(y: np.ndarray, setup: _Setup, ddof: int = 0) -> np.ndarray:
    """Centre within group and divide by the group's standard deviation."""
    b = setup.batch
    mean = b.sum(y) / np.maximum(setup.sizes, 1)
    dev = y - mean[b.codes]
    with quiet():
        sd = np.sqrt(b.sum(dev * dev) / (setup.sizes - ddof))
        return dev / sd[b.codes]


def _check_permutations(permutations: object) -> int:
    return integer(permutations, "permutations", 0)


def _no_links(W: sparse.csr_array, batch: Batch) -> np.ndarray:
    """Groups whose weights have no link (no stored entry in any of their rows)."""
    return batch.sum(np.diff(W.indptr).astype(np.float64)) == 0


#: Alternative hypotheses of the local pseudo p-values (esda's names; "less" is esda's
#: "lesser"). "two-sided" is the default of every local kernel.
ALTERNATIVES = ("two-sided", "greater", "less", "folded", "directed")


@dataclass(frozen=True)
class _LocalOptions:
    """The checked inference options of a local statistic."""

    permutations: int
    seed: object
    alpha: float
    adjust: str | None
    alternative: str


def _local_options(permutations: object, seed: object, alpha: float, adjust: str | None,
                   alternative: object) -> _LocalOptions:
    if alternative not in ALTERNATIVES:
        raise InputError(f"argument `alternative` must be one of {list(ALTERNATIVES)}",
                         value=alternative,
                         fix="'two-sided' (default), 'greater', 'less', 'folded' or 'directed'")
    if not 0 < alpha < 1:
        raise InputError("argument `alpha` must be between 0 and 1", value=alpha)
    if adjust not in _ADJUST:
        raise InputError(f"argument `adjust` must be one of {list(_ADJUST)}", value=adjust)
    return _LocalOptions(_check_permutations(permutations), seed, alpha, adjust,
                         str(alternative))


def _folded_p(larger: np.ndarray, smaller: np.ndarray, permutations: int) -> np.ndarray:
    return (np.minimum(larger, smaller) + 1.0) / (permutations + 1.0)


def _percentile_rows(sorted_sims: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise ``np.percentile(row, q_row)`` (linear interpolation) of sorted rows."""
    R = sorted_sims.shape[1]
    position = q / 100.0 * (R - 1)
    below = np.clip(np.floor(position).astype(np.int64), 0, R - 1)
    above = np.minimum(below + 1, R - 1)
    t = position - below
    rows = np.arange(sorted_sims.shape[0])
    a, b = sorted_sims[rows, below], sorted_sims[rows, above]
    return np.where(t >= 0.5, b - (b - a) * (1.0 - t), a + (b - a) * t)  # numpy's _lerp


def pseudo_p(sims: np.ndarray, observed: np.ndarray, alternative: str = "two-sided"
             ) -> np.ndarray:
    r"""Permutation pseudo p-values per row, ``(M + 1) / (R + 1)``, for one alternative.

    Parameters
    ----------
    sims : ndarray, shape (c, R)
        ``R`` simulated statistics for each of ``c`` observed values.
    observed : ndarray, shape (c,)
    alternative : {"two-sided", "greater", "less", "folded", "directed"}
        With :math:`L` the number of simulations :math:`\ge` the observed value and
        :math:`S` the number :math:`\le` it, :math:`M` is :math:`L` for ``"greater"``,
        :math:`S` for ``"less"``, :math:`\min(L, S)` for ``"directed"`` (the tail the
        observation lies in; uniformly too small a p-value, kept because the tables
        have always used it); for ``"folded"`` the number of simulations at least as far
        from their mean as the observed value; for ``"two-sided"`` esda's rule: the
        observation's percentile :math:`p = 100 S / R` gives the interval between the
        :math:`\min(p, 100 - p)` and :math:`\max(p, 100 - p)` percentiles of the
        simulations, and :math:`M` counts the simulations on or outside it (about
        :math:`2 \min(L, S)`).

    Returns
    -------
    ndarray, shape (c,)
        Capped at 1.

    Notes
    -----
    These are esda 2.9's ``calculate_significance`` rules (Anselin 1995; Hope 1968) with
    one difference: a simulated value within :data:`TIE_RTOL` (relative) of the observed
    one, or of a percentile bound, is a tie and counts on *both* sides. esda compares
    exactly, and its ``"directed"`` rule takes the lower tail as :math:`R - L`, which
    leaves exact ties out. Example: a buurt whose share equals its municipality's mean
    has local Moran's I = 0 and so has every simulation; esda's ``"directed"`` then
    gives :math:`1 / (R + 1)` ("significant"), ours 1, and esda's ``"two-sided"`` gives
    :math:`(2R + 1) / (R + 1) > 1`, ours 1.
    Hope, A. C. A. (1968). A simplified Monte Carlo significance test procedure. JRSS B
    30, 582-598.
    """
    R = sims.shape[1]
    obs = np.asarray(observed, dtype=np.float64)[:, None]
    tol = tie_tolerance(obs, sims, axis=1)
    if alternative == "greater":
        count = (sims >= obs - tol).sum(axis=1)
    elif alternative == "less":
        count = (sims <= obs + tol).sum(axis=1)
    elif alternative == "directed":
        count = np.minimum((sims >= obs - tol).sum(axis=1), (sims <= obs + tol).sum(axis=1))
    elif alternative == "folded":
        mean = sims.mean(axis=1, keepdims=True)
        count = (np.abs(sims - mean) >= np.abs(obs - mean) - tol).sum(axis=1)
    else:  # two-sided
        pct = (sims <= obs + tol).mean(axis=1) * 100.0
        low_q = np.minimum(pct, 100.0 - pct)
        ordered = np.sort(sims, axis=1)
        lows = _percentile_rows(ordered, low_q)[:, None]
        highs = _percentile_rows(ordered, 100.0 - low_q)[:, None]
        count = (sims <= lows + tol).sum(axis=1) + (sims >= highs - tol).sum(axis=1)
    return np.minimum(1.0, (count + 1.0) / (R + 1.0))


def _group_indicator(codes: np.ndarray, n_groups: int) -> sparse.csr_array:
    n = codes.shape[0]
    return sparse.csr_array((np.ones(n), (np.arange(n), codes)), shape=(n, n_groups))


def _weight_sums(W: sparse.csr_array, batch: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """s0, s1, s2 per group (Cliff & Ord 1981)."""
    coo = W.tocoo()
    s0 = np.bincount(batch.codes[coo.row], weights=coo.data, minlength=batch.n_groups)
    sym = (W + W.T).tocoo()
    s1 = 0.5 * np.bincount(batch.codes[sym.row], weights=sym.data**2, minlength=batch.n_groups)
    rows = np.asarray(W.sum(axis=1)).ravel()
    cols = np.asarray(W.sum(axis=0)).ravel()
    s2 = batch.sum((rows + cols) ** 2)
    return s0, s1, s2


def adjust_pvalues(p: object, *, method: str | None = "fdr", groups: object = None) -> np.ndarray:
    r"""Adjust p-values for multiple testing, within each group.

    Parameters
    ----------
    p : array-like
        P-values; NaN entries are ignored (not counted as tests) and stay NaN.
    method : {"fdr", "bonferroni", None}
        ``"fdr"``: Benjamini-Hochberg step-up adjusted p-values; ``"bonferroni"``:
        :math:`\min(1, m p)`; None: unchanged.
    groups : array-like, optional
        One group id per p-value; each group is its own family of ``m`` tests.

    Returns
    -------
    numpy.ndarray

    Notes
    -----
    Benjamini-Hochberg: with the ``m`` p-values of a family sorted,
    :math:`p_{(1)} \le \dots \le p_{(m)}`, the adjusted value is
    :math:`\tilde p_{(i)} = \min_{j \ge i} \min(1, m p_{(j)} / j)`; rejecting
    :math:`\tilde p \le \alpha` controls the false discovery rate at :math:`\alpha`.
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57,
    289-300.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.2]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.2]
    """
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    if method not in _ADJUST:
        raise InputError(f"argument `adjust` must be one of {list(_ADJUST)}", value=method)
    if method is None:
        return p.copy()
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    if finite.size == 0:
        return out
    batch = make_batch(None if groups is None else np.asarray(groups)[finite], finite.size)
    codes = batch.codes
    pf = p[finite]
    m = np.bincount(codes, minlength=batch.n_groups)[codes].astype(np.float64)
    if method == "bonferroni":
        out[finite] = np.minimum(1.0, pf * m)
        return out
    order = np.lexsort((pf, codes))  # by group, then p
    c_sorted = codes[order]
    first = np.searchsorted(c_sorted, c_sorted, side="left")
    rank = np.arange(order.size) - first + 1.0
    raw = np.minimum(1.0, pf[order] * m[order] / rank)
    # running minimum from the largest p down, per group: offset groups so that the
    # minimum never carries across a boundary (earlier groups get smaller offsets)
    shifted = raw + 2.0 * c_sorted
    cummin = np.minimum.accumulate(shifted[::-1])[::-1] - 2.0 * c_sorted
    out[finite[order]] = cummin
    return out


def _split_diagonal(W: sparse.csr_array) -> tuple[np.ndarray, sparse.csr_array]:
    diag = W.diagonal().copy()
    others = W.copy()
    others.setdiag(0)
    others.eliminate_zeros()
    others.sort_indices()
    return diag, sparse.csr_array(others)


# ------------------------------------------------------------------ result objects


@dataclass(frozen=True, eq=False, kw_only=True)
class _PermutationResult:
    """The permutation fields of every result (documented by its subclasses)."""

    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int


@dataclass(frozen=True, eq=False, kw_only=True)
class _GlobalResult(_PermutationResult):
    """The fields of every global result (``{GLOBAL_SIM_ATTRIBUTES}`` documents them)."""

    groups: np.ndarray | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class _LocalResult(_PermutationResult):
    """The fields of every local result (``{LOCAL_INFERENCE_ATTRIBUTES}`` documents them)."""

    p_adjusted: np.ndarray
    significant: np.ndarray
    significant_adjusted: np.ndarray
    alpha: float
    adjust: str | None
    alternative: str = "two-sided"


def _per_group_result(cls, fields: dict, ok: np.ndarray, setup: _Setup, permutations: int,
                      **extra):
    """A global result: every field NaN for the groups not ``ok``, a float without groups."""
    b = setup.batch
    per_group = {name: b.out(np.where(ok, value, np.nan)) for name, value in fields.items()}
    return cls(**per_group, **extra, permutations=permutations, groups=b.labels)
