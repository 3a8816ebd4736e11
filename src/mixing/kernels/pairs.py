"""The pair structures the spatial kernels take: spatial weights and centroid distances.

:class:`SpatialWeights` is the container :mod:`mixing.geometry.weights` builds from polygons
(contiguity, k nearest neighbours, distance band) and the autocorrelation and spatial kernels
read; :func:`centroid_distances` turns ``(n, 2)`` coordinates into the sparse within-group
distance matrix of :mod:`mixing.geometry.distances` and
:func:`mixing.kernels.spatial.multiscale_profile`. Both need numpy and scipy only, so the
kernels take them without importing the geometry layer (shapely, geopandas).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from mixing.checks import quiet
from mixing.errors import InputError

__all__ = [
    "MAX_PAIRS",
    "SpatialWeights",
    "row_standardise",
    "centroid_distances",
    "group_codes",
    "pair_matrix",
]

#: Largest number of within-group centroid pairs :func:`centroid_distances` (and so
#: :func:`mixing.geometry.distances.spatial_inputs`) stores (~1.2 GB).
MAX_PAIRS = 100_000_000


@dataclass(frozen=True, eq=False)
class SpatialWeights:
    """Spatial weights of ``n`` units, aligned with ``ids``.

    Attributes
    ----------
    W : scipy.sparse.csr_array
        Row-standardised weights (each row sums to 1; rows of isolated units are 0).
        No self-weights.
    binary : scipy.sparse.csr_array
        The 0/1 neighbour structure ``W`` was made from (symmetric for contiguity and
        distance band, possibly asymmetric for knn).
    ids : numpy.ndarray
        Unit id per row.
    kind : str
        How the neighbours were found (``queen``, ``rook``, ``knn``, ``distance_band``,
        or ``matrix`` for :func:`mixing.geometry.weights.from_matrix`).
    islands_joined : tuple
        Ids of units that had no neighbour and were joined to their nearest unit.
    isolated : tuple
        Ids of units that still have no neighbour (only possible when their group has
        one unit, or for :func:`mixing.geometry.weights.from_matrix` /
        :func:`mixing.geometry.weights.subset` without centroids).
    groups : numpy.ndarray or None
        Group id per unit when the matrix is block-diagonal by group, else None.
    centroids : numpy.ndarray or None
        ``(n, 2)`` centroid coordinates in EPSG:28992, used to re-join islands in
        :func:`mixing.geometry.weights.subset`; None for
        :func:`mixing.geometry.weights.from_matrix`.
    """

    W: sparse.csr_array
    binary: sparse.csr_array
    ids: np.ndarray
    kind: str
    islands_joined: tuple = ()
    isolated: tuple = ()
    groups: np.ndarray | None = None
    centroids: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.W.shape[0])

    @property
    def cardinalities(self) -> np.ndarray:
        """Number of neighbours per unit."""
        return np.diff(self.binary.indptr)

    @property
    def n_islands_joined(self) -> int:
        """How many islands were joined to their nearest unit."""
        return len(self.islands_joined)

    def __repr__(self) -> str:
        """Kind, size, links and groups; the matrices themselves are not printed."""
        groups = "" if self.groups is None else f", groups={len(np.unique(self.groups))}"
        return (
            f"SpatialWeights(kind={self.kind!r}, n={self.n}, links={self.binary.nnz}, "
            f"islands_joined={self.n_islands_joined}, isolated={len(self.isolated)}{groups})"
        )


def row_standardise(matrix: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    """Divide every row by its sum; rows that sum to 0 stay 0.

    Parameters
    ----------
    matrix : scipy sparse matrix
        Non-negative weights.

    Returns
    -------
    scipy.sparse.csr_array
        ``D^-1 M`` with ``D = diag(row sums)``.
    """
    m = sparse.csr_array(matrix, dtype=np.float64)
    sums = np.asarray(m.sum(axis=1)).ravel()
    with quiet():
        inv = np.where(sums > 0, 1.0 / sums, 0.0)
    out = sparse.csr_array(sparse.diags_array(inv) @ m)
    out.sort_indices()
    return out


def group_codes(groups: object, n: int) -> np.ndarray:
    """Integer code per unit of its group id (all 0 when ``groups`` is None)."""
    if groups is None:
        return np.zeros(n, dtype=np.int64)
    g = np.asarray(groups)
    if g.shape != (n,):
        raise InputError(
            f"argument `groups` must hold one id per unit ({n}), got shape {g.shape}",
            fix="pass e.g. units['municipality_code']",
        )
    return np.unique(g, return_inverse=True)[1].reshape(-1).astype(np.int64)


def pair_matrix(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n: int) -> sparse.csr_array:
    """``(n, n)`` CSR of the pairs ``(rows, cols)``, sorted, explicit zeros kept.

    No pair may appear twice.
    """
    order = np.lexsort((cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sparse.csr_array((data.astype(np.float64), cols.astype(np.int64), indptr), shape=(n, n))


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
    codes = group_codes(groups, n)
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
    return pair_matrix(rows, cols, d, n)
