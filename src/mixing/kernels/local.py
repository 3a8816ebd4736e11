r"""Local (per-unit) segregation and diversity indices: pure numpy kernels.

Every kernel returns **one value per unit** (a float array of length ``n``), or one row
per unit (``(n, k)``) for the location quotient, aligned with the input. Two call forms
follow :mod:`mixing.kernels.aspatial` and :mod:`mixing.kernels.multigroup`:

* two-group kernels ``f(group, total, ..., *, groups=None)`` (1-D counts per unit);
* multigroup kernels ``f(counts, ..., *, groups=None)`` with ``counts`` shaped
  (units, k), k >= 2, one column per population group.

``groups`` (one id per unit, e.g. the municipality code) makes every municipal reference
-- the city's composition :math:`P_k`, the totals :math:`X, Y`, the neighbourhoods and
distance orderings of the spatial kernels -- per group, so a national table is one call.
The reference shares are one :func:`numpy.bincount` per column; results for a batch are
bit-for-bit those of a call per municipality.

Definitions follow PySAL ``segregation`` 2.5 ``segregation.local`` (Cortes et al. 2020).

Conventions (the project's one rule, :mod:`mixing.kernels.grouping`)
-------------------------------------------------------------
* A unit with NaN in any count it needs is **unknown**: its own value is NaN and it adds
  nothing to any municipal reference or to its neighbours' values. ``segregation`` has
  no NaN rule; this is the project's choice (the reference tests drop such units before
  calling ``segregation`` and agree).
* A unit with total 0 (no residents / dwellings) is **empty**. It adds nothing to any
  reference. Its own value is what ``segregation`` computes by default: for several
  kernels that is a number that reads as a finding although nothing was observed
  (``segregation`` turns 0/0 into 0 with ``np.nansum``): local entropy, diversity and
  Simpson's interaction 0 ("no mixing"), Simpson's concentration 0 (outside its range
  [1/K, 1]), a centralization of 0, and a distortion computed from the neighbours. Those
  kernels take ``empty="nan"``, the corrected variant, which returns NaN for empty units
  (and for other undefined values, see each kernel). ``empty="segregation"`` is the
  default so that numbers agree with ``segregation`` as published.
* Where the municipal reference is undefined (a population group absent from the whole
  municipality for the location quotient; no group or no rest for the dissimilarity
  contribution) the value is NaN, without a warning (``np.errstate`` locally).
* Bad input raises :class:`mixing.errors.InputError` (a ``ValueError``).

Notation: unit :math:`i`, population group :math:`k = 1..K`, count :math:`c_{ik}`, unit
total :math:`t_i`, share :math:`p_{ik} = c_{ik} / t_i`; per municipality
:math:`P_k = \sum_i c_{ik} / \sum_i t_i`. Two-group: :math:`x_i` the group,
:math:`y_i = t_i - x_i` the rest, :math:`X, Y` their municipal sums.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree
from scipy.spatial.distance import pdist, squareform
from scipy.special import rel_entr

from mixing.checks import floats, integer, quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.grouping import Batch, make_batch, multigroup_counts, two_group_counts

__all__ = [
    "location_quotient",
    "local_entropy",
    "local_diversity",
    "local_simpson_concentration",
    "local_simpson_interaction",
    "knn_neighbors",
    "local_relative_centralization",
    "local_distortion",
    "global_distortion",
    "dissimilarity_contribution",
]

_EMPTY = ("segregation", "nan")


# ---------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------


def _check_empty(empty: object) -> str:
    if empty not in _EMPTY:
        raise InputError(
            f"argument `empty` must be one of {list(_EMPTY)}, got {empty!r}",
            fix="'segregation' reproduces PySAL segregation; 'nan' marks empty units unknown",
        )
    return str(empty)


def _unknown_rows(values: object) -> np.ndarray:
    """Units with a NaN count (any column); call after validation, which parsed it."""
    arr = np.asarray(values, dtype=np.float64)
    return np.isnan(arr).any(axis=1) if arr.ndim == 2 else np.isnan(arr)


def _composition(counts, groups):
    """Validated counts, per-unit shares (0 for excluded rows), unknown and empty masks."""
    c, valid, batch = multigroup_counts(counts, groups)
    unknown = _unknown_rows(counts)
    empty = ~valid & ~unknown
    t = c.sum(axis=1)
    with quiet():
        p = np.where(valid[:, None], c / np.where(valid, t, 1.0)[:, None], 0.0)
    return c, p, valid, unknown, empty, batch


def _reference_shares(c: np.ndarray, batch: Batch) -> np.ndarray:
    """Municipal composition P (n_groups, K): one bincount per column, K is small."""
    C = np.stack([batch.sum(c[:, k]) for k in range(c.shape[1])], axis=1)
    T = C.sum(axis=1)
    with quiet():
        return C / T[:, None]


def _finish(values: np.ndarray, unknown: np.ndarray, empty: np.ndarray, mode: str):
    """NaN for unknown units always, for empty units under ``empty='nan'``."""
    out = np.where(unknown, np.nan, values)
    if mode == "nan":
        out = np.where(empty, np.nan, out)
    return out


def _of_composition(counts, groups, empty, of_shares) -> np.ndarray:
    """``of_shares(p)`` of each unit's shares p (units, K), with the unknown / empty rule."""
    mode = _check_empty(empty)
    _, p, _, unknown, is_empty, _ = _composition(counts, groups)
    return _finish(of_shares(p), unknown, is_empty, mode)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _points(centroids: object, n: int, name: str = "centroids") -> np.ndarray:
    xy = floats(centroids, name, must="be numeric (units, 2) coordinates",
                fix="pass np.column_stack([gdf.centroid.x, gdf.centroid.y]) in EPSG:28992")
    if xy.shape != (n, 2):
        raise InputError(
            f"argument `{name}` must have shape ({n}, 2) (one x, y per unit), got {xy.shape}",
            fix="pass np.column_stack([gdf.centroid.x, gdf.centroid.y]) in EPSG:28992",
        )
    if not np.isfinite(xy).all():
        first = _first(~np.isfinite(xy).all(axis=1))
        raise InputError(
            f"argument `{name}` has a missing or infinite coordinate at position {first}",
            fix="every unit needs a centroid; drop units without geometry first",
        )
    return xy


