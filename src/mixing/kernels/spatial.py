"""Two-group spatial segregation indices: pure numpy/scipy kernels, batched by group id.

Every kernel takes the counts ``group`` and ``total`` (one per unit, as in
:mod:`mixing.kernels.aspatial`) plus the *precomputed* geometry it needs -- a contiguity or
boundary-length matrix, centroid distances, areas, perimeters, centroids -- built once by
:func:`mixing.geometry.distances.spatial_inputs` (or handed in directly, e.g. a tiny matrix in a
test). It returns a ``float``, or with ``groups`` (one id per unit, e.g. the municipality
code) one value per group in ``np.unique(groups)`` order, computed in one pass.

Definitions follow PySAL ``segregation`` 2.5 (Cortes et al. 2020) so that numbers agree
with it, including its conventions. Where ``segregation`` departs from the literature the
default still matches it and the Notes say so; ``match_segregation=False`` gives the
published definition (Massey & Denton 1988; White 1983).

Conventions
-----------
* **Matrices** are ``(n, n)`` scipy sparse matrices or numpy arrays aligned with the units
  (a :class:`mixing.geometry.weights.SpatialWeights` is accepted for contiguity: its ``binary``
  matrix). Links between units of different ``groups`` are ignored, so a block-diagonal
  matrix and a full one give the same result; :func:`mixing.geometry.distances.spatial_inputs` with
  the same ``groups`` builds block-diagonal matrices directly.
* **Excluded units** (NaN in ``group`` or ``total``, or ``total == 0``; the project's one
  rule, see :mod:`mixing.kernels.aspatial`) are removed with their rows and columns: the result is
  the one ``segregation`` gives on the table without them. Note that area-based indices
  (delta, concentration, centralization) then also ignore the *area* of uninhabited units.
* Undefined results (group absent or everyone, no unit left, no link) are NaN, silently;
  bad input raises :class:`mixing.errors.InputError`.

Notation: unit :math:`i`, group :math:`x_i`, total :math:`t_i`, rest
:math:`y_i = t_i - x_i`, share :math:`p_i = x_i / t_i`, area :math:`a_i`, and per
municipality :math:`X, Y, T, A` the sums and :math:`n` the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from mixing.checks import integer, per_unit, quiet
from mixing.errors import InputError
from mixing.kernels import aspatial as _indices
from mixing.kernels._grouping import Batch, exclusive_cumsum, two_group_counts
from mixing.kernels.aspatial import _dissim

__all__ = [
    "spatial_dissimilarity",
    "boundary_spatial_dissimilarity",
    "perimeter_area_dissimilarity",
    "distance_decay_isolation",
    "distance_decay_exposure",
    "spatial_proximity",
    "spatial_prox_prof",
    "proximity_matrix",
    "delta",
    "absolute_concentration",
    "relative_concentration",
    "absolute_centralization",
    "relative_centralization",
    "absolute_clustering",
    "relative_clustering",
    "MultiscaleProfile",
    "multiscale_profile",
]


# ---------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------


def _square(matrix: object, n: int, name: str) -> sparse.csr_array:
    """Validated (n, n) float CSR with sorted indices (explicit zeros kept)."""
    from mixing.geometry.weights import SpatialWeights

    if isinstance(matrix, SpatialWeights):
        matrix = matrix.binary
    try:
        m = sparse.csr_array(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"argument `{name}` must be an (n, n) scipy sparse matrix or array ({exc})",
            fix="pass e.g. spatial_inputs(units, groups=...).contiguity",
        ) from exc
    if m.ndim != 2 or m.shape != (n, n):
        raise InputError(
            f"argument `{name}` must have shape ({n}, {n}) (one row and column per unit), "
            f"got {m.shape}",
            fix="build it from the same units, in the same order, as the counts",
        )
    if m.nnz and not np.isfinite(m.data).all():
        raise InputError(f"argument `{name}` has a NaN or infinite entry")
    if m.nnz and (m.data < 0).any():
        raise InputError(f"argument `{name}` has a negative entry; weights must be >= 0")
    if not m.has_sorted_indices:
        m = m.copy()
        m.sort_indices()
    return m


def _links(matrix, n, name, valid, batch):
    """Row-major (rows, cols, values) of the entries between valid units of one group."""
    m = _square(matrix, n, name)
    rows = np.repeat(np.arange(n), np.diff(m.indptr))
    cols = m.indices.astype(np.int64)
    keep = valid[rows] & valid[cols] & (batch.codes[rows] == batch.codes[cols])
    return rows[keep], cols[keep], m.data[keep]


def _vector(values, n, name) -> np.ndarray:
    return per_unit(values, n, name, fix="pass e.g. spatial_inputs(units).areas, aligned with "
                                         "the counts")


def _row_sum(rows, weights, n):
    return np.bincount(rows, weights=weights, minlength=n)


def _count(valid: np.ndarray, batch: Batch) -> np.ndarray:
    return batch.sum(valid.astype(np.float64))


def _share(x, t):
    with quiet():
        return np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)


# ---------------------------------------------------------------------------------------
# Morrill / Wong: dissimilarity minus a neighbour-difference term
# ---------------------------------------------------------------------------------------


def spatial_dissimilarity(group, total, contiguity, *, groups=None, standardize=False):
    """Spatial dissimilarity index D(adj) of Morrill (1991).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit (e.g. social dwellings), 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    contiguity : scipy sparse matrix, numpy.ndarray or SpatialWeights
        ``(n, n)`` weights :math:`c_{ij}`, normally binary queen contiguity
        (:attr:`mixing.geometry.distances.SpatialInputs.contiguity`, as ``segregation``'s default
        ``Queen.from_dataframe``).
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    standardize : bool, default False
        Row-standardise :math:`c_{ij}` (as the R package ``seg``); ``segregation``'s
        default is False.

    Returns
    -------
    float or numpy.ndarray
        D(adj) <= D. NaN where D is undefined or no two valid units are linked.

    Notes
    -----
    .. math:: D(adj) = D - \\frac{\\sum_i \\sum_j c_{ij} \\lvert p_i - p_j \\rvert}
                                 {\\sum_i \\sum_j c_{ij}}

    with :math:`D` the aspatial dissimilarity (:func:`mixing.kernels.aspatial.dissimilarity`).
    Same definition as ``segregation.singlegroup.SpatialDissim``. With
    ``standardize=True`` a unit without neighbours (an island) has an empty row and adds
    nothing to either sum; ``segregation`` divides 0 by 0 there and returns NaN.

    References: Morrill, R. L. (1991), On the measure of geographic segregation,
    *Geography Research Forum* 11, 25-36; Hong, S.-Y., O'Sullivan, D. & Sadahiro, Y.
    (2014), Implementing spatial segregation measures in R, *PLoS ONE* 9(11), e113767.

    Examples
    --------
    Two units side by side, one all group, one none:

    >>> spatial_dissimilarity([10, 0], [10, 10], [[0, 1], [1, 0]])
    0.0
    >>> spatial_dissimilarity([10, 0], [10, 10], [[0, 0], [0, 0]])
    nan
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    rows, cols, c = _links(contiguity, x.shape[0], "contiguity", valid, batch)
    return batch.out(_neighbour_adjusted(x, t, batch, rows, cols, c, standardize))


