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

from mixing.geometry.weights import _check_geometry, vertex_contiguity
from mixing.kernels.pairs import MAX_PAIRS, centroid_distances, group_codes, pair_matrix

__all__ = [
    "MAX_PAIRS",
    "SpatialInputs",
    "spatial_inputs",
    "centroid_distances",
    "contiguity_matrix",
    "boundary_length_matrix",
]


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
    codes = group_codes(groups, len(geoms))
    coo = sparse.coo_array(sparse.csr_array(vertex_contiguity(geoms, rook=rook)))
    keep = (coo.row != coo.col) & (coo.data != 0) & (codes[coo.row] == codes[coo.col])
    rows, cols = coo.row[keep], coo.col[keep]
    return pair_matrix(rows, cols, np.ones(rows.size), len(geoms))


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
    return pair_matrix(
        np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([lengths, lengths]),
        len(geoms),
    )


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