def _distance_matrix(distances: object, n: int):
    """A dense float array or a CSR sparse matrix of shape (n, n), without NaN."""
    if sparse.issparse(distances):
        dist = sparse.csr_array(distances, dtype=np.float64)
        values = dist.data
    else:
        dist = np.asarray(distances, dtype=np.float64)
        values = dist
    if dist.shape != (n, n):
        raise InputError(
            f"argument `distances` must have shape ({n}, {n}), got {dist.shape}",
            fix="pass one row and one column per unit, in the order of `counts`",
        )
    if np.isnan(values).any() or (values < 0).any():
        raise InputError(
            "argument `distances` holds NaN or negative distances",
            fix="distances must be >= 0 for every pair of units in a municipality",
        )
    return dist


# ---------------------------------------------------------------------------------------
# location quotient and local composition
# ---------------------------------------------------------------------------------------


def location_quotient(counts, total=None, *, groups=None):
    r"""Location quotient of each population group in each unit (Isard 1960).

    Parameters
    ----------
    counts : array_like
        (units, k) counts, one column per population group, k >= 2; or, in the two-group
        form, the 1-D count of the group of interest per unit (then ``total`` is needed).
    total : array_like, optional
        Two-group form only: total count per unit, ``counts <= total``.
    groups : array_like, optional
        One id per unit (e.g. municipality code): the reference shares :math:`P_k` are
        those of each unit's municipality.

    Returns
    -------
    numpy.ndarray
        (units, k) quotients, or (units,) in the two-group form; >= 0, 1 where the unit
        has the city's share. NaN for unknown or empty units and for a population group
        absent from the whole municipality (0 / 0).

    Notes
    -----
    .. math:: LQ_{ik} = \frac{p_{ik}}{P_k} = \frac{c_{ik} / t_i}{C_k / T}

    Same as ``segregation.local.MultiLocationQuotient``; the two-group form equals its
    first column for the columns ``[group, total - group]``. Empty units are NaN in
    ``segregation`` too, so there is no ``empty`` switch here.

    References: Isard, W. (1960), *Methods of Regional Analysis*, MIT Press;
    Cortes, R. X. et al. (2020), segregation: a Python package for the analysis of urban
    segregation, *Journal of Open Source Software*.

    Examples
    --------
    >>> location_quotient([[8, 2], [2, 8]])
    array([[1.6, 0.4],
           [0.4, 1.6]])
    >>> location_quotient([8, 2], [10, 10])
    array([1.6, 0.4])
    """
    if total is not None:
        x, t, valid, batch = two_group_counts(counts, total, groups)
        X, T = batch.sum(x), batch.sum(t)
        with quiet():
            lq = (x / t) / (X / T)[batch.codes]
        return np.where(valid, lq, np.nan)
    if np.ndim(counts) == 1:
        raise InputError(
            "argument `counts` is 1-D but no `total` was given",
            fix="pass location_quotient(group, total) or a (units, k) count matrix",
        )
    c, p, valid, _, _, batch = _composition(counts, groups)
    P = _reference_shares(c, batch)
    with quiet():
        lq = p / P[batch.codes]
    return np.where(valid[:, None], lq, np.nan)


