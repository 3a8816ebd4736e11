"""Spatial autocorrelation kernels: Moran's I, Geary's C, LISA, Getis-Ord Gi*, bivariate Moran.

Pure numpy/scipy, vectorised, seeded. Every kernel takes a value per unit and spatial
weights (:class:`mixing.geometry.weights.SpatialWeights`, or any (n, n) scipy sparse / dense
matrix),
and optionally ``groups`` (one id per unit, e.g. the municipality code) with a
block-diagonal ``W`` (:func:`mixing.geometry.weights.build_weights` with ``groups=``, or
:func:`mixing.geometry.weights.block_diagonal`): then every statistic is computed *per group*
(values centred and standardised within the group, permutations within the group) in one
call, and global results are arrays in the order of the sorted unique group ids
(``result.groups``).

Definitions follow PySAL ``esda`` 2.9 exactly (it is the test oracle; see
``tests/test_autocorr_reference.py``), including its defaults:

- Weights are row-standardised (``transformation="r"``) by default for every statistic,
  Geary's C included (esda 2.9 ``Geary(transformation="r")``; pass ``"b"`` for Geary's
  original binary form).
- ``moran``: ``p_norm`` / ``p_rand`` are two-tailed by default (``two_tailed=True``).
  ``geary``: one-tailed, as in esda.
- Permutation p-values (``p_sim``) are esda's *folded* ("directed") pseudo p-values:
  :math:`p = (\\min(L, S) + 1) / (R + 1)` with ``R`` permutations, ``L`` the number of
  simulated values :math:`\\ge` the observed one and ``S`` the number :math:`\\le` it.
  For continuous data this is esda's rule; with exact ties (e.g. a unit whose value
  equals its group mean, so every simulated local I is 0) we count the ties on both
  sides and return 1, where esda returns :math:`1/(R+1)`.
- Local statistics use *conditional* permutation: the value of unit ``i`` is held fixed
  and its ``k_i`` neighbours are replaced by ``k_i`` values drawn without replacement from
  the other ``n - 1`` units of its group. Like esda's ``crand``, one matrix of draws of
  shape ``(permutations, max k)`` per group is made once and unit ``i`` uses its first
  ``k_i`` columns; the statistics for all units are then computed with fancy indexing in
  chunks of about :data:`CHUNK_ELEMENTS` numbers, so memory stays bounded.

Degenerate input (decided once, here):

- NaN or infinite values raise :class:`~mixing.errors.InputError`: drop unknown units
  first with :func:`mixing.geometry.weights.subset` (one missing-data policy).
- Without ``groups``, fewer than 2 units, a constant variable, or weights without any
  link raise :class:`~mixing.errors.InputError`.
- With ``groups``, such a group gets NaN results (quadrant 0, label ``"undefined"``) and
  one ``RuntimeWarning`` counts the groups, so a national run does not fail on a
  one-buurt municipality.
- A unit without neighbours (only possible after :func:`~mixing.geometry.weights.subset` without
  centroids, or with a hand-made matrix) has local statistic 0 as in esda but
  ``p_sim = NaN``, quadrant 0 and label ``"isolated"``; it is never significant.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse, special

from mixing.errors import InputError
from mixing.geometry.weights import SpatialWeights, row_standardise
from mixing.kernels._grouping import Batch, group_generators, make_batch

__all__ = [
    "CHUNK_ELEMENTS",
    "QUADRANT_LABELS",
    "MoranResult",
    "GearyResult",
    "BivariateMoranResult",
    "LocalMoranResult",
    "GetisOrdResult",
    "moran",
    "geary",
    "bivariate_moran",
    "local_moran",
    "bivariate_local_moran",
    "getis_ord_g_star",
    "adjust_pvalues",
]

#: Numbers per chunk in the conditional permutation (units x permutations x neighbours).
CHUNK_ELEMENTS = 2**21

#: Quadrant code -> label (esda ``q``: 1 HH, 2 LH, 3 LL, 4 HL; 0 = isolated/undefined).
QUADRANT_LABELS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}

_ADJUST = (None, "fdr", "bonferroni")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class MoranResult:
    """Global Moran's I (a float per field, or an array per group with ``groups``).

    Attributes
    ----------
    I : float or ndarray
        Moran's I.
    expected : float or ndarray
        :math:`E[I] = -1/(n-1)`.
    variance_norm, z_norm, p_norm : float or ndarray
        Variance, z-value and p-value under normality (``p_norm`` two-tailed unless
        ``two_tailed=False``).
    variance_rand, z_rand, p_rand : float or ndarray
        The same under randomisation (NaN when n < 4).
    p_sim : float or ndarray
        Folded permutation pseudo p-value (NaN without permutations).
    z_sim : float or ndarray
        :math:`(I - \\bar I_{sim}) / sd(I_{sim})`.
    expected_sim : float or ndarray
        Mean of the permuted I.
    permutations : int
    groups : ndarray or None
        Group ids (sorted) the arrays refer to; None without ``groups``.
    """

    I: float | np.ndarray  # noqa: E741 -- the literature's name
    expected: float | np.ndarray
    variance_norm: float | np.ndarray
    z_norm: float | np.ndarray
    p_norm: float | np.ndarray
    variance_rand: float | np.ndarray
    z_rand: float | np.ndarray
    p_rand: float | np.ndarray
    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int
    groups: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class GearyResult:
    """Global Geary's C; fields as in :class:`MoranResult` with ``C`` and E[C] = 1."""

    C: float | np.ndarray
    expected: float | np.ndarray
    variance_norm: float | np.ndarray
    z_norm: float | np.ndarray
    p_norm: float | np.ndarray
    variance_rand: float | np.ndarray
    z_rand: float | np.ndarray
    p_rand: float | np.ndarray
    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int
    transformation: str
    groups: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class BivariateMoranResult:
    """Global bivariate Moran's I of x with the spatial lag of y (inference by permutation)."""

    I: float | np.ndarray  # noqa: E741
    p_sim: float | np.ndarray
    z_sim: float | np.ndarray
    expected_sim: float | np.ndarray
    permutations: int
    groups: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class LocalMoranResult:
    """Local Moran's I (LISA), univariate or bivariate, one value per unit.

    Attributes
    ----------
    Is : ndarray
        Local statistics.
    quadrant : ndarray of int
        1 HH, 2 LH, 3 LL, 4 HL (esda ``q``); 0 isolated or undefined.
    labels : ndarray of str
        ``"HH"``, ``"LH"``, ``"LL"``, ``"HL"``, ``"isolated"`` or ``"undefined"``.
    lag : ndarray
        Spatial lag of the standardised (bivariate: y) values.
    z : ndarray
        Standardised values (bivariate: x), within group.
    p_sim : ndarray
        Folded conditional-permutation pseudo p-values.
    z_sim, expected_sim : ndarray
        Standardised statistic against, and mean of, its permutation distribution.
    p_adjusted : ndarray
        ``p_sim`` adjusted for multiple testing within each group (``adjust``), else
        equal to ``p_sim``.
    significant : ndarray of bool
        ``p_sim <= alpha``.
    significant_adjusted : ndarray of bool
        ``p_adjusted <= alpha``.
    alpha : float
    adjust : str or None
    permutations : int
    """

    Is: np.ndarray
    quadrant: np.ndarray
    labels: np.ndarray
    lag: np.ndarray
    z: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    expected_sim: np.ndarray
    p_adjusted: np.ndarray
    significant: np.ndarray
    significant_adjusted: np.ndarray
    alpha: float
    adjust: str | None
    permutations: int

    @property
    def clusters(self) -> np.ndarray:
        """Quadrant label where ``significant_adjusted``, else ``"not significant"``."""
        return np.where(self.significant_adjusted, self.labels, "not significant")