def _neighbour_adjusted(x, t, batch, rows, cols, c, standardize):
    n = x.shape[0]
    if standardize:
        rs = _row_sum(rows, c, n)
        c = c / rs[rows]
    p = _share(x, t)
    num = batch.sum(_row_sum(rows, c * np.abs(p[rows] - p[cols]), n))
    den = batch.sum(_row_sum(rows, c, n))
    with quiet():
        return _dissim(x, t, batch) - num / den


def boundary_spatial_dissimilarity(group, total, boundary_lengths, *, groups=None,
                                   standardize=True):
    """Boundary spatial dissimilarity D(w) of Wong (1993).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    boundary_lengths : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` length of the boundary shared by units i and j
        (:attr:`mixing.geometry.distances.SpatialInputs.boundary_lengths`).
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    standardize : bool, default True
        Row-standardise the lengths (``segregation.BoundarySpatialDissim``'s default).

    Returns
    -------
    float or numpy.ndarray
        D(w) <= D. NaN where D is undefined or no two valid units share a boundary.

    Notes
    -----
    .. math:: D(w) = D - \\frac{\\sum_i \\sum_j c_{ij} \\lvert p_i - p_j \\rvert}
                              {\\sum_i \\sum_j c_{ij}}, \\qquad
              c_{ij} = \\frac{l_{ij}}{\\sum_k l_{ik}} \\text{ (standardised)}

    with :math:`l_{ij}` the shared boundary length; with ``standardize=True`` the
    denominator is the number of units with a neighbour. Same definition as
    ``segregation.singlegroup.BoundarySpatialDissim``, which builds the lengths from
    rook contiguity and ``intersection(...).length`` as
    :func:`mixing.geometry.distances.boundary_length_matrix` does. ``segregation`` returns NaN when
    any unit is an island and ``standardize=True`` (0/0 in its row); here an island adds
    nothing to either sum.

    References: Wong, D. W. S. (1993), Spatial indices of segregation, *Urban Studies*
    30(3), 559-572; Hong, O'Sullivan & Sadahiro (2014), *PLoS ONE* 9(11).

    Examples
    --------
    >>> lengths = [[0, 100, 0], [100, 0, 50], [0, 50, 0]]
    >>> round(boundary_spatial_dissimilarity([10, 0, 0], [10, 10, 10], lengths), 6)
    0.444444
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    rows, cols, c = _links(boundary_lengths, x.shape[0], "boundary_lengths", valid, batch)
    return batch.out(_neighbour_adjusted(x, t, batch, rows, cols, c, standardize))


def perimeter_area_dissimilarity(group, total, boundary_lengths, perimeters, areas, *,
                                 groups=None, standardize=True):
    """Perimeter/area-ratio spatial dissimilarity D(s) of Wong (1993).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    boundary_lengths : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` shared boundary lengths (:attr:`SpatialInputs.boundary_lengths`).
    perimeters, areas : array_like
        Perimeter (m) and area (m²) per unit (:attr:`SpatialInputs.perimeters`,
        :attr:`SpatialInputs.areas`).
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    standardize : bool, default True
        Divide the lengths by their total (per group), ``segregation``'s default.

    Returns
    -------
    float or numpy.ndarray
        D(s). NaN where D is undefined or no two valid units share a boundary.

    Notes
    -----
    With :math:`c_{ij} = l_{ij} / \\sum_{kl} l_{kl}` and the perimeter/area ratio
    :math:`r_i = P_i / a_i`,

    .. math:: D(s) = D - \\frac{\\sum_i \\sum_j c_{ij} \\lvert p_i - p_j \\rvert
              (r_i + r_j)}{2 \\max_k r_k}

    Same definition as ``segregation.singlegroup.PARDissim`` (perimeters include holes,
    as ``GeoSeries.length``); the maximum is over the valid units of the group.

    References: Wong (1993), *Urban Studies* 30(3), 559-572.

    Examples
    --------
    >>> lengths = [[0, 1], [1, 0]]
    >>> perimeter_area_dissimilarity([10, 0], [10, 10], lengths, [4, 4], [1, 1])
    0.0
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    n = x.shape[0]
    rows, cols, c = _links(boundary_lengths, n, "boundary_lengths", valid, batch)
    perim = _vector(perimeters, n, "perimeters")
    area = _vector(areas, n, "areas")
    with quiet():
        ratio = np.where(valid, perim / area, 0.0)
    if np.isinf(ratio).any():
        raise InputError("argument `areas` is 0 for a unit with people; areas must be > 0")
    if standardize:
        total_c = batch.sum(_row_sum(rows, c, n))
        c = c / total_c[batch.codes[rows]]
    p = _share(x, t)
    num = batch.sum(_row_sum(rows, np.abs(p[rows] - p[cols]) * c * (ratio[rows] + ratio[cols]), n))
    max_ratio = np.zeros(batch.n_groups)
    np.maximum.at(max_ratio, batch.codes, ratio)
    with quiet():
        out = _dissim(x, t, batch) - num / (2.0 * max_ratio)
    out[batch.sum(_row_sum(rows, c, n)) == 0] = np.nan
    return batch.out(out)


def spatial_prox_prof(group, total, contiguity, *, groups=None, m=1000):
    """Spatial proximity profile SPP of Hong & Sadahiro (2014), as in ``segregation``.

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    contiguity : scipy sparse matrix, numpy.ndarray or SpatialWeights
        ``(n, n)`` contiguity; its entries are the edge lengths of the graph (binary
        contiguity: path length in steps).
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    m : int, default 1000
        Number of thresholds on the grid ``linspace(0, 1, m)``.

    Returns
    -------
    float or numpy.ndarray
        SPP; larger when the units where the group is over-represented are close to each
        other. NaN where ``P`` is 0 or 1 or no unit is left.

    Notes
    -----
    With :math:`\\delta_{ij}` the shortest-path distance in the contiguity graph and
    :math:`G_\\tau = \\{i : p_i \\ge \\tau\\}` (:math:`k_\\tau` units), the connectivity
    :math:`\\eta_\\tau = (k_\\tau^2 - k_\\tau) / \\sum_{i, j \\in G_\\tau} \\delta_{ij}`
    (0 where undefined or disconnected) and, on the grid :math:`\\tau_k = k / (m - 1)`,

    .. math:: SPP = \\frac{P - \\left(\\frac1m \\sum_{\\tau_k < P} \\eta_{\\tau_k}
              - \\frac1m \\sum_{\\tau_k \\ge P} \\eta_{\\tau_k}\\right)}{1 - P}

    Same definition as ``segregation.singlegroup.SpatialProxProf`` (including the
    ``1/m`` quadrature of :func:`mixing.kernels.aspatial.con_prof`). Shortest paths are found per
    group (Dijkstra, scipy), since they never cross groups: :math:`O(n_g^2)` memory each;
    the threshold sums come from prefix sums over units sorted by share, not a grid loop.

    References: Hong, S.-Y. & Sadahiro, Y. (2014), Measuring geographic segregation: a
    graph-based approach, *Journal of Geographical Systems* 16(2), 211-231.

    Examples
    --------
    >>> chain = [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    >>> round(spatial_prox_prof([10, 10, 0], [10, 10, 10], chain), 3)
    1.005
    """
    from scipy.sparse.csgraph import shortest_path

    m = integer(m, "m", 2, example=1000)
    x, t, valid, batch = two_group_counts(group, total, groups)
    n = x.shape[0]
    rows, cols, c = _links(contiguity, n, "contiguity", valid, batch)
    X, T = batch.sum(x), batch.sum(t)
    with quiet():
        P = X / T
    p = _share(x, t)
    grid = np.linspace(0.0, 1.0, int(m))
    out = np.full(batch.n_groups, np.nan)
    local = np.full(n, -1, dtype=np.int64)
    for k in range(batch.n_groups):  # shortest paths live inside one group
        members = np.flatnonzero((batch.codes == k) & valid)
        if members.size == 0 or not 0.0 < P[k] < 1.0:
            continue
        local[members] = np.arange(members.size)
        inside = batch.codes[rows] == k
        graph = sparse.csr_array((c[inside], (local[rows[inside]], local[cols[inside]])),
                                 shape=(members.size, members.size))
        dist = shortest_path(graph, method="D", directed=False)
        order = np.argsort(-p[members], kind="stable")
        shares = p[members][order]
        dist = dist[np.ix_(order, order)]
        # sum of delta over the first j units (sorted by share, descending), j = 0 .. n_g
        prefix = np.concatenate([[0.0], np.cumsum(2.0 * np.tril(dist, -1).sum(axis=1))])
        count = np.searchsorted(-shares, -grid, side="right")  # units with p >= tau
        with quiet():
            eta = (count.astype(np.float64) ** 2 - count) / prefix[count]
        eta[~np.isfinite(eta)] = 0.0
        below = grid < P[k]
        out[k] = (P[k] - (eta[below].sum() / m - eta[~below].sum() / m)) / (1.0 - P[k])
    return batch.out(out)


# ---------------------------------------------------------------------------------------
# distance-decay indices (Massey & Denton 1988; White 1983)
# ---------------------------------------------------------------------------------------


def _check_decay(alpha, beta, distance_scale):
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"argument `{name}` must be a number >= 0, got {v!r}")
    if not np.isfinite(distance_scale) or distance_scale <= 0:
        raise ValueError(
            f"argument `distance_scale` must be a positive distance in metres, got "
            f"{distance_scale!r}; 1000 expresses distances in km as Massey & Denton do"
        )


def _proximity(distances, areas, valid, batch, alpha, beta, match_segregation,
               distance_scale, n):
    """Row-major (rows, cols, c) of the proximity matrix between valid units, diagonal included."""
    _check_decay(alpha, beta, distance_scale)
    area = _vector(areas, n, "areas")
    if isinstance(distances, np.ndarray) and distances.ndim == 2 and not sparse.issparse(distances):
        d = np.asarray(distances, dtype=np.float64)
        if d.shape != (n, n):
            raise InputError(
                f"argument `distances` must have shape ({n}, {n}), got {d.shape}"
            )
        # a dense matrix: every pair counts, including zero distances
        rows, cols = np.nonzero(~np.eye(n, dtype=bool))
        dval = d[rows, cols]
        if not np.isfinite(dval).all() or (dval < 0).any():
            raise InputError("argument `distances` must be finite and >= 0")
        keep = valid[rows] & valid[cols] & (batch.codes[rows] == batch.codes[cols])
        rows, cols, dval = rows[keep], cols[keep], dval[keep]
    else:
        rows, cols, dval = _links(distances, n, "distances", valid, batch)
        off = rows != cols
        rows, cols, dval = rows[off], cols[off], dval[off]
    own = np.flatnonzero(valid)
    with quiet():
        d_own = (alpha * area[own]) ** beta
        if match_segregation:
            m = _count(valid, batch)[batch.codes]
            linked = _row_sum(rows, np.ones(rows.size), n)
            short = valid & (linked < m - 1)
            if short.any():
                first = int(np.flatnonzero(short)[0])
                raise InputError(
                    f"argument `distances` lacks pairs: unit {first} has "
                    f"{int(linked[first])} of its {int(m[first] - 1)} within-group "
                    "distances; segregation's proximity needs all of them",
                    fix="use spatial_inputs(...) without distance_band, a dense matrix, or "
                    "match_segregation=False",
                )
            col_sum = _row_sum(rows, dval, n)  # symmetric: row sum of j = column sum of j
            c_pair = 1.0 - np.exp(-(dval / col_sum[cols]))
            c_own = 1.0 - np.exp(-d_own)
        else:
            c_pair = np.exp(-dval / distance_scale)
            c_own = np.exp(-d_own / distance_scale)
    rows = np.concatenate([rows, own])
    cols = np.concatenate([cols, own])
    c = np.concatenate([c_pair, c_own])
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], c[order]


_PROXIMITY_PARAMETERS = """distances : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` centroid distances in metres (:attr:`SpatialInputs.distances`). A
        dense array counts every pair; a sparse matrix counts its stored pairs, which
        for ``match_segregation=True`` must be all pairs of the same group.
    areas : array_like
        Area per unit, m² (:attr:`SpatialInputs.areas`), for the self-distance.
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    alpha, beta : float, default 0.6, 0.5
        Self-distance :math:`d_{ii} = (\\alpha a_i)^\\beta` (White 1983).
    match_segregation : bool, default True
        Use ``segregation`` 2.5's proximity matrix (see :func:`proximity_matrix`);
        False uses Massey & Denton's :math:`c_{ij} = \\exp(-d_{ij} / s)`.
    distance_scale : float, default 1000.0
        :math:`s` in metres for ``match_segregation=False`` (distances in km, as in
        the literature); ignored otherwise."""


def _fill(doc: str) -> str:
    return doc.replace("{PROXIMITY_PARAMETERS}", _PROXIMITY_PARAMETERS)


def proximity_matrix(distances, areas, *, valid=None, groups=None, alpha=0.6, beta=0.5,
                     match_segregation=True, distance_scale=1000.0) -> sparse.csr_array:
    """The proximity matrix :math:`c_{ij}` the distance-decay indices use.

    Parameters
    ----------
    {PROXIMITY_PARAMETERS}
    valid : array_like of bool, optional
        Units to keep (default all); others get empty rows and columns.

    Returns
    -------
    scipy.sparse.csr_array
        :math:`c_{ij}` including the diagonal, block-diagonal by ``groups``.

    Notes
    -----
    Massey & Denton (1988) define :math:`c_{ij} = \\exp(-d_{ij})` with :math:`d_{ij}`
    the centroid distance in km and :math:`d_{ii} = \\sqrt{0.6 a_i}` (White 1983).
    ``segregation`` 2.5 (``util.generate_distance_matrix``) computes instead, in metres,

    .. math:: c_{ij} = 1 - \\exp\\left(-\\frac{d_{ij}}{\\sum_k d_{jk}}\\right)
              \\;(i \\ne j), \\qquad c_{ii} = 1 - \\exp\\left(-(\\alpha a_i)^\\beta\\right)

    i.e. the *complement* of a proximity (it grows with distance), with distances divided
    by the distance sum of the column's unit (numpy broadcasting), and a self term that is
    1 for any area above a few m². The default reproduces it so that numbers agree with
    ``segregation``; ``match_segregation=False`` gives the published
    :math:`c_{ij} = \\exp(-d_{ij}/s)`, :math:`c_{ii} = \\exp(-(\\alpha a_i)^\\beta / s)`
    (with :math:`\\beta = 0.5`, :math:`d_{ii}` scales like a distance). For that variant a
    sparse distance band is enough: pairs not stored have :math:`c_{ij} = 0`.

    References: Massey, D. S. & Denton, N. A. (1988), The dimensions of residential
    segregation, *Social Forces* 67(2), 281-315; White, M. J. (1983), The measurement of
    spatial segregation, *American Journal of Sociology* 88(5), 1008-1018.

    Examples
    --------
    >>> c = proximity_matrix([[0, 1000], [1000, 0]], [1e4, 1e4], match_segregation=False)
    >>> c.toarray().round(4)
    array([[0.9255, 0.3679],
           [0.3679, 0.9255]])
    """
    a = np.asarray(areas, dtype=np.float64)
    n = a.shape[0]
    keep = np.ones(n, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    from mixing.kernels._grouping import make_batch

    batch = make_batch(groups, n)
    rows, cols, c = _proximity(_as_distances(distances), a, keep, batch, alpha, beta,
                               match_segregation, distance_scale, n)
    return sparse.csr_array((c, (rows, cols)), shape=(n, n))


proximity_matrix.__doc__ = _fill(proximity_matrix.__doc__)


def _as_distances(distances):
    if sparse.issparse(distances):
        return distances
    return np.asarray(distances, dtype=np.float64)


def _decay_setup(group, total, distances, areas, groups, alpha, beta, match_segregation,
                 distance_scale):
    x, t, valid, batch = two_group_counts(group, total, groups)
    n = x.shape[0]
    rows, cols, c = _proximity(_as_distances(distances), areas, valid, batch, alpha, beta,
                               match_segregation, distance_scale, n)
    return x, t, valid, batch, rows, cols, c


def _quad(u, v, rows, cols, c, batch):
    """Per group sum_ij u_i c_ij v_j."""
    n = u.shape[0]
    return batch.sum(_row_sum(rows, u[rows] * c * v[cols], n))


def spatial_proximity(group, total, distances, areas, *, groups=None, alpha=0.6, beta=0.5,
                      match_segregation=True, distance_scale=1000.0):
    """Spatial proximity index SP (White 1983; Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    {PROXIMITY_PARAMETERS}

    Returns
    -------
    float or numpy.ndarray
        SP; 1 when the two groups are as close to each other as to themselves, above 1
        when each group lives closer to itself. NaN where the group or the rest is absent.

    Notes
    -----
    .. math:: P_{xx} = \\sum_{ij} \\frac{x_i x_j c_{ij}}{X^2}, \\quad
              P_{yy} = \\sum_{ij} \\frac{y_i y_j c_{ij}}{Y^2}, \\quad
              P_{tt} = \\sum_{ij} \\frac{t_i t_j c_{ij}}{T^2}, \\qquad
              SP = \\frac{X P_{xx} + Y P_{yy}}{T P_{tt}}

    with :math:`c_{ij}` from :func:`proximity_matrix`. Same definition as
    ``segregation.singlegroup.SpatialProximity`` (with its proximity matrix, whose flaw
    is explained in :func:`proximity_matrix`; with it SP is typically just above 1 for
    any city).

    References: White (1983), *American Journal of Sociology* 88(5); Massey & Denton
    (1988), *Social Forces* 67(2).

    Examples
    --------
    >>> d = [[0, 1000], [1000, 0]]
    >>> round(spatial_proximity([10, 0], [10, 10], d, [1e4, 1e4],
    ...                         match_segregation=False), 4)
    1.4311
    """
    x, t, _, batch, rows, cols, c = _decay_setup(group, total, distances, areas, groups,
                                                 alpha, beta, match_segregation,
                                                 distance_scale)
    y = t - x
    X, Y, T = batch.sum(x), batch.sum(y), batch.sum(t)
    with quiet():
        pxx = _quad(x, x, rows, cols, c, batch) / X**2
        pyy = _quad(y, y, rows, cols, c, batch) / Y**2
        ptt = _quad(t, t, rows, cols, c, batch) / T**2
        return batch.out((X * pxx + Y * pyy) / (T * ptt))


spatial_proximity.__doc__ = _fill(spatial_proximity.__doc__)


def _distance_decay(x, t, inner, batch, rows, cols, c, match_segregation):
    n = x.shape[0]
    reach = _row_sum(rows, c * t[cols], n)  # sum_k c_ik t_k
    norm = reach[cols] if match_segregation else reach[rows]
    with quiet():
        local = _row_sum(rows, c * inner[cols] / norm, n)
        X = batch.sum(x)
        return batch.out(batch.sum(x * local) / X)


def distance_decay_isolation(group, total, distances, areas, *, groups=None, alpha=0.6,
                             beta=0.5, match_segregation=True, distance_scale=1000.0):
    """Distance-decay isolation DPxx (Morgan 1983; Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    {PROXIMITY_PARAMETERS}

    Returns
    -------
    float or numpy.ndarray
        DPxx: the group share in the distance-weighted surroundings of the average group
        member. NaN where the group is absent.

    Notes
    -----
    .. math:: DP_{xx} = \\sum_i \\frac{x_i}{X} \\sum_j k_{ij} \\frac{x_j}{t_j}, \\qquad
              k_{ij} = \\frac{c_{ij} t_j}{\\sum_k c_{ik} t_k}

    (Massey & Denton 1988, with ``match_segregation=False``).
    ``segregation.singlegroup.DistanceDecayIsolation`` normalises by the sum of the
    *other* unit (numpy broadcasting divides column :math:`j` by row :math:`j`'s sum),
    :math:`k_{ij} = c_{ij} t_j / \\sum_k c_{jk} t_k`, and uses its own proximity matrix
    (:func:`proximity_matrix`); ``match_segregation=True`` (default) reproduces both.

    References: Morgan, B. S. (1983), A distance-decay based interaction index to measure
    residential segregation, *Area* 15(3), 211-217; Massey & Denton (1988).

    Examples
    --------
    >>> d = [[0, 1000], [1000, 0]]
    >>> round(distance_decay_isolation([10, 0], [10, 10], d, [1e4, 1e4],
    ...                                match_segregation=False), 4)
    0.7156
    """
    x, t, _, batch, rows, cols, c = _decay_setup(group, total, distances, areas, groups,
                                                 alpha, beta, match_segregation,
                                                 distance_scale)
    return _distance_decay(x, t, x, batch, rows, cols, c, match_segregation)


distance_decay_isolation.__doc__ = _fill(distance_decay_isolation.__doc__)


def distance_decay_exposure(group, total, distances, areas, *, groups=None, alpha=0.6,
                            beta=0.5, match_segregation=True, distance_scale=1000.0):
    """Distance-decay exposure (interaction) DPxy (Morgan 1983; Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    {PROXIMITY_PARAMETERS}

    Returns
    -------
    float or numpy.ndarray
        DPxy: the share of the rest in the distance-weighted surroundings of the average
        group member. With ``match_segregation=False``, DPxx + DPxy = 1. NaN where the
        group is absent.

    Notes
    -----
    .. math:: DP_{xy} = \\sum_i \\frac{x_i}{X} \\sum_j k_{ij} \\frac{y_j}{t_j}

    with :math:`k_{ij}` as in :func:`distance_decay_isolation` (same
    ``match_segregation`` caveat). Same definition as
    ``segregation.singlegroup.DistanceDecayInteraction``.

    References: Morgan (1983), *Area* 15(3); Massey & Denton (1988).

    Examples
    --------
    >>> d = [[0, 1000], [1000, 0]]
    >>> round(distance_decay_exposure([10, 0], [10, 10], d, [1e4, 1e4],
    ...                               match_segregation=False), 4)
    0.2844
    """
    x, t, _, batch, rows, cols, c = _decay_setup(group, total, distances, areas, groups,
                                                 alpha, beta, match_segregation,
                                                 distance_scale)
    return _distance_decay(x, t, t - x, batch, rows, cols, c, match_segregation)


distance_decay_exposure.__doc__ = _fill(distance_decay_exposure.__doc__)


def absolute_clustering(group, total, distances, areas, *, groups=None, alpha=0.6,
                        beta=0.5, match_segregation=True, distance_scale=1000.0):
    """Absolute clustering index ACL (Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    {PROXIMITY_PARAMETERS}

    Returns
    -------
    float or numpy.ndarray
        ACL: the average proximity between group members relative to the proximity to
        everyone. NaN where the group is absent.

    Notes
    -----
    .. math:: ACL = \\frac{\\sum_i \\frac{x_i}{X} \\sum_j c_{ij} x_j
                         - \\frac{X}{n^2} \\sum_{ij} c_{ij}}
                        {\\sum_i \\frac{x_i}{X} \\sum_j c_{ij} t_j
                         - \\frac{X}{n^2} \\sum_{ij} c_{ij}}

    Same formula as ``segregation.singlegroup.AbsoluteClustering``; :math:`c_{ij}` from
    :func:`proximity_matrix` (its ``match_segregation`` caveat applies).

    References: Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> d = [[0, 1000], [1000, 0]]
    >>> round(absolute_clustering([10, 0], [10, 10], d, [1e4, 1e4],
    ...                           match_segregation=False), 4)
    0.4311
    """
    x, t, valid, batch, rows, cols, c = _decay_setup(group, total, distances, areas,
                                                     groups, alpha, beta,
                                                     match_segregation, distance_scale)
    n_units = _count(valid, batch)
    X = batch.sum(x)
    c_sum = batch.sum(_row_sum(rows, c, x.shape[0]))
    with quiet():
        xx = _quad(x, x, rows, cols, c, batch) / X
        xt = _quad(x, t, rows, cols, c, batch) / X
        base = X / n_units**2 * c_sum
        return batch.out((xx - base) / (xt - base))


absolute_clustering.__doc__ = _fill(absolute_clustering.__doc__)


def relative_clustering(group, total, distances, areas, *, groups=None, alpha=0.6,
                        beta=0.5, match_segregation=True, distance_scale=1000.0):
    """Relative clustering index RCL (Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    {PROXIMITY_PARAMETERS}

    Returns
    -------
    float or numpy.ndarray
        RCL: 0 when the group is as clustered as the rest, positive when more. NaN where
        the group or the rest is absent.

    Notes
    -----
    .. math:: RCL = \\frac{P_{xx}}{P_{yy}} - 1, \\qquad
              P_{xx} = \\sum_{ij} \\frac{x_i x_j c_{ij}}{X^2}

    (Massey & Denton 1988, with ``match_segregation=False``).
    ``segregation.singlegroup.RelativeClustering`` computes
    ``(x * x * c).sum() / X**2``, which numpy broadcasts to
    :math:`\\sum_{ij} x_j^2 c_{ij} / X^2` (the square of the *column* unit, not
    :math:`x_i x_j`), with its own proximity matrix; ``match_segregation=True`` (default)
    reproduces both.

    References: Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> d = [[0, 1000, 2000], [1000, 0, 1000], [2000, 1000, 0]]
    >>> round(relative_clustering([10, 5, 0], [10, 10, 10], d, [1e4] * 3,
    ...                           match_segregation=False), 4)
    0.0
    """
    x, t, _, batch, rows, cols, c = _decay_setup(group, total, distances, areas, groups,
                                                 alpha, beta, match_segregation,
                                                 distance_scale)
    y = t - x
    n = x.shape[0]
    if match_segregation:
        sxx = batch.sum(_row_sum(rows, x[cols] ** 2 * c, n))
        syy = batch.sum(_row_sum(rows, y[cols] ** 2 * c, n))
    else:
        sxx = _quad(x, x, rows, cols, c, batch)
        syy = _quad(y, y, rows, cols, c, batch)
    X, Y = batch.sum(x), batch.sum(y)
    with quiet():
        return batch.out((sxx / X**2) / (syy / Y**2) - 1.0)


relative_clustering.__doc__ = _fill(relative_clustering.__doc__)


# ---------------------------------------------------------------------------------------
# concentration: the space a group occupies (Duncan, Cuzzort & Duncan 1961)
# ---------------------------------------------------------------------------------------


def delta(group, total, areas, *, groups=None):
    """Delta index DEL of Hoover (1941) / Duncan, Cuzzort & Duncan (1961).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    areas : array_like
        Area per unit, m² (:attr:`SpatialInputs.areas`).
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.

    Returns
    -------
    float or numpy.ndarray
        DEL in [0, 1]: the share of the group that would have to move to live at uniform
        density. NaN where the group is absent or no area is left.

    Notes
    -----
    .. math:: DEL = \\tfrac12 \\sum_i \\left\\lvert \\frac{x_i}{X} - \\frac{a_i}{A}
              \\right\\rvert

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


def absolute_concentration(group, total, areas, *, groups=None):
    """Absolute concentration index ACO (Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    areas : array_like
        Area per unit, m².
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.

    Returns
    -------
    float or numpy.ndarray
        ACO, 1 when the group lives in the smallest possible space. NaN where the group
        is absent or the bounds coincide (e.g. all units have the same area).

    Notes
    -----
    Units sorted by area, ascending: :math:`n_1` is the number of smallest units whose
    cumulative total first reaches :math:`X`, :math:`n_2` the number of largest units
    that does, :math:`T_1, T_2` their totals. Then

    .. math:: ACO = 1 - \\frac{\\sum_i x_i a_i / X - \\sum_{i \\le n_1} t_i a_i / T_1}
                            {\\sum_{i > n - n_2} t_i a_i / T_2
                             - \\sum_{i \\le n_1} t_i a_i / T_1}

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


def relative_concentration(group, total, areas, *, groups=None):
    """Relative concentration index RCO (Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    areas : array_like
        Area per unit, m².
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.

    Returns
    -------
    float or numpy.ndarray
        RCO: positive when the group occupies less space than the rest, 1 when it fills
        the smallest units. Not bounded by -1 below (the formula is not symmetric: a
        group filling the largest units can give -5). NaN where the group or the rest is
        absent or all units have the same area.

    Notes
    -----
    With :math:`n_1, n_2, T_1, T_2` as in :func:`absolute_concentration`,

    .. math:: RCO = \\frac{\\dfrac{\\sum_i x_i a_i / X}{\\sum_i y_i a_i / Y} - 1}
                         {\\dfrac{\\sum_{i \\le n_1} t_i a_i / T_1}
                                 {\\sum_{i > n - n_2} t_i a_i / T_2} - 1}

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


# ---------------------------------------------------------------------------------------
# centralization: closeness to the centre
# ---------------------------------------------------------------------------------------


def _center_distance(centroids, valid, batch, center):
    xy = np.asarray(centroids, dtype=np.float64)
    n = valid.shape[0]
    if xy.shape != (n, 2) or not np.isfinite(xy).all():
        raise InputError(
            f"argument `centroids` must be finite with shape ({n}, 2), got {xy.shape}",
            fix="pass spatial_inputs(units).centroids",
        )
    if center is None or (isinstance(center, str) and center == "mean"):
        count = _count(valid, batch)
        with quiet():
            cx = batch.sum(np.where(valid, xy[:, 0], 0.0)) / count
            cy = batch.sum(np.where(valid, xy[:, 1], 0.0)) / count
        point = np.column_stack([cx, cy])
    elif isinstance(center, str):
        raise ValueError(f"argument `center` must be 'mean', a point or one point per group, "
                         f"got {center!r}")
    else:
        point = np.asarray(center, dtype=np.float64)
        if point.shape == (2,):
            point = np.broadcast_to(point, (batch.n_groups, 2))
        if point.shape != (batch.n_groups, 2) or not np.isfinite(point).all():
            raise InputError(
                f"argument `center` must be one (x, y) point in EPSG:28992 or one per group "
                f"({batch.n_groups}, 2), got shape {point.shape}",
                fix="pass e.g. the city hall's RD coordinates (81250, 455050)",
            )
    here = point[batch.codes]
    return np.hypot(xy[:, 0] - here[:, 0], xy[:, 1] - here[:, 1])


def _lorenz_area(first, second, dist, batch):
    """sum_i F_{i-1} S_i - F_i S_{i-1} of the normalised cumulative sums by distance."""
    order = np.lexsort((dist, batch.codes))
    codes = batch.codes[order]
    out = []
    for v in (first, second):
        total = batch.sum(v)
        before = exclusive_cumsum(v[order], codes, batch.n_groups)
        with quiet():
            out.append((before / total[codes], (before + v[order]) / total[codes]))
    (f_prev, f_cur), (s_prev, s_cur) = out
    ordered = Batch(codes, batch.n_groups, batch.labels)
    return ordered.sum(f_prev * s_cur) - ordered.sum(f_cur * s_prev)


def absolute_centralization(group, total, centroids, areas, *, groups=None, center=None):
    """Absolute centralization index ACE (Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    centroids : array_like
        ``(n, 2)`` unit centroids, EPSG:28992 (:attr:`SpatialInputs.centroids`).
    areas : array_like
        Area per unit, m².
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    center : None, "mean", (x, y) or array of shape (n_groups, 2)
        The centre (central business district). None / ``"mean"``: the unweighted mean
        of the valid units' centroids, ``segregation``'s default; or a given point, e.g.
        the city hall, or one point per group.

    Returns
    -------
    float or numpy.ndarray
        ACE in [-1, 1]: positive when the group lives closer to the centre than the land
        is spread. NaN where the group is absent.

    Notes
    -----
    Units sorted by the distance of their centroid to the centre, with cumulative shares
    :math:`X_i` of the group and :math:`A_i` of the area,

    .. math:: ACE = \\sum_{i=2}^{n} X_{i-1} A_i - \\sum_{i=2}^{n} X_i A_{i-1}

    Same definition as ``segregation.singlegroup.AbsoluteCentralization`` (euclidean
    metric; ``segregation``'s ``center="mean"``). Only valid units count, also in the
    area and the mean centre.

    References: Duncan, O. D., Cuzzort, R. P. & Duncan, B. (1961), *Statistical
    Geography*; Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> absolute_centralization([10, 0], [10, 10], [[0, 0], [10, 0]], [1, 1], center=(0, 0))
    0.5
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    a = np.where(valid, _vector(areas, x.shape[0], "areas"), 0.0)
    dist = _center_distance(centroids, valid, batch, center)
    return batch.out(_lorenz_area(x, a, dist, batch))


def relative_centralization(group, total, centroids, *, groups=None, center=None):
    """Relative centralization index RCE (Duncan & Duncan 1955; Massey & Denton 1988).

    Parameters
    ----------
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    centroids : array_like
        ``(n, 2)`` unit centroids, EPSG:28992.
    groups : array_like, optional
        One id per unit; one value per group in ``np.unique(groups)`` order.
    center : None, "mean", (x, y) or array of shape (n_groups, 2)
        As in :func:`absolute_centralization`.

    Returns
    -------
    float or numpy.ndarray
        RCE in [-1, 1]: positive when the group lives closer to the centre than the rest.
        NaN where the group or the rest is absent.

    Notes
    -----
    With cumulative shares :math:`X_i` of the group and :math:`Y_i` of the rest, units
    sorted by distance to the centre,

    .. math:: RCE = \\sum_{i=2}^{n} X_{i-1} Y_i - \\sum_{i=2}^{n} X_i Y_{i-1}

    Same definition as ``segregation.singlegroup.RelativeCentralization``.

    References: Duncan, O. D. & Duncan, B. (1955), *American Sociological Review* 20(2);
    Massey & Denton (1988), *Social Forces* 67(2), 281-315.

    Examples
    --------
    >>> relative_centralization([10, 0], [10, 10], [[0, 0], [10, 0]], center=(0, 0))
    1.0
    """
    x, t, valid, batch = two_group_counts(group, total, groups)
    dist = _center_distance(centroids, valid, batch, center)
    return batch.out(_lorenz_area(x, t - x, dist, batch))


# ---------------------------------------------------------------------------------------
# multiscale profile (Reardon et al. 2008)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MultiscaleProfile:
    """An index computed on local environments of increasing size.

    Attributes
    ----------
    index : str
        Name of the aspatial kernel (e.g. ``"dissimilarity"``).
    distances : numpy.ndarray
        Bandwidths in metres, starting with 0 (the aspatial index on the raw counts).
    values : numpy.ndarray
        ``(len(distances),)``, or ``(len(distances), n_groups)`` with ``groups``.
    labels : numpy.ndarray or None
        Group ids (``np.unique(groups)``) of the columns of ``values``.
    """

    index: str
    distances: np.ndarray
    values: np.ndarray
    labels: np.ndarray | None = None


_KERNEL_FUNCTIONS = ("triangular", "boxcar")


def multiscale_profile(index, group, total, locations, *, distances, groups=None,
                       kernel="triangular", match_segregation=True, **kwargs):
    """Multiscale segregation profile: an aspatial index on smoothed local environments.

    Parameters
    ----------
    index : str or callable
        An aspatial kernel of :mod:`mixing.kernels.aspatial` by name (``"dissimilarity"``,
        ``"entropy"``, ``"isolation"``, ...) or any callable with the same
        ``f(group, total, *, groups=None, **kwargs)`` convention.
    group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.
    locations : array_like or scipy sparse matrix
        ``(n, 2)`` centroids in EPSG:28992 (a distance band at ``max(distances)`` is built
        once with a k-d tree), or an ``(n, n)`` sparse centroid-distance matrix holding at
        least every pair closer than ``max(distances)`` (e.g.
        ``spatial_inputs(units, distance_band=max(distances)).distances``).
    distances : sequence of float
        Bandwidths in metres, > 0.
    groups : array_like, optional
        One id per unit; environments never cross groups; ``values`` gets one column per
        group in ``np.unique(groups)`` order.
    kernel : {"triangular", "boxcar"}
        Weight of unit j in the environment of i at distance :math:`d_{ij} < h`:
        :math:`1 - d_{ij}/h` (triangular, ``segregation``'s default) or 1 (boxcar);
        0 beyond; the unit itself always has weight 1.
    match_segregation : bool, default True
        Round the smoothed counts to whole numbers as ``segregation`` does
        (``_build_local_environment(...).round(0)``); False keeps them exact.
    **kwargs
        Passed to the index (e.g. ``seed=`` for simulated indices).

    Returns
    -------
    MultiscaleProfile

    Notes
    -----
    Each unit's local environment at bandwidth :math:`h` is the kernel-weighted sum of
    the counts around it (Reardon et al. 2008):

    .. math:: \\tilde x_i = \\sum_j k_h(d_{ij}) x_j, \\qquad
              \\tilde t_i = \\sum_j k_h(d_{ij}) t_j, \\qquad k_h(0) = 1

    and the index is the aspatial index of :math:`(\\tilde x, \\tilde t)`. This is
    ``segregation.dynamics.compute_multiscalar_profile`` with euclidean distances
    (``Graph.build_kernel`` on the centroids, diagonal filled with 1, counts rounded),
    whose first entry, at distance 0, is the aspatial index. The distance band is built
    once for the largest bandwidth; smaller ones reuse its pairs. Excluded units neither
    receive nor contribute.

    References: Reardon, S. F., Matthews, S. A., O'Sullivan, D., Lee, B. A., Firebaugh,
    G., Farrell, C. R. & Bischoff, K. (2008), The geographic scale of metropolitan racial
    segregation, *Demography* 45(3), 489-514.

    Examples
    --------
    >>> xy = [[0, 0], [100, 0], [1000, 0], [1100, 0]]
    >>> prof = multiscale_profile("dissimilarity", [10, 10, 0, 0], [10, 10, 10, 10], xy,
    ...                           distances=[500, 2000], match_segregation=False)
    >>> prof.distances.tolist(), prof.values.round(3).tolist()
    ([0.0, 500.0, 2000.0], [1.0, 1.0, 0.322])
    """
    func = _resolve_index(index)
    if kernel not in _KERNEL_FUNCTIONS:
        raise ValueError(f"argument `kernel` must be one of {list(_KERNEL_FUNCTIONS)}, "
                         f"got {kernel!r}")
    bands = np.atleast_1d(np.asarray(distances, dtype=np.float64))
    if bands.ndim != 1 or bands.size == 0 or not np.isfinite(bands).all() or (bands <= 0).any():
        raise ValueError(f"argument `distances` must be one or more positive bandwidths in "
                         f"metres, got {distances!r}")
    x, t, valid, batch = two_group_counts(group, total, groups)
    n = x.shape[0]
    if sparse.issparse(locations):
        rows, cols, d = _links(locations, n, "locations", valid, batch)
    else:
        from mixing.geometry.distances import centroid_distances

        xy = np.asarray(locations, dtype=np.float64)
        if xy.shape != (n, 2) or not np.isfinite(xy).all():
            raise InputError(
                f"argument `locations` must be ({n}, 2) centroids or an ({n}, {n}) sparse "
                f"distance matrix, got shape {xy.shape}"
            )
        band = centroid_distances(xy, groups=groups, distance_band=float(bands.max()))
        rows, cols, d = _links(band, n, "locations", valid, batch)
    off = rows != cols
    rows, cols, d = rows[off], cols[off], d[off]
    own = np.flatnonzero(valid)
    g = None if batch.scalar else batch.labels[batch.codes]
    values = [np.atleast_1d(func(np.where(valid, x, np.nan), np.where(valid, t, np.nan),
                                 groups=g, **kwargs))]
    for h in bands:
        near = d < h
        w = (1.0 - d[near] / h) if kernel == "triangular" else np.ones(int(near.sum()))
        r = np.concatenate([rows[near], own])
        c = np.concatenate([cols[near], own])
        w = np.concatenate([w, np.ones(own.size)])
        order = np.lexsort((c, r))
        r, c, w = r[order], c[order], w[order]
        xs = _row_sum(r, w * x[c], n)
        ts = _row_sum(r, w * t[c], n)
        if match_segregation:
            xs, ts = np.round(xs), np.round(ts)
        xs = np.where(valid, xs, np.nan)
        ts = np.where(valid, ts, np.nan)
        values.append(np.atleast_1d(func(xs, ts, groups=g, **kwargs)))
    out = np.vstack(values)
    name = index if isinstance(index, str) else getattr(index, "__name__", "index")
    return MultiscaleProfile(
        index=name,
        distances=np.concatenate([[0.0], bands]),
        values=out[:, 0] if batch.scalar else out,
        labels=batch.labels,
    )


def _resolve_index(index):
    if callable(index):
        return index
    names = [n for n in _indices.__all__]
    if index not in names:
        raise ValueError(f"unknown index {index!r}; valid names are {names}")
    return getattr(_indices, index)