def _plogp_sum(p: np.ndarray) -> np.ndarray:
    """sum_k p_k ln p_k per row, with 0 ln 0 = 0."""
    with quiet():
        return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=1)


@shared_parameters
def local_entropy(counts, *, groups=None, empty="segregation"):
    r"""Normalised local entropy of each unit's population mix (Reardon & O'Sullivan 2004).

    Parameters
    ----------
    {LOCAL_PARAMETERS}

    Returns
    -------
    E : numpy.ndarray
        :math:`E_i \in [0, 1]` per unit: 0 when one group lives there, 1 when all K groups
        are equally present. NaN for unknown units.

    Notes
    -----
    .. math:: E_i = -\sum_k p_{ik} \frac{\ln p_{ik}}{\ln K}, \qquad 0 \ln 0 = 0

    Same as ``segregation.local.MultiLocalEntropy`` (Eq. 6 of Reardon & O'Sullivan 2004,
    individual-unit case), the entropy of Theil (1972) divided by its maximum
    :math:`\ln K`. ``segregation`` returns 0 for an empty unit (``nansum`` of 0/0
    terms), which reads as "one group lives there alone"; use ``empty="nan"``.

    References: Theil, H. (1972), *Statistical Decomposition Analysis*, North-Holland;
    Reardon, S. F. & O'Sullivan, D. (2004), Measures of spatial segregation,
    *Sociological Methodology* 34, 121-162.

    Examples
    --------
    >>> local_entropy([[5, 5], [10, 0], [0, 0]])
    array([1., 0., 0.])
    >>> local_entropy([[5, 5], [10, 0], [0, 0]], empty="nan")
    array([ 1.,  0., nan])
    """
    # + 0.0: no -0.0
    return _of_composition(counts, groups, empty,
                           lambda p: -_plogp_sum(p) / np.log(p.shape[1]) + 0.0)