@dataclass(frozen=True, eq=False)
class GetisOrdResult:
    """Local Getis-Ord G (Gi* with ``star=True``), one value per unit.

    Attributes
    ----------
    G : ndarray
        Local statistic.
    expected, variance : ndarray
        Analytical moments under the null.
    z : ndarray
        :math:`(G - E[G]) / \\sqrt{V[G]}`; > 0 hot spot, < 0 cold spot.
    p_norm : ndarray
        One-tailed normal p-value of ``|z|`` (esda ``p_norm``).
    p_sim, z_sim, expected_sim, p_adjusted, significant, significant_adjusted :
        As in :class:`LocalMoranResult`.
    star : bool
    transformation : str
    """

    G: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    expected_sim: np.ndarray
    p_adjusted: np.ndarray
    significant: np.ndarray
    significant_adjusted: np.ndarray
    alpha: float
    adjust: str | None
    permutations: int
    star: bool
    transformation: str


# --------------------------------------------------------------------------- helpers


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
    try:
        m = sparse.csr_array(w, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"argument `w` must be SpatialWeights or an (n, n) matrix, got {type(w).__name__}",
            fix="build it with mixing.geometry.weights.build_weights",
        ) from exc
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"argument `w` must be square (n, n), got shape {m.shape}")
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
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(b.sum(dev * dev) / (setup.sizes - ddof))
        return dev / sd[b.codes]


def _check_permutations(permutations: object) -> int:
    if not isinstance(permutations, int | np.integer) or permutations < 0:
        raise InputError("argument `permutations` must be an integer >= 0", value=permutations)
    return int(permutations)


def _folded_p(larger: np.ndarray, smaller: np.ndarray, permutations: int) -> np.ndarray:
    return (np.minimum(larger, smaller) + 1.0) / (permutations + 1.0)


