r"""Geometry for the spatial segregation indices, computed once and passed in.

:func:`spatial_inputs` turns unit polygons (EPSG:28992) into everything the kernels of
:mod:`mixing.kernels.spatial` need -- areas, perimeters, centroids, a binary contiguity matrix,
shared boundary lengths and centroid distances -- so the expensive geometry work runs once
per units table, not once per index, and tests can hand the kernels tiny matrices instead
of polygons.

With ``groups`` (one municipality code per unit) every matrix is **block-diagonal**: links
and distances between units of different groups are never stored, so one kernel call with
the same ``groups`` computes every municipality.

Memory
------
Contiguity and boundary lengths are sparse (about 6 links per unit). Centroid distances
hold *every* pair of units of the same group (the segregation-compatible proximity indices
need all of them): :math:`\sum_g n_g^2` stored pairs at 12 bytes each -- about 3 MB for
Amsterdam's 479 buurten, about 20 MB for all Dutch buurten grouped by municipality, but
2 GB for the same buurten without ``groups``. :func:`spatial_inputs` refuses more than
:data:`MAX_PAIRS` pairs; pass ``groups`` or a ``distance_band`` (then only pairs closer
than the band are stored, enough for the corrected exponential proximity and for
:func:`mixing.kernels.spatial.multiscale_profile`).

Examples
--------
>>> import geopandas as gpd, shapely
>>> cells = [shapely.box(x, y, x + 100, y + 100) for y in (0, 100) for x in (0, 100)]
>>> inputs = spatial_inputs(gpd.GeoSeries(cells, crs="EPSG:28992"))
>>> inputs.areas.tolist(), inputs.contiguity.sum(axis=1).tolist()
([10000.0, 10000.0, 10000.0, 10000.0], [3.0, 3.0, 3.0, 3.0])
>>> inputs.boundary_lengths.toarray()[0].tolist()
[0.0, 100.0, 100.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from mixing.errors import InputError
from mixing.geometry.weights import _check_geometry, vertex_contiguity

__all__ = [
    "MAX_PAIRS",
    "SpatialInputs",
    "spatial_inputs",
    "centroid_distances",
    "contiguity_matrix",
    "boundary_length_matrix",
]

#: Largest number of within-group centroid pairs :func:`spatial_inputs` stores (~1.2 GB).
MAX_PAIRS = 100_000_000


@dataclass(frozen=True, eq=False)
class SpatialInputs:
    """Geometry of ``n`` units for :mod:`mixing.kernels.spatial`, aligned with the units table.

    Attributes
    ----------
    areas : numpy.ndarray
        Polygon area per unit, m².
    perimeters : numpy.ndarray
        Polygon perimeter per unit (exterior and holes, as ``GeoSeries.length``), m.
    centroids : numpy.ndarray
        ``(n, 2)`` polygon centroids, EPSG:28992 metres.
    contiguity : scipy.sparse.csr_array
        Binary, symmetric: 1 where two units share a vertex (queen) or an edge (rook),
        as :meth:`libpysal.graph.Graph.build_contiguity`. No diagonal.
    boundary_lengths : scipy.sparse.csr_array
        Length of the shared boundary of each pair of neighbouring units, m (symmetric).
    distances : scipy.sparse.csr_array
        Centroid distances, m, of every pair of distinct units of the same group (or of
        every pair closer than ``distance_band``); zeros are stored, not dropped.
    groups : numpy.ndarray or None
        The ``groups`` the matrices are block-diagonal by (None: one group).
    distance_band : float or None
        The band the distances were cut at (None: all within-group pairs).
    """

    areas: np.ndarray
    perimeters: np.ndarray
    centroids: np.ndarray = field(repr=False)
    contiguity: sparse.csr_array = field(repr=False)
    boundary_lengths: sparse.csr_array = field(repr=False)
    distances: sparse.csr_array = field(repr=False)
    groups: np.ndarray | None = field(default=None, repr=False)
    distance_band: float | None = None

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.areas.shape[0])


def _group_codes(groups: object, n: int) -> np.ndarray:
    if groups is None:
        return np.zeros(n, dtype=np.int64)
    g = np.asarray(groups)
    if g.shape != (n,):
        raise InputError(
            f"argument `groups` must hold one id per unit ({n}), got shape {g.shape}",
            fix="pass e.g. units['municipality_code']",
        )
    return np.unique(g, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _csr(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n: int) -> sparse.csr_array:
    """CSR with rows/cols sorted and explicit zeros kept (no duplicate pairs allowed)."""
    order = np.lexsort((cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sparse.csr_array((data.astype(np.float64), cols.astype(np.int64), indptr), shape=(n, n))


def contiguity_matrix(geometry, *, rook: bool = False, groups=None) -> sparse.csr_array:
    """Binary contiguity of unit polygons, block-diagonal by ``groups``.

    Parameters
    ----------
    geometry : geopandas.GeoSeries or geopandas.GeoDataFrame
        Polygons in EPSG:28992.
    rook : bool, default False
        Neighbours share an edge (rook) instead of a vertex (queen, ``segregation``'s
        default for the spatial dissimilarity).
    groups : array_like, optional
        One id per unit; links between groups are removed.

    Returns
    -------
    scipy.sparse.csr_array
        0/1, symmetric, no diagonal; an island has an empty row.
    """
    geoms = _check_geometry(geometry)
    codes = _group_codes(groups, len(geoms))
    coo = sparse.coo_array(sparse.csr_array(vertex_contiguity(geoms, rook=rook)))
    keep = (coo.row != coo.col) & (coo.data != 0) & (codes[coo.row] == codes[coo.col])
    rows, cols = coo.row[keep], coo.col[keep]
    return _csr(rows, cols, np.ones(rows.size), len(geoms))


def boundary_length_matrix(geometry, contiguity: sparse.sparray) -> sparse.csr_array:
    """Shared boundary length (m) of every pair of neighbours in ``contiguity``.

    Parameters
    ----------
    geometry : geopandas.GeoSeries or geopandas.GeoDataFrame
        Polygons in EPSG:28992.
    contiguity : scipy sparse matrix
        Which pairs to measure, e.g. :func:`contiguity_matrix` (queen: pairs touching only
        at a point get length 0, which is then dropped).

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric; ``length(intersection(a_i, a_j))`` as ``segregation`` computes it for
        the boundary and perimeter/area spatial dissimilarities (Wong 1993).
    """
    geoms = _check_geometry(geometry)
    coo = sparse.coo_array(contiguity)
    upper = coo.row < coo.col
    i, j = coo.row[upper], coo.col[upper]
    arr = geoms.to_numpy()
    lengths = shapely.length(shapely.intersection(arr[i], arr[j]))
    pos = lengths > 0
    i, j, lengths = i[pos], j[pos], lengths[pos]
    return _csr(
        np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([lengths, lengths]),
        len(geoms),
    )


def centroid_distances(
    centroids, *, groups=None, distance_band: float | None = None, max_pairs: int = MAX_PAIRS
) -> sparse.csr_array:
    """Euclidean distances between centroids of distinct units of the same group.

    Parameters
    ----------
    centroids : array_like
        ``(n, 2)`` coordinates in metres (EPSG:28992).
    groups : array_like, optional
        One id per unit; pairs in different groups are not stored.
    distance_band : float, optional
        Store only pairs closer than or at this distance (m), found with a k-d tree.
    max_pairs : int
        Refuse to store more pairs than this (see the module docstring on memory).

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric, sorted, diagonal not stored, zero distances (coincident centroids)
        stored explicitly.

    Examples
    --------
    >>> centroid_distances([[0, 0], [3, 4], [6, 8]], groups=[1, 1, 2]).toarray()
    array([[0., 5., 0.],
           [5., 0., 0.],
           [0., 0., 0.]])
    """
    xy = np.asarray(centroids, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise InputError(f"argument `centroids` must have shape (n, 2), got {xy.shape}")
    n = xy.shape[0]
    codes = _group_codes(groups, n)
    if distance_band is not None:
        if not np.isfinite(distance_band) or distance_band <= 0:
            raise InputError(
                "argument `distance_band` must be a positive distance in metres",
                value=distance_band,
            )
        pairs = cKDTree(xy).query_pairs(float(distance_band), output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        same = codes[i] == codes[j]
        i, j = i[same], j[same]
        rows, cols = np.concatenate([i, j]), np.concatenate([j, i])
    else:
        sizes = np.bincount(codes)
        total = int((sizes.astype(np.int64) ** 2).sum())
        if total > max_pairs:
            raise InputError(
                f"all within-group centroid pairs would be {total:,} stored distances "
                f"(more than max_pairs={max_pairs:,})",
                fix="pass groups= (e.g. the municipality code) or a distance_band",
            )
        # every (i, j) of the same group: units sorted by group, then a block per group
        order = np.argsort(codes, kind="stable")
        start = np.zeros(sizes.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=start[1:])
        per_unit = sizes[codes[order]]
        rows = np.repeat(order, per_unit)
        offset = np.arange(rows.size) - np.repeat(np.cumsum(per_unit) - per_unit, per_unit)
        cols = order[start[codes[rows]] + offset]
        off = rows != cols
        rows, cols = rows[off], cols[off]
    d = np.hypot(xy[rows, 0] - xy[cols, 0], xy[rows, 1] - xy[cols, 1])
    return _csr(rows, cols, d, n)


def spatial_inputs(
    geometry,
    *,
    groups=None,
    rook: bool = False,
    distance_band: float | None = None,
    max_pairs: int = MAX_PAIRS,
) -> SpatialInputs:
    """Compute all geometry the spatial indices need, once.

    Parameters
    ----------
    geometry : geopandas.GeoSeries or geopandas.GeoDataFrame
        Unit polygons in EPSG:28992 (the canonical units table), valid and non-empty.
    groups : array_like, optional
        One id per unit (e.g. ``units['municipality_code']``): every matrix is
        block-diagonal by group; pass the same ``groups`` to the kernels.
    rook : bool, default False
        Rook instead of queen contiguity.
    distance_band : float, optional
        Keep only centroid pairs within this distance (m); see the module docstring.
    max_pairs : int
        Upper bound on stored centroid pairs.

    Returns
    -------
    SpatialInputs

    Raises
    ------
    InputError
        If the CRS is not EPSG:28992, a geometry is missing, or the distance matrix would
        be too large.
    """
    geoms = _check_geometry(geometry)
    centroid = geoms.centroid
    centroids = np.column_stack([centroid.x.to_numpy(), centroid.y.to_numpy()])
    contiguity = contiguity_matrix(geoms, rook=rook, groups=groups)
    return SpatialInputs(
        areas=geoms.area.to_numpy(dtype=np.float64),
        perimeters=geoms.length.to_numpy(dtype=np.float64),
        centroids=centroids,
        contiguity=contiguity,
        boundary_lengths=boundary_length_matrix(geoms, contiguity),
        distances=centroid_distances(
            centroids, groups=groups, distance_band=distance_band, max_pairs=max_pairs
        ),
        groups=None if groups is None else np.asarray(groups),
        distance_band=distance_band,
    )