@shared_parameters
def local_diversity(counts, *, groups=None, empty="segregation"):
    r"""Local diversity (Theil's entropy, in nats) of each unit's population mix.

    Parameters
    ----------
    {LOCAL_PARAMETERS}

    Returns
    -------
    H : numpy.ndarray
        :math:`H_i \in [0, \ln K]` per unit. NaN for unknown units.

    Notes
    -----
    .. math:: H_i = -\sum_k p_{ik} \ln p_{ik}, \qquad 0 \ln 0 = 0

    Same as ``segregation.local.MultiLocalDiversity``; the municipal version is
    :func:`mixing.kernels.multigroup.diversity`. ``segregation`` returns 0 ("no diversity") for an
    empty unit; use ``empty="nan"``.

    References: Theil, H. (1972), *Statistical Decomposition Analysis*, North-Holland.

    Examples
    --------
    >>> local_diversity([[5, 5], [10, 0]]).round(6)
    array([0.693147, 0.      ])
    """
    return _of_composition(counts, groups, empty, lambda p: -_plogp_sum(p) + 0.0)


@shared_parameters
def local_simpson_concentration(counts, *, groups=None, empty="segregation"):
    r"""Local Simpson's concentration :math:`\lambda_i` of each unit (Simpson 1949).

    Parameters
    ----------
    {LOCAL_PARAMETERS}

    Returns
    -------
    lambda : numpy.ndarray
        :math:`\lambda_i \in [1/K, 1]` per non-empty unit: the chance that two residents
        of the unit drawn with replacement belong to the same group. NaN for unknown units.

    Notes
    -----
    .. math:: \lambda_i = \sum_k p_{ik}^2

    Same as ``segregation.local.MultiLocalSimpsonConcentration`` (local version of
    Eq. 1 of Reardon & Firebaugh 2002); :math:`\lambda_i + I_i = 1` for non-empty units.
    ``segregation`` gives an empty unit 0, outside the index's range [1/K, 1]; use
    ``empty="nan"``.

    References: Simpson, E. H. (1949), Measurement of diversity, *Nature* 163, 688;
    Reardon, S. F. & Firebaugh, G. (2002), Measures of multigroup segregation,
    *Sociological Methodology* 32, 33-67.

    Examples
    --------
    >>> local_simpson_concentration([[5, 5], [10, 0], [0, 0]])
    array([0.5, 1. , 0. ])
    """
    return _of_composition(counts, groups, empty, lambda p: (p * p).sum(axis=1))


@shared_parameters
def local_simpson_interaction(counts, *, groups=None, empty="segregation"):
    r"""Local Simpson's interaction :math:`I_i` (Gini-Simpson diversity) of each unit.

    Parameters
    ----------
    {LOCAL_PARAMETERS}

    Returns
    -------
    I : numpy.ndarray
        :math:`I_i \in [0, 1 - 1/K]` per unit: the chance that two residents of the unit
        drawn with replacement belong to different groups. NaN for unknown units.

    Notes
    -----
    .. math:: I_i = \sum_k p_{ik} (1 - p_{ik})

    Same as ``segregation.local.MultiLocalSimpsonInteraction``, which gives an empty
    unit 0 ("no interaction"); use ``empty="nan"``.

    References: Simpson (1949), *Nature* 163, 688; Reardon & Firebaugh (2002).

    Examples
    --------
    >>> local_simpson_interaction([[5, 5], [10, 0]])
    array([0.5, 0. ])
    """
    return _of_composition(counts, groups, empty, lambda p: (p * (1.0 - p)).sum(axis=1))


# ---------------------------------------------------------------------------------------
# two-group decomposition of D
# ---------------------------------------------------------------------------------------


