"""Evenness in space: Morrill's and Wong's spatial dissimilarity, the spatial
proximity profile."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from mixing.checks import integer, quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.kernels.aspatial import _dissim
from mixing.kernels.grouping import two_group_counts
from mixing.kernels.spatial._common import _links, _row_sum, _share, _vector

__all__ = [
    "spatial_dissimilarity",
    "boundary_spatial_dissimilarity",
    "perimeter_area_dissimilarity",
    "spatial_prox_prof",
]


# ---------------------------------------------------------------------------------------
# Morrill / Wong: dissimilarity minus a neighbour-difference term
# ---------------------------------------------------------------------------------------


@shared_parameters
def spatial_dissimilarity(group, total, contiguity, *, groups=None, standardize=False):
    r"""Spatial dissimilarity index D(adj) of Morrill (1991).

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
    {GROUPS}
    standardize : bool, default False
        Row-standardise :math:`c_{ij}` (as the R package ``seg``); ``segregation``'s
        default is False.

    Returns
    -------
    float or numpy.ndarray
        D(adj) <= D. NaN where D is undefined or no two valid units are linked.

    Notes
    -----
    .. math:: D(adj) = D - \frac{\sum_i \sum_j c_{ij} \lvert p_i - p_j \rvert}
                                 {\sum_i \sum_j c_{ij}}

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


@shared_parameters
def boundary_spatial_dissimilarity(group, total, boundary_lengths, *, groups=None,
                                   standardize=True):
    r"""Boundary spatial dissimilarity D(w) of Wong (1993).

    Parameters
    ----------
    {COUNTS}
    boundary_lengths : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` length of the boundary shared by units i and j
        (:attr:`mixing.geometry.distances.SpatialInputs.boundary_lengths`).
    {GROUPS}
    standardize : bool, default True
        Row-standardise the lengths (``segregation.BoundarySpatialDissim``'s default).

    Returns
    -------
    float or numpy.ndarray
        D(w) <= D. NaN where D is undefined or no two valid units share a boundary.

    Notes
    -----
    .. math:: D(w) = D - \frac{\sum_i \sum_j c_{ij} \lvert p_i - p_j \rvert}
                              {\sum_i \sum_j c_{ij}}, \qquad
              c_{ij} = \frac{l_{ij}}{\sum_k l_{ik}} \text{ (standardised)}

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


@shared_parameters
def perimeter_area_dissimilarity(group, total, boundary_lengths, perimeters, areas, *,
                                 groups=None, standardize=True):
    r"""Perimeter/area-ratio spatial dissimilarity D(s) of Wong (1993).

    Parameters
    ----------
    {COUNTS}
    boundary_lengths : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` shared boundary lengths (:attr:`SpatialInputs.boundary_lengths`).
    perimeters, areas : array_like
        Perimeter (m) and area (m²) per unit (:attr:`SpatialInputs.perimeters`,
        :attr:`SpatialInputs.areas`).
    {GROUPS}
    standardize : bool, default True
        Divide the lengths by their total (per group), ``segregation``'s default.

    Returns
    -------
    float or numpy.ndarray
        D(s). NaN where D is undefined or no two valid units share a boundary.

    Notes
    -----
    With :math:`c_{ij} = l_{ij} / \sum_{kl} l_{kl}` and the perimeter/area ratio
    :math:`r_i = P_i / a_i`,

    .. math:: D(s) = D - \frac{\sum_i \sum_j c_{ij} \lvert p_i - p_j \rvert
              (r_i + r_j)}{2 \max_k r_k}

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


@shared_parameters
def spatial_prox_prof(group, total, contiguity, *, groups=None, m=1000):
    r"""Spatial proximity profile SPP of Hong & Sadahiro (2014), as in ``segregation``.

    Parameters
    ----------
    {COUNTS}
    contiguity : scipy sparse matrix, numpy.ndarray or SpatialWeights
        ``(n, n)`` contiguity; its entries are the edge lengths of the graph (binary
        contiguity: path length in steps).
    {GROUPS}
    m : int, default 1000
        Number of thresholds on the grid ``linspace(0, 1, m)``.

    Returns
    -------
    float or numpy.ndarray
        SPP; larger when the units where the group is over-represented are close to each
        other. NaN where ``P`` is 0 or 1 or no unit is left.

    Notes
    -----
    With :math:`\delta_{ij}` the shortest-path distance in the contiguity graph and
    :math:`G_\tau = \{i : p_i \ge \tau\}` (:math:`k_\tau` units), the connectivity
    :math:`\eta_\tau = (k_\tau^2 - k_\tau) / \sum_{i, j \in G_\tau} \delta_{ij}`
    (0 where undefined or disconnected) and, on the grid :math:`\tau_k = k / (m - 1)`,

    .. math:: SPP = \frac{P - \left(\frac1m \sum_{\tau_k < P} \eta_{\tau_k}
              - \frac1m \sum_{\tau_k \ge P} \eta_{\tau_k}\right)}{1 - P}

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