def _tail_counts(sims: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Simulations >= and <= the observed value, per row, ties counted on both sides.

    A tie is a simulated value within a few ulps of the observed one: sums of the same
    neighbour values in another order differ in the last bits, and real shares have many
    exact ties (e.g. buurten with 0 % social housing).
    """
    tol = 1e-12 * (np.abs(observed) + np.abs(sims).max(axis=1, keepdims=True))
    return (sims >= observed - tol).sum(axis=1), (sims <= observed + tol).sum(axis=1)


def _out(values: np.ndarray, batch: Batch) -> float | np.ndarray:
    return batch.out(values)


# ------------------------------------------------------------- global permutations


def _permuted_chunks(
    gens: list[np.random.Generator], v: np.ndarray, batch: Batch, permutations: int,
    n_links: int,
):
    """Yield (c, n) matrices of ``v`` permuted within groups, ``permutations`` rows in all.

    Group ``g`` shuffles with its own generator ``gens[g]`` (keyed by its label), so its
    permutations do not depend on the other groups of the call.
    """
    n = v.shape[0]
    c = max(1, min(permutations, CHUNK_ELEMENTS // max(n + n_links, 1)))
    order = np.argsort(batch.codes, kind="stable")
    sorted_codes = batch.codes[order].astype(np.float64)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(batch.codes, minlength=batch.n_groups))])
    v_sorted = v[order]
    for start in range(0, permutations, c):
        m = min(c, permutations - start)
        keys = np.empty((m, n))
        for g, gen in enumerate(gens):  # one vectorised draw per group
            keys[:, bounds[g]:bounds[g + 1]] = gen.random((m, bounds[g + 1] - bounds[g]))
        # codes + U(0, 1) keys: sorting shuffles within each group, never across groups
        perm = np.argsort(sorted_codes + keys, axis=1)
        out = np.empty((m, n))
        out[:, order] = v_sorted[perm]
        yield out


def _global_sims(
    observed: np.ndarray, stat, v: np.ndarray, setup: _Setup, permutations: int, seed, ok
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p_sim, z_sim, mean of simulations for a global statistic ``stat((c, n)) -> (c, G)``."""
    G = setup.batch.n_groups
    if permutations == 0:
        nan = np.full(G, np.nan)
        return nan, nan.copy(), nan.copy()
    sims = np.concatenate(
        [stat(chunk) for chunk in _permuted_chunks(group_generators(seed, setup.batch), v,
                                                   setup.batch, permutations, setup.W.nnz)]
    )
    p = _folded_p(*_tail_counts(sims.T, observed[:, None]), permutations)
    mean = sims.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (observed - mean) / sims.std(axis=0)
    return np.where(ok, p, np.nan), np.where(ok, z, np.nan), np.where(ok, mean, np.nan)


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


# --------------------------------------------------------------------------- global


def moran(
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    groups: object = None,
    transformation: str = "r",
    two_tailed: bool = True,
) -> MoranResult:
    """Global Moran's I with analytical and permutation inference.

    Parameters
    ----------
    y : array-like
        One value per unit (no NaN; see the module notes).
    w : SpatialWeights or (n, n) matrix
    permutations : int
        Random permutations for ``p_sim`` (0 = none).
    seed : int, numpy.random.Generator or None
    groups : array-like, optional
        One group id per unit; then every field is an array per group.
    transformation : {"r", "b"}
        Row-standardised (default, esda's) or binary weights.
    two_tailed : bool
        Double the normal p-values (esda's default).

    Returns
    -------
    MoranResult

    Notes
    -----
    With :math:`z_i = y_i - \\bar y` and :math:`S_0 = \\sum_{ij} w_{ij}`,

    .. math:: I = \\frac{n}{S_0} \\frac{\\sum_{ij} w_{ij} z_i z_j}{\\sum_i z_i^2},
              \\quad E[I] = -\\frac{1}{n-1}

    and :math:`V_{norm}[I] = \\frac{n^2 S_1 - n S_2 + 3 S_0^2}{(n^2-1) S_0^2} - E[I]^2`
    (Cliff & Ord 1981). The variance under randomisation adds the kurtosis term.
    Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)  # 4 units on a line
    >>> round(moran([1.0, 2.0, 3.0, 4.0], line, permutations=0).I, 4)
    0.4
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    setup = _setup(w, y.shape[0], groups, transformation)
    W, b = setup.W, setup.batch
    s0, s1, s2 = _weight_sums(W, b)
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "Moran's I")
    n = setup.sizes.astype(np.float64)
    mean = b.sum(y) / np.maximum(n, 1)
    z = y - mean[b.codes]
    z2ss = b.sum(z * z)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = n / s0 / z2ss
        I = scale * b.sum(z * (W @ z))  # noqa: E741
        expected = -1.0 / (n - 1)
        v_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - expected**2
        k = (b.sum(z**4) / n) / (z2ss / n) ** 2
        a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
        bb = k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
        v_rand = (a - bb) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - expected**2
        v_rand = np.where(n >= 4, v_rand, np.nan)
        z_norm = (I - expected) / np.sqrt(v_norm)
        z_rand = (I - expected) / np.sqrt(v_rand)
    tails = 2.0 if two_tailed else 1.0
    p_norm = tails * _norm_sf(np.abs(z_norm))
    p_rand = tails * _norm_sf(np.abs(z_rand))
    indicator = _group_indicator(b.codes, b.n_groups)

    def stat(zp: np.ndarray) -> np.ndarray:
        lag = (W @ zp.T).T
        return (indicator.T @ (zp * lag).T).T * scale

    p_sim, z_sim, e_sim = _global_sims(I, stat, z, setup, permutations, seed, ok)
    fields = [I, expected, v_norm, z_norm, p_norm, v_rand, z_rand, p_rand, p_sim, z_sim, e_sim]
    fields = [_out(np.where(ok, f, np.nan), b) for f in fields]
    return MoranResult(*fields, permutations=permutations, groups=b.labels)


def geary(
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    groups: object = None,
    transformation: str = "r",
) -> GearyResult:
    """Global Geary's C with analytical and permutation inference.

    Parameters
    ----------
    y, w, permutations, seed, groups :
        As in :func:`moran`.
    transformation : {"r", "b"}
        ``"r"`` row-standardised, esda 2.9's default for ``esda.Geary``; ``"b"`` binary,
        Geary's (1954) original form. C itself does not depend on the scale of the
        weights, but its variance does.

    Returns
    -------
    GearyResult
        ``p_norm`` and ``p_rand`` are one-tailed (esda).

    Notes
    -----
    .. math:: C = \\frac{(n-1) \\sum_{ij} w_{ij} (y_i - y_j)^2}{2 S_0 \\sum_i (y_i - \\bar y)^2},
              \\quad E[C] = 1

    :math:`C < 1` means positive autocorrelation. :math:`V_{norm}[C] =
    \\frac{(2 S_1 + S_2)(n-1) - 4 S_0^2}{2 (n+1) S_0^2}`.
    Geary, R. C. (1954). The contiguity ratio and statistical mapping. The Incorporated
    Statistician 5, 115-145.
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    t = str(transformation).lower()
    setup = _setup(w, y.shape[0], groups, t)
    W, b = setup.W, setup.batch
    s0, s1, s2 = _weight_sums(W, b)
    ok = _degenerate(setup, _constant(y, b), s0 == 0, "Geary's C")
    n = setup.sizes.astype(np.float64)
    mean = b.sum(y) / np.maximum(n, 1)
    z = y - mean[b.codes]
    z2ss = b.sum(z * z)
    coo = W.tocoo()
    edge_group = b.codes[coo.row]
    edges = sparse.csr_array(
        (coo.data, (np.arange(coo.nnz), edge_group)), shape=(coo.nnz, b.n_groups)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = (n - 1) / (2.0 * s0 * z2ss)
        C = scale * np.bincount(
            edge_group, weights=coo.data * (y[coo.row] - y[coo.col]) ** 2, minlength=b.n_groups
        )
        k = (b.sum(z**4) / n) / (z2ss / n) ** 2
        a = (n - 1) * s1 * (n * n - 3 * n + 3 - (n - 1) * k)
        bb = 0.25 * ((n - 1) * s2 * (n * n + 3 * n - 6 - (n * n - n + 2) * k))
        c = s0 * s0 * (n * n - 3 - (n - 1) ** 2 * k)
        v_rand = np.where(n >= 4, (a - bb + c) / (n * (n - 2) * (n - 3) * s0 * s0), np.nan)
        v_norm = ((2 * s1 + s2) * (n - 1) - 4 * s0 * s0) / (2 * (n + 1) * s0 * s0)
        z_norm = (C - 1.0) / np.sqrt(v_norm)
        z_rand = (C - 1.0) / np.sqrt(v_rand)
    p_norm = _norm_sf(np.abs(z_norm))
    p_rand = _norm_sf(np.abs(z_rand))

    def stat(yp: np.ndarray) -> np.ndarray:
        d = yp[:, coo.row] - yp[:, coo.col]
        return (edges.T @ (d * d).T).T * scale

    p_sim, z_sim, e_sim = _global_sims(C, stat, y, setup, permutations, seed, ok)
    fields = [C, np.ones_like(C), v_norm, z_norm, p_norm, v_rand, z_rand, p_rand, p_sim, z_sim,
              e_sim]
    fields = [_out(np.where(ok, f, np.nan), b) for f in fields]
    return GearyResult(*fields, permutations=permutations, transformation=t, groups=b.labels)


def bivariate_moran(
    x: object,
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    groups: object = None,
    transformation: str = "r",
) -> BivariateMoranResult:
    """Global bivariate Moran's I: x against the spatial lag of y.

    Parameters
    ----------
    x, y : array-like
        Two values per unit (e.g. social-housing share and non-western share).
    w, permutations, seed, groups, transformation :
        As in :func:`moran`; ``y`` is permuted.

    Returns
    -------
    BivariateMoranResult

    Notes
    -----
    With :math:`z_x, z_y` standardised with the sample standard deviation (ddof=1),

    .. math:: I_{BV} = \\frac{\\sum_i z_{x,i} \\sum_j w_{ij} z_{y,j}}{n - 1}

    as in esda ``Moran_BV`` (no :math:`S_0` factor: for row-standardised weights
    :math:`S_0 = n`). Inference by permutation only.
    Anselin, L., Syabri, I., Smirnov, O. (2002). Visualizing multivariate spatial
    correlation with dynamically linked windows. CSISS workshop, Santa Barbara.
    """
    x = _values(x, "x")
    y = _values(y, "y", x.shape[0])
    permutations = _check_permutations(permutations)
    setup = _setup(w, x.shape[0], groups, transformation)
    W, b = setup.W, setup.batch
    s0 = b.sum(np.asarray(W.sum(axis=1)).ravel())
    ok = _degenerate(setup, _constant(x, b) | _constant(y, b), s0 == 0, "bivariate Moran's I")
    zx = _standardise(x, setup, ddof=1)
    zy = _standardise(y, setup, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 / (setup.sizes - 1.0)
    I = b.sum(zx * (W @ zy)) * scale  # noqa: E741
    indicator = _group_indicator(b.codes, b.n_groups)

    def stat(zp: np.ndarray) -> np.ndarray:
        return (indicator.T @ (zx * (W @ zp.T).T).T).T * scale

    p_sim, z_sim, e_sim = _global_sims(I, stat, zy, setup, permutations, seed, ok)
    fields = [_out(np.where(ok, f, np.nan), b) for f in (I, p_sim, z_sim, e_sim)]
    return BivariateMoranResult(*fields, permutations=permutations, groups=b.labels)


# ---------------------------------------------------- conditional permutation engine


def _sample_without_replacement(
    rng: np.random.Generator, population: int, k: int, rows: int
) -> np.ndarray:
    """``rows`` independent random k-subsets of ``range(population)``, in random order.

    Floyd's algorithm vectorised over rows (k steps), then a shuffle within each row, so
    the first ``j`` columns of a row are a uniform random j-subset for every ``j <= k``.
    """
    out = np.empty((rows, k), dtype=np.int64)
    for s, top in enumerate(range(population - k, population)):
        t = rng.integers(0, top + 1, size=rows)
        taken = (out[:, :s] == t[:, None]).any(axis=1)
        out[:, s] = np.where(taken, top, t)
    return rng.permuted(out, axis=1)


def _conditional(
    v: np.ndarray,
    others: sparse.csr_array,
    scale: np.ndarray,
    shift: np.ndarray,
    observed: np.ndarray,
    active: np.ndarray,
    setup: _Setup,
    permutations: int,
    seed: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conditional permutation for local statistics of the form ``scale_i * lag_i + shift_i``.

    ``lag_i = sum_j others_ij v_j`` over the neighbours (no self-weight) of unit ``i``;
    under the null the neighbours' values are ``k_i`` values drawn without replacement
    from the other units of ``i``'s group. Returns p_sim, z_sim and the mean of the
    simulated statistics, NaN where not ``active`` or without neighbours.
    """
    n = v.shape[0]
    P = permutations
    codes = setup.batch.codes
    n_groups = setup.batch.n_groups
    card = np.diff(others.indptr)
    p_sim = np.full(n, np.nan)
    z_sim = np.full(n, np.nan)
    mean = np.full(n, np.nan)
    act = active & (card > 0)
    if P == 0 or not act.any():
        return p_sim, z_sim, mean

    order = np.argsort(codes, kind="stable")
    starts = np.zeros(n_groups, dtype=np.int64)
    starts[1:] = np.cumsum(setup.sizes)[:-1]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[codes[order]]
    v_sorted = v[order]

    # one (P, k_max) draw matrix per group, stored flat: indices into the other n_g - 1
    kmax = np.zeros(n_groups, dtype=np.int64)
    np.maximum.at(kmax, codes[act], card[act])
    block = P * kmax
    offsets = np.zeros(n_groups, dtype=np.int64)
    offsets[1:] = np.cumsum(block)[:-1]
    draws = np.empty(int(block.sum()), dtype=np.int64)
    gens = group_generators(seed, setup.batch)  # keyed by label: batch-independent draws
    for g in np.flatnonzero(kmax):  # one vectorised draw per group, not per unit
        draws[offsets[g] : offsets[g] + block[g]] = _sample_without_replacement(
            gens[g], int(setup.sizes[g]) - 1, int(kmax[g]), P
        ).ravel()

    units = np.flatnonzero(act)
    units = units[np.argsort(card[units], kind="stable")]  # similar k in a chunk: no padding
    perm_rows = np.arange(P, dtype=np.int64)[None, :, None]
    start = 0
    while start < units.size:
        k_first = int(card[units[start]])
        end = min(units.size, start + max(1, CHUNK_ELEMENTS // (P * k_first)))
        kc = int(card[units[end - 1]])
        end = min(end, start + max(1, CHUNK_ELEMENTS // (P * kc)))
        u = units[start:end]
        kc = int(card[u].max())
        cu = card[u][:, None]
        s = np.minimum(np.arange(kc)[None, :], cu - 1)  # (c, kc), padded slots repeat
        filled = np.arange(kc)[None, :] < cu
        wpad = np.where(filled, others.data[others.indptr[u][:, None] + s], 0.0)
        g = codes[u]
        idx = offsets[g][:, None, None] + perm_rows * kmax[g][:, None, None] + s[:, None, :]
        j = draws[idx]
        j += j >= rank[u][:, None, None]  # skip unit i itself
        j += starts[g][:, None, None]
        lag = np.matmul(v_sorted[j], wpad[:, :, None])[..., 0]  # (c, P)
        sims = scale[u][:, None] * lag + shift[u][:, None]
        p_sim[u] = _folded_p(*_tail_counts(sims, observed[u][:, None]), P)
        m = sims.mean(axis=1)
        sd = sims.std(axis=1)
        mean[u] = m
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim[u] = (observed[u] - m) / sd
        start = end
    return p_sim, z_sim, mean


def adjust_pvalues(p: object, *, method: str | None = "fdr", groups: object = None) -> np.ndarray:
    """Adjust p-values for multiple testing, within each group.

    Parameters
    ----------
    p : array-like
        P-values; NaN entries are ignored (not counted as tests) and stay NaN.
    method : {"fdr", "bonferroni", None}
        ``"fdr"``: Benjamini-Hochberg step-up adjusted p-values; ``"bonferroni"``:
        :math:`\\min(1, m p)`; None: unchanged.
    groups : array-like, optional
        One group id per p-value; each group is its own family of ``m`` tests.

    Returns
    -------
    numpy.ndarray

    Notes
    -----
    Benjamini-Hochberg: with the ``m`` p-values of a family sorted,
    :math:`p_{(1)} \\le \\dots \\le p_{(m)}`, the adjusted value is
    :math:`\\tilde p_{(i)} = \\min_{j \\ge i} \\min(1, m p_{(j)} / j)`; rejecting
    :math:`\\tilde p \\le \\alpha` controls the false discovery rate at :math:`\\alpha`.
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


def _significance(p_sim, alpha, adjust, codes):
    if not 0 < alpha < 1:
        raise InputError("argument `alpha` must be between 0 and 1", value=alpha)
    p_adj = adjust_pvalues(p_sim, method=adjust, groups=codes)
    with np.errstate(invalid="ignore"):
        return p_adj, p_sim <= alpha, p_adj <= alpha


def _quadrants(zx: np.ndarray, lag: np.ndarray, valid: np.ndarray, isolated: np.ndarray):
    hi = zx > 0
    lag_hi = lag > 0
    q = np.where(hi, np.where(lag_hi, 1, 4), np.where(lag_hi, 2, 3))
    q = np.where(valid & ~isolated, q, 0)
    labels = np.array(["undefined", "HH", "LH", "LL", "HL"], dtype=object)[q]
    labels[valid & isolated] = "isolated"
    return q.astype(np.int8), labels.astype(str)


def _split_diagonal(W: sparse.csr_array) -> tuple[np.ndarray, sparse.csr_array]:
    diag = W.diagonal().copy()
    others = W.copy()
    others.setdiag(0)
    others.eliminate_zeros()
    others.sort_indices()
    return diag, sparse.csr_array(others)


# --------------------------------------------------------------------------- local


def _local_moran(zx, zy, setup, ok_groups, permutations, seed, alpha, adjust):
    W, b = setup.W, setup.batch
    valid = ok_groups[b.codes]
    zx = np.where(valid, zx, 0.0)
    zy = np.where(valid, zy, 0.0)
    lag = W @ zy
    den = b.sum(zx * zx)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = ((setup.sizes - 1.0) / den)[b.codes]
    factor = np.where(valid, factor, 0.0)
    Is = factor * zx * lag
    diag, others = _split_diagonal(W)
    isolated = np.diff(others.indptr) == 0
    scale = factor * zx
    p_sim, z_sim, e_sim = _conditional(
        zy, others, scale, scale * diag * zy, Is, valid, setup, permutations, seed
    )
    q, labels = _quadrants(zx, lag, valid, isolated & (diag == 0))
    p_adj, sig, sig_adj = _significance(p_sim, alpha, adjust, b.codes)
    nan = np.where(valid, 1.0, np.nan)
    return LocalMoranResult(
        Is=Is * nan,
        quadrant=q,
        labels=labels,
        lag=lag * nan,
        z=zx * nan,
        p_sim=p_sim,
        z_sim=z_sim,
        expected_sim=e_sim,
        p_adjusted=p_adj,
        significant=sig,
        significant_adjusted=sig_adj,
        alpha=alpha,
        adjust=adjust,
        permutations=permutations,
    )


def local_moran(
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    alpha: float = 0.05,
    adjust: str | None = "fdr",
    groups: object = None,
    transformation: str = "r",
) -> LocalMoranResult:
    """Local Moran's I (LISA) with conditional-permutation inference.

    Parameters
    ----------
    y : array-like
        One value per unit (no NaN).
    w : SpatialWeights or (n, n) matrix
    permutations : int
        Conditional permutations per unit (0 = none; p-values NaN).
    seed : int, numpy.random.Generator or None
    alpha : float
        Significance level for ``significant`` / ``significant_adjusted``.
    adjust : {"fdr", "bonferroni", None}
        Multiple-testing adjustment within each group (:func:`adjust_pvalues`).
    groups : array-like, optional
        One group id per unit with block-diagonal ``w``: values are standardised and
        permuted within each group, so one call computes every municipality.
    transformation : {"r", "b"}

    Returns
    -------
    LocalMoranResult

    Notes
    -----
    With :math:`z` standardised within the group (population sd) and :math:`n` the
    group size,

    .. math:: I_i = \\frac{(n - 1)\\, z_i \\sum_j w_{ij} z_j}{\\sum_k z_k^2}

    (esda ``Moran_Local``; :math:`\\sum_i I_i / n` is global Moran's I up to the factor
    :math:`(n-1)/n` for row-standardised weights). Quadrants: 1 HH (:math:`z_i > 0`,
    lag > 0), 2 LH, 3 LL, 4 HL. Inference by conditional permutation (module notes).
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical
    Analysis 27, 93-115.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)
    >>> r = local_moran([1.0, 2.0, 3.0, 4.0], line, permutations=99, seed=1)
    >>> r.labels.tolist()
    ['LL', 'LL', 'HH', 'HH']
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    setup = _setup(w, y.shape[0], groups, transformation)
    no_links = setup.batch.sum(np.diff(setup.W.indptr).astype(np.float64)) == 0
    ok = _degenerate(setup, _constant(y, setup.batch), no_links, "local Moran's I")
    z = _standardise(y, setup)
    return _local_moran(z, z, setup, ok, permutations, seed, alpha, adjust)


def bivariate_local_moran(
    x: object,
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    alpha: float = 0.05,
    adjust: str | None = "fdr",
    groups: object = None,
    transformation: str = "r",
) -> LocalMoranResult:
    """Bivariate local Moran's I: x at unit i against the spatial lag of y.

    Parameters
    ----------
    x, y : array-like
        Two values per unit; ``y`` is the lagged (and permuted) variable.
    w, permutations, seed, alpha, adjust, groups, transformation :
        As in :func:`local_moran`.

    Returns
    -------
    LocalMoranResult
        ``z`` holds standardised x, ``lag`` the lag of standardised y; quadrant from
        the signs of both.

    Notes
    -----
    .. math:: I_i^{BV} = \\frac{(n - 1)\\, z_{x,i} \\sum_j w_{ij} z_{y,j}}{\\sum_k z_{x,k}^2}

    (esda ``Moran_Local_BV``). Anselin, L., Syabri, I., Smirnov, O. (2002).
    Visualizing multivariate spatial correlation with dynamically linked windows.
    """
    x = _values(x, "x")
    y = _values(y, "y", x.shape[0])
    permutations = _check_permutations(permutations)
    setup = _setup(w, x.shape[0], groups, transformation)
    b = setup.batch
    no_links = b.sum(np.diff(setup.W.indptr).astype(np.float64)) == 0
    ok = _degenerate(
        setup, _constant(x, b) | _constant(y, b), no_links, "bivariate local Moran's I"
    )
    return _local_moran(
        _standardise(x, setup), _standardise(y, setup), setup, ok, permutations, seed, alpha,
        adjust,
    )


def _star_matrix(w: object, transformation: str, star: bool) -> object:
    """esda G_Local's weights: self-weight = the row's largest weight, then transform."""
    t = str(transformation).lower()
    if isinstance(w, SpatialWeights):
        base = sparse.csr_array(w.binary, dtype=np.float64)
    else:
        base = _matrix(w, "b") if t == "b" else sparse.csr_array(w, dtype=np.float64)
    base = base.copy()
    if star:
        rowmax = base.max(axis=1).toarray().ravel() if base.nnz else np.zeros(base.shape[0])
        base.setdiag(np.where(rowmax > 0, rowmax, 1.0))
    else:
        base.setdiag(0)
    base.eliminate_zeros()
    return base


def getis_ord_g_star(
    y: object,
    w: object,
    *,
    permutations: int = 999,
    seed: object = None,
    alpha: float = 0.05,
    adjust: str | None = "fdr",
    groups: object = None,
    transformation: str = "r",
    star: bool = True,
) -> GetisOrdResult:
    """Local Getis-Ord Gi* (hot and cold spots) with analytical and permutation inference.

    Parameters
    ----------
    y : array-like
        Non-negative values per unit (e.g. a share), no NaN.
    w : SpatialWeights or (n, n) matrix
        Neighbours; the unit itself is added with the row's largest weight (1 for
        contiguity), as esda ``G_Local(star=True)`` does.
    permutations, seed, alpha, adjust, groups :
        As in :func:`local_moran`.
    transformation : {"r", "b"}
        ``"r"`` (esda's default): row-standardise the weights *including* the
        self-weight, so every unit's weights sum to 1; ``"b"``: binary weights, the
        classic Ord & Getis (1995) form. The z-values differ between the two.
    star : bool
        True for Gi* (include unit i); False for Gi.

    Returns
    -------
    GetisOrdResult

    Notes
    -----
    .. math:: G_i^* = \\frac{\\sum_j w_{ij} y_j}{\\sum_j y_j}, \\quad
              E[G_i^*] = \\frac{W_i}{n}, \\quad
              V[G_i^*] = \\frac{W_i (n - W_i)}{(n-1) n^2} \\frac{s^2}{\\bar y^2}

    with :math:`W_i = \\sum_j w_{ij}` (1 for ``"r"``), :math:`\\bar y` and :math:`s^2`
    the mean and population variance of y (for Gi, sums exclude unit i and n becomes
    n - 1), as in esda 2.9. Permutation: unit i's value is fixed and its neighbours'
    values are drawn from the other units.
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24, 189-206. Ord, J. K., Getis, A. (1995). Local
    spatial autocorrelation statistics: distributional issues and an application.
    Geographical Analysis 27, 286-306.
    """
    y = _values(y, "y")
    permutations = _check_permutations(permutations)
    t = str(transformation).lower()
    base = _star_matrix(w, t, star)
    setup = _setup(base, y.shape[0], groups, t)
    W, b = setup.W, setup.batch
    no_links = b.sum(np.diff(_split_diagonal(W)[1].indptr).astype(np.float64)) == 0
    total = b.sum(y)
    ok = _degenerate(setup, _constant(y, b) | (total == 0), no_links, "Getis-Ord G")
    valid = ok[b.codes]
    remove_self = 0.0 if star else 1.0
    sizes = setup.sizes.astype(np.float64)[b.codes]
    N = sizes - remove_self
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = total[b.codes] - y * remove_self
        G = (W @ y) / denom
        mean = denom / N
        mean_sq = (b.sum(y * y)[b.codes] - y * y * remove_self) / N
        var_y = mean_sq - mean**2
        card = np.asarray(W.sum(axis=1)).ravel()
        expected = card / N
        variance = card * (N - card) / (N - 1) / N**2 * var_y / mean**2
        z = (G - expected) / np.sqrt(variance)
        scale = np.where(valid, 1.0 / denom, 0.0)
    p_norm = _norm_sf(np.abs(z))
    diag, others = _split_diagonal(W)
    p_sim, z_sim, e_sim = _conditional(
        y, others, scale, scale * diag * y, np.where(valid, G, 0.0), valid, setup,
        permutations, seed,
    )
    p_adj, sig, sig_adj = _significance(p_sim, alpha, adjust, b.codes)
    nan = np.where(valid, 1.0, np.nan)
    return GetisOrdResult(
        G=G * nan,
        expected=expected * nan,
        variance=variance * nan,
        z=z * nan,
        p_norm=p_norm * nan,
        p_sim=p_sim,
        z_sim=z_sim,
        expected_sim=e_sim,
        p_adjusted=p_adj,
        significant=sig,
        significant_adjusted=sig_adj,
        alpha=alpha,
        adjust=adjust,
        permutations=permutations,
        star=star,
        transformation=t,
    )