@shared_parameters
def dissimilarity_contribution(group, total, *, groups=None):
    r"""Each unit's share of the index of dissimilarity D (Duncan & Duncan 1955).

    Parameters
    ----------
    {COUNTS}
    groups : array_like, optional
        One id per unit: :math:`X` and :math:`Y` are those of each unit's municipality.

    Returns
    -------
    numpy.ndarray
        :math:`d_i \in [0, 1/2]` per unit; per municipality the contributions of the
        known units sum to :func:`mixing.kernels.aspatial.dissimilarity`. 0 for empty units (they
        really contribute nothing), NaN for unknown units and for every unit of a
        municipality where the group or the rest is absent (D undefined).

    Notes
    -----
    .. math:: d_i = \tfrac12 \left\lvert \frac{x_i}{X} - \frac{y_i}{Y} \right\rvert,
              \qquad D = \sum_i d_i

    the share of the group (equivalently of the rest) that would have to move out of, or
    into, unit :math:`i` for an even distribution. ``segregation`` has no local D; the
    tests check :math:`\sum_i d_i` against ``segregation.singlegroup.Dissim``.

    References: Duncan, O. D. & Duncan, B. (1955), A methodological analysis of
    segregation indexes, *American Sociological Review* 20(2), 210-217.

    Examples
    --------
    >>> dissimilarity_contribution([10, 0, 5], [10, 10, 10]).round(4)
    array([0.3333, 0.3333, 0.    ])
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    unknown = _unknown_rows(group) | _unknown_rows(total)
    y = t - x
    X, Y = batch.sum(x), batch.sum(y)
    with quiet():
        d = 0.5 * np.abs(x / X[batch.codes] - y / Y[batch.codes])
    defined = ((X > 0) & (Y > 0))[batch.codes]
    return np.where(defined & ~unknown, np.where(valid, d, 0.0), np.nan)


# ---------------------------------------------------------------------------------------
# spatial kernels: geometry is built once by the caller and passed in
# ---------------------------------------------------------------------------------------


def knn_neighbors(centroids, k=5, *, groups=None, mask=None):
    r"""The k nearest other units of every unit, within its municipality.

    Parameters
    ----------
    centroids : array_like
        (units, 2) coordinates in a projected CRS (EPSG:28992), e.g. polygon centroids.
    k : int, default 5
        Number of neighbours; ``segregation.local.LocalRelativeCentralization`` uses 5.
    groups : array_like, optional
        One id per unit: neighbours are searched among units of the same id only.
    mask : array_like of bool, optional
        Units that may be neighbours (default all). Units outside the mask get no
        neighbours either.

    Returns
    -------
    numpy.ndarray
        (units, k) ``int64`` positions of the neighbours, nearest first; -1 where a
        municipality has fewer than ``k + 1`` eligible units.

    Notes
    -----
    Same search as ``libpysal.weights.KNN`` (a k-d tree queried for k + 1 points, the
    unit itself dropped; if duplicated points crowd it out, the farthest is dropped). Built
    once, it can be reused for every variable. The k-d trees are built per municipality
    (a loop over municipalities, each :math:`O(n \log n)`).

    Examples
    --------
    >>> knn_neighbors([[0, 0], [1, 0], [3, 0]], k=1)
    array([[1],
           [0],
           [1]])
    """
    k = integer(k, "k", 1, example=6)
    n = np.shape(centroids)[0] if np.ndim(centroids) >= 1 else 0
    xy = _points(centroids, n)
    batch = make_batch(groups, n)
    eligible = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if eligible.shape != (n,):
        raise InputError(
            f"argument `mask` must have one bool per unit ({n}), got shape {eligible.shape}"
        )
    out = np.full((n, int(k)), -1, dtype=np.int64)
    for g in range(batch.n_groups):
        idx = np.flatnonzero((batch.codes == g) & eligible)
        m = min(int(k), idx.size - 1)
        if m < 1:
            continue
        _, found = cKDTree(xy[idx]).query(xy[idx], k=m + 1)
        found = found.reshape(idx.size, m + 1)
        not_self = found != np.arange(idx.size)[:, None]
        crowded = not_self.sum(axis=1) == m + 1
        not_self[crowded, -1] = False
        out[idx, :m] = idx[found[not_self].reshape(idx.size, m)]
    return out


@shared_parameters
def local_relative_centralization(
    group, total, centroids, *, neighbors=None, k=5, groups=None, empty="segregation"
):
    r"""Local relative centralization of the group around each unit (Folch & Rey 2016).

    Parameters
    ----------
    {COUNTS}
    centroids : array_like
        (units, 2) unit centroids in a projected CRS (EPSG:28992); distances to the focal
        unit are Euclidean distances between centroids.
    neighbors : array_like of int, optional
        (units, m) positions of each unit's local context (-1 for none), e.g. from
        :func:`knn_neighbors`, built once and reused. Default: the ``k`` nearest units
        with known counts in the same municipality.
    k : int, default 5
        Context size when ``neighbors`` is not given (``segregation`` uses 5).
    groups : array_like, optional
        One id per unit; only used to keep default neighbours inside a municipality.
    empty : {"segregation", "nan"}, default "segregation"
        "segregation" matches PySAL: an empty focal unit still gets a value from its
        neighbours, and a context without any group member (or without any rest) gives
        0. "nan" (the corrected variant) returns NaN in both cases, where the index is
        undefined.

    Returns
    -------
    numpy.ndarray
        :math:`RCE_i \in [-1, 1]` per unit: positive when the group lives closer to unit
        :math:`i` than the rest of its context does. NaN for unknown units.

    Notes
    -----
    The context of unit :math:`i` is :math:`i` and its neighbours, ordered by distance
    from :math:`i`'s centroid. With :math:`X_m, Y_m` the cumulative shares of the group
    and the rest over the first :math:`m` units of that order (Massey & Denton 1988),

    .. math:: RCE_i = \sum_{m=2}^{n_i} X_{m-1} Y_m - \sum_{m=2}^{n_i} X_m Y_{m-1}

    Same as ``segregation.local.LocalRelativeCentralization`` (which runs
    ``RelativeCentralization`` with ``center`` = the focal unit on each k = 5 nearest-
    neighbour context); here all contexts are sorted and summed at once. Neighbours with
    NaN counts contribute nothing.

    References: Folch, D. C. & Rey, S. J. (2016), The centralization index: a measure of
    local spatial segregation, *Papers in Regional Science* 95(3), 555-576; Massey, D. S.
    & Denton, N. A. (1988), The dimensions of residential segregation, *Social Forces*
    67(2), 281-315.

    Examples
    --------
    >>> xy = [[0, 0], [1, 0], [3, 0]]
    >>> local_relative_centralization([10, 0, 0], [10, 10, 10], xy, k=2)
    array([ 1.,  0., -1.])
    """
    mode = _check_empty(empty)
    x, t, valid, batch = two_group_counts(group, total, groups)
    unknown = _unknown_rows(group) | _unknown_rows(total)
    n = x.shape[0]
    xy = _points(centroids, n)
    if neighbors is None:
        nb = knn_neighbors(xy, k, groups=groups, mask=~unknown)
    else:
        nb = np.asarray(neighbors)
        if nb.ndim != 2 or nb.shape[0] != n or nb.dtype.kind not in "iu":
            raise InputError(
                f"argument `neighbors` must be an integer (units, m) array with {n} rows, "
                f"got dtype {nb.dtype} and shape {nb.shape}",
                fix="build it with mixing.kernels.local.knn_neighbors(centroids, k, groups=...)",
            )
        if ((nb < -1) | (nb >= n)).any():
            row = _first(((nb < -1) | (nb >= n)).any(axis=1))
            raise InputError(
                f"argument `neighbors` has a position outside -1 .. {n - 1} in row {row}",
                fix="use unit positions (0-based) and -1 for 'no neighbour'",
            )
    # context: neighbours then the unit itself (segregation appends it last)
    ctx = np.concatenate([nb.astype(np.int64), np.arange(n)[:, None]], axis=1)
    present = ctx >= 0
    safe = np.where(present, ctx, 0)
    with quiet():
        dist = np.sqrt((xy[safe, 0] - xy[:, 0:1]) ** 2 + (xy[safe, 1] - xy[:, 1:2]) ** 2)
    dist = np.where(present, dist, np.inf)
    order = np.argsort(dist, axis=1)
    rows = np.arange(n)[:, None]
    xs = np.where(present, x[safe], 0.0)[rows, order]
    ys = np.where(present, (t - x)[safe], 0.0)[rows, order]
    cx, cy = np.cumsum(xs, axis=1), np.cumsum(ys, axis=1)
    Xc, Yc = cx[:, -1:], cy[:, -1:]
    with quiet():
        xi, yi = cx / Xc, cy / Yc
    ahead = np.nansum(xi[:, :-1] * yi[:, 1:], axis=1)
    behind = np.nansum(xi[:, 1:] * yi[:, :-1], axis=1)
    rce = ahead - behind  # two sums, then the difference, as segregation
    if mode == "nan":
        undefined = ~valid | (Xc[:, 0] == 0) | (Yc[:, 0] == 0)
        rce = np.where(undefined, np.nan, rce)
    return np.where(unknown, np.nan, rce)


@shared_parameters
def local_distortion(counts, *, centroids=None, distances=None, groups=None, empty="segregation"):
    r"""Local distortion coefficient: a unit's KL divergence profile (Olteanu et al. 2019).

    Parameters
    ----------
    {MULTI_COUNTS}
    centroids : array_like, optional
        (units, 2) centroids in a projected CRS; Euclidean distances between them are
        computed per municipality. Give this or ``distances``.
    distances : array_like or scipy.sparse matrix, optional
        (units, units) precomputed distances (e.g. network travel times). With
        ``groups`` only the within-municipality blocks are read. A sparse matrix (e.g.
        :func:`mixing.geometry.distances.centroid_distances` with ``groups``, no distance band)
        must store every pair of distinct units within a municipality; its diagonal may
        be left out.
    groups : array_like, optional
        One id per unit: each unit's profile runs over its own municipality, towards that
        municipality's composition.
    empty : {"segregation", "nan"}, default "segregation"
        "segregation" matches PySAL: units with total 0 stay in every profile, repeating
        the previous step's divergence (so empty parks and water raise their neighbours'
        distortion), and get a value themselves. "nan" (the corrected variant) leaves
        them out of every profile and returns NaN for them.

    Returns
    -------
    numpy.ndarray
        :math:`\Delta_i \ge 0` per unit, in nats; larger means the surroundings of
        :math:`i` differ from the city for longer as one widens the circle. Not bounded
        above (it grows with the number of units). NaN for unknown units.

    Notes
    -----
    Order the municipality's units by distance from :math:`i` (itself first). With
    :math:`q^{(m)}` the composition of the :math:`m` nearest units pooled and :math:`P`
    the municipal composition,

    .. math:: \Delta_i = \sum_{m=1}^{n} \mathrm{KL}(q^{(m)} \,\|\, P)
              = \sum_{m=1}^{n} \sum_k q^{(m)}_k \ln \frac{q^{(m)}_k}{P_k}

    (the last step is 0). Steps whose pooled population is 0 add nothing. Same as
    ``segregation.local.LocalDistortion`` (the sum of ``segregation.dynamics.
    compute_divergence_profiles`` per observation; ``normalize`` is not implemented
    there either). Distances from ``centroids`` use ``scipy.spatial.distance.pdist``
    and the order ``numpy.argsort``, as ``segregation`` does, so ties break alike.
    The work is :math:`O(n^2 K)` per municipality; municipalities are handled one at a
    time (a loop), which keeps memory at the largest municipality's :math:`n^2 K`.

    References: Olteanu, M., Randon-Furling, J. & Clark, W. A. V. (2019), Segregation
    through the multiscalar lens, *PNAS* 116(25), 12250-12254,
    doi:10.1073/pnas.1900192116.

    Examples
    --------
    >>> xy = [[0, 0], [1, 0], [2, 0]]
    >>> local_distortion([[10, 0], [0, 10], [5, 5]], centroids=xy).round(4)
    array([0.6931, 0.6931, 0.1308])
    """
    mode = _check_empty(empty)
    c, valid, batch = multigroup_counts(counts, groups)
    unknown = _unknown_rows(counts)
    n = c.shape[0]
    if (centroids is None) == (distances is None):
        raise InputError(
            "give exactly one of `centroids` (units, 2) or `distances` (units, units)",
            fix="pass centroids=np.column_stack([gdf.centroid.x, gdf.centroid.y])",
        )
    if centroids is not None:
        xy = _points(centroids, n)
    else:
        dist = _distance_matrix(distances, n)
    in_profile = valid if mode == "nan" else ~unknown
    P = _reference_shares(c, batch)
    out = np.full(n, np.nan)
    for g in range(batch.n_groups):
        idx = np.flatnonzero((batch.codes == g) & in_profile)
        if idx.size == 0:
            continue
        if centroids is not None:
            d = squareform(pdist(xy[idx])) if idx.size > 1 else np.zeros((1, 1))
        elif sparse.issparse(dist):
            block = dist[idx][:, idx]
            if block.nnz < idx.size * (idx.size - 1):
                raise InputError(
                    f"argument `distances` misses pairs of units of group "
                    f"{g if batch.scalar else batch.labels[g].item()!r} (a distance band?); the "
                    "distortion needs every pair within a municipality",
                    fix="use mixing.geometry.distances.centroid_distances(..., groups=...) without "
                    "distance_band, or pass centroids=",
                )
            d = block.toarray()
        else:
            d = dist[np.ix_(idx, idx)]
        order = np.argsort(d, axis=1)
        pooled = np.cumsum(c[idx][order], axis=1)  # (focal, step, K)
        size = pooled.sum(axis=2, keepdims=True)
        with quiet():
            kl = rel_entr(pooled / size, P[g]).sum(axis=2)
        out[idx] = np.nansum(kl, axis=1)  # steps with no population: NaN, skipped
    return out


def global_distortion(counts, *, centroids=None, distances=None, groups=None,
                      empty="segregation"):
    r"""Global distortion index: the population-weighted mean of the local distortions.

    Parameters
    ----------
    counts : array_like, shape (units, k)
        Group counts per unit.
    centroids, distances, groups, empty :
        As in :func:`local_distortion` (the distances are built once and passed in).

    Returns
    -------
    float or numpy.ndarray
        One value, or one per group in sorted group order.

    Notes
    -----
    :math:`G = \sum_i t_i \, d_i / \sum_i t_i`, with :math:`t_i` the unit's population and
    :math:`d_i` its distortion coefficient (:func:`local_distortion`): the divergence a
    resident experiences between the composition around them, widened step by step to the
    whole city, and the city's composition. Matches PySAL ``segregation``'s
    ``GlobalDistortion`` (no normalisation; the paper's scaling is not implemented there).

    References
    ----------
    Olteanu, M., Randon-Furling, J. & Clark, W. A. V. (2019), Segregation through the
    multiscalar lens, *PNAS* 116(25), 12250-12254.
    de Bézenac, C., Clark, W. A. V., Olteanu, M. & Randon-Furling, J. (2022), Measuring and
    visualizing patterns of ethnic concentration: the role of distortion coefficients,
    *Geographical Analysis* 54(1), 173-196.

    Examples
    --------
    >>> round(global_distortion([[10, 0], [0, 10]], centroids=[[0, 0], [1, 0]]), 4)
    0.6931
    """
    c = np.asarray(counts, dtype=np.float64)
    d = local_distortion(c, centroids=centroids, distances=distances, groups=groups,
                         empty=empty)
    population = np.nansum(c, axis=1)
    known = np.isfinite(d) & np.isfinite(c).all(axis=1)
    weighted = np.where(known, d * population, 0.0)
    weight = np.where(known, population, 0.0)
    if groups is None:
        with quiet():
            return float(weighted.sum() / weight.sum())
    labels, codes = np.unique(np.asarray(groups), return_inverse=True)
    with quiet():
        return (np.bincount(codes, weighted, len(labels))
                / np.bincount(codes, weight, len(labels)))
