"""Spatial weights: who is whose neighbour, built once and passed in.

A :class:`SpatialWeights` holds a row-standardised sparse matrix ``W`` (scipy CSR), the
binary neighbour structure it came from, the unit ids, and what was done to make it usable:

- **Islands** (units with no neighbour, e.g. Wadden islands, or a buurt cut off by water
  in the generalised CBS layer) are *joined to their nearest unit* by centroid distance,
  symmetrically, and listed in ``islands_joined``. They are never dropped: dropping them
  would silently change the population of every statistic.
- **Groups** (``groups=``, e.g. the municipality code): edges between groups are removed,
  so the matrix is block-diagonal and one kernel call computes every municipality.
  Islands are joined to the nearest unit *of their own group*; a group of one unit
  cannot be joined and is listed in ``isolated``.
- **Unknown values**: :func:`subset` drops units (e.g. NaN shares) with a warning that
  counts them, re-joins units left without neighbours and re-row-standardises.

Contiguity follows :meth:`libpysal.graph.Graph.build_contiguity` exactly (shared vertices
for queen, shared edges for rook; reimplemented with numpy sorting to avoid libpysal's
2-second import, and tested equal to it); k-nearest-neighbour and distance-band weights use a
k-d tree on polygon centroids. All geometry must be in EPSG:28992 (RD New, metres).

Examples
--------
>>> import geopandas as gpd, shapely
>>> cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(3)]
>>> grid = gpd.GeoSeries(cells, crs="EPSG:28992")
>>> w = build_weights(grid, kind="rook")
>>> w.cardinalities.tolist()
[2, 3, 2, 3, 4, 3, 2, 3, 2]
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from mixing.errors import InputError
from mixing.kernels.pairs import SpatialWeights, row_standardise
from mixing.schema import CRS

__all__ = [
    "KINDS",
    "SpatialWeights",
    "build_weights",
    "vertex_contiguity",
    "from_matrix",
    "subset",
    "block_diagonal",
    "row_standardise",
    "save_weights",
    "load_weights",
]

#: Valid values of ``kind`` in :func:`build_weights`.
KINDS = ("queen", "rook", "knn", "distance_band")


def _binary(matrix: sparse.sparray | sparse.spmatrix) -> sparse.csr_array:
    m = sparse.csr_array(matrix, dtype=np.float64)
    m.setdiag(0)
    m.eliminate_zeros()
    m.data[:] = 1.0
    m.sort_indices()
    return m


def _check_geometry(geometry: object):
    import geopandas as gpd

    if isinstance(geometry, gpd.GeoDataFrame):
        geometry = geometry.geometry
    if not isinstance(geometry, gpd.GeoSeries):
        raise InputError(
            f"argument `geometry` must be a GeoSeries or GeoDataFrame, got "
            f"{type(geometry).__name__}",
            fix="pass units.geometry",
        )
    if geometry.crs is None:
        raise InputError(
            f"argument `geometry` has no CRS; weights need {CRS} (RD New, metres)",
            fix="set the CRS the data is in (e.g. .set_crs(4326)), then .to_crs('EPSG:28992')",
        )
    if not geometry.crs.equals(CRS):
        raise InputError(
            f"argument `geometry` must be in {CRS} (RD New, metres) so that distances and "
            "nearest neighbours are in metres",
            value=geometry.crs.to_string(),
            fix="reproject with .to_crs('EPSG:28992')",
        )
    if len(geometry) == 0:
        raise InputError("argument `geometry` is empty; weights need at least one unit")
    missing = geometry.isna() | geometry.is_empty
    if missing.any():
        first = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError(
            f"argument `geometry` has {int(missing.sum())} missing or empty geometries "
            f"(first at position {first})",
            fix="drop units without geometry before building weights",
        )
    return geometry.reset_index(drop=True)


def _resolve_ids(ids: object, geometry, n: int) -> np.ndarray:
    if ids is None:
        frame_ids = getattr(geometry, "columns", None)
        if frame_ids is not None and "unit_code" in geometry.columns:
            return geometry["unit_code"].to_numpy()
        return np.asarray(geometry.index)
    out = np.asarray(ids)
    if out.shape != (n,):
        raise InputError(
            f"argument `ids` must hold one id per unit ({n}), got shape {out.shape}",
            fix="pass e.g. units['unit_code']",
        )
    return out


def _codes(groups: object, n: int) -> np.ndarray | None:
    if groups is None:
        return None
    g = np.asarray(groups)
    if g.shape != (n,):
        raise InputError(
            f"argument `groups` must hold one id per unit ({n}), got shape {g.shape}",
            fix="pass e.g. units['municipality_code']",
        )
    return np.unique(g, return_inverse=True)[1].reshape(-1)


def _join_islands(
    binary: sparse.csr_array, centroids: np.ndarray | None, codes: np.ndarray | None
) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """Link every unit without neighbours to its nearest unit (same group), symmetrically.

    Returns the new binary matrix, positions of joined islands, positions still isolated.
    """
    card = np.diff(binary.indptr)
    islands = np.flatnonzero(card == 0)
    if islands.size == 0:
        return binary, islands, islands
    if centroids is None:
        return binary, islands[:0], islands
    codes = np.zeros(binary.shape[0], dtype=np.int64) if codes is None else codes
    rows, cols = [], []
    # one k-d tree per group that has islands: a handful of groups, not a per-unit loop
    for code in np.unique(codes[islands]):
        members = np.flatnonzero(codes == code)
        these = islands[codes[islands] == code]
        if members.size < 2:
            continue
        tree = cKDTree(centroids[members])
        _, nearest = tree.query(centroids[these], k=2)
        # the first hit is the island itself unless two centroids coincide
        first = members[nearest[:, 0]]
        target = np.where(first == these, members[nearest[:, 1]], first)
        rows.append(these)
        cols.append(target)
    if not rows:
        return binary, islands[:0], islands
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    link = sparse.csr_array(
        (np.ones(2 * r.size), (np.concatenate([r, c]), np.concatenate([c, r]))),
        shape=binary.shape,
    )
    joined = _binary(binary + link)
    still = np.flatnonzero(np.diff(joined.indptr) == 0)
    return joined, np.setdiff1d(islands, still), still


def _cut_between_groups(binary: sparse.csr_array, codes: np.ndarray) -> sparse.csr_array:
    coo = binary.tocoo()
    keep = codes[coo.row] == codes[coo.col]
    return sparse.csr_array(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=binary.shape
    )


def _make(
    binary: sparse.csr_array,
    ids: np.ndarray,
    kind: str,
    centroids: np.ndarray | None,
    groups: np.ndarray | None,
    codes: np.ndarray | None,
    earlier_islands: tuple = (),
) -> SpatialWeights:
    if codes is not None:
        binary = _cut_between_groups(binary, codes)
    binary, joined, isolated = _join_islands(_binary(binary), centroids, codes)
    return SpatialWeights(
        W=row_standardise(binary),
        binary=binary,
        ids=ids,
        kind=kind,
        islands_joined=tuple(earlier_islands) + tuple(ids[joined].tolist()),
        isolated=tuple(ids[isolated].tolist()),
        groups=groups,
        centroids=centroids,
    )


def build_weights(
    geometry: object,
    *,
    kind: str = "queen",
    k: int = 6,
    threshold: float | None = None,
    ids: object = None,
    groups: object = None,
) -> SpatialWeights:
    r"""Build row-standardised spatial weights from polygons in EPSG:28992.

    Parameters
    ----------
    geometry : geopandas.GeoSeries or geopandas.GeoDataFrame
        Unit polygons in EPSG:28992. Valid, non-empty.
    kind : {"queen", "rook", "knn", "distance_band"}
        ``queen``: units sharing a vertex; ``rook``: units sharing an edge (the
        definition of :meth:`libpysal.graph.Graph.build_contiguity`); ``knn``: the ``k`` nearest
        centroids; ``distance_band``: all centroids within ``threshold`` metres.
    k : int
        Number of neighbours for ``knn``.
    threshold : float
        Distance in metres for ``distance_band`` (required there).
    ids : array-like, optional
        One id per unit; defaults to the ``unit_code`` column of a GeoDataFrame, else the
        index.
    groups : array-like, optional
        One group id per unit (e.g. municipality code). Links between groups are removed,
        so the weights are block-diagonal and :mod:`mixing.kernels.autocorr` can compute every
        group in one pass with the same ``groups``.

    Returns
    -------
    SpatialWeights

    Raises
    ------
    InputError
        If the CRS is missing or not EPSG:28992, ``kind`` is unknown, or a parameter is
        out of range.

    Notes
    -----
    Units without neighbours are joined to their nearest unit (centroid distance,
    within their group) by a symmetric link and listed in ``islands_joined``; see the
    module docstring. Row standardisation: :math:`w_{ij} = b_{ij} / \sum_j b_{ij}`.
    """
    if kind not in KINDS:
        raise InputError(f"unknown weights kind; valid kinds are {list(KINDS)}", value=kind)
    geoms = _check_geometry(geometry)
    n = len(geoms)
    unit_ids = _resolve_ids(ids, geometry, n)
    codes = _codes(groups, n)
    group_ids = None if groups is None else np.asarray(groups)
    centroids = np.column_stack([geoms.centroid.x.to_numpy(), geoms.centroid.y.to_numpy()])

    if kind in ("queen", "rook"):
        binary = vertex_contiguity(geoms, rook=kind == "rook")
    elif kind == "knn":
        if not isinstance(k, int | np.integer) or k < 1:
            raise InputError("argument `k` must be a positive integer", value=k)
        if k >= n:
            raise InputError(
                f"argument `k` must be smaller than the number of units ({n})", value=k
            )
        binary = _knn(centroids, int(k), codes)
    else:
        if threshold is None or not np.isfinite(threshold) or threshold <= 0:
            raise InputError(
                "kind='distance_band' needs a positive `threshold` in metres",
                value=threshold,
                fix="pass e.g. threshold=1000",
            )
        tree = cKDTree(centroids)
        pairs = tree.query_pairs(float(threshold), output_type="ndarray")
        binary = sparse.csr_array(
            (
                np.ones(2 * len(pairs)),
                (np.concatenate([pairs[:, 0], pairs[:, 1]]),
                 np.concatenate([pairs[:, 1], pairs[:, 0]])),
            ),
            shape=(n, n),
        )
    return _make(binary, unit_ids, kind, centroids, group_ids, codes)


def vertex_contiguity(geoms, *, rook: bool = False) -> sparse.csr_array:
    """Vertex-set contiguity: queen = a shared vertex, rook = a shared edge.

    The same definition as :meth:`libpysal.graph.Graph.build_contiguity` (its default,
    ``strict=False``: exact vertex coordinates, as the topology of CBS layers is kept by
    shared arcs), written with numpy sorting instead of a Python dict so that importing
    libpysal (about 2 s) is not needed at run time. ``tests/test_weights.py`` checks
    equality with libpysal on the national buurt layer.
    """
    import shapely

    values = geoms.values
    coords, owner = shapely.get_coordinates(values, return_index=True)
    # one id per distinct vertex coordinate
    order = np.lexsort((coords[:, 1], coords[:, 0]))
    c = coords[order]
    new = np.r_[True, (c[1:] != c[:-1]).any(axis=1)]
    vertex = np.empty(coords.shape[0], dtype=np.int64)
    vertex[order] = np.cumsum(new) - 1
    if rook:
        # edges between consecutive vertices of the same part (not across the parts of
        # a MultiPolygon); as libpysal, a ring's closing vertex closes its last edge
        parts, _ = shapely.get_parts(values, return_index=True)
        _, part = shapely.get_coordinates(parts, return_index=True)
        same = part[1:] == part[:-1]
        a, b = vertex[:-1][same], vertex[1:][same]
        key = np.minimum(a, b) * (int(vertex.max()) + 1) + np.maximum(a, b)
        owner = owner[:-1][same]
    else:
        key = vertex
    pairs = np.unique(np.column_stack([key, owner]), axis=0)  # sorted by key, then owner
    key, owner = pairs[:, 0], pairs[:, 1]
    rows, cols = [], []
    d = 1
    while d < key.size:
        shared = key[d:] == key[:-d]
        if not shared.any():
            break
        rows.append(owner[:-d][shared])
        cols.append(owner[d:][shared])
        d += 1
    n = len(values)
    r = np.concatenate(rows) if rows else np.empty(0, np.int64)
    c2 = np.concatenate(cols) if cols else np.empty(0, np.int64)
    return sparse.csr_array(
        (np.ones(2 * r.size), (np.concatenate([r, c2]), np.concatenate([c2, r]))), shape=(n, n)
    )


def _knn(centroids: np.ndarray, k: int, codes: np.ndarray | None) -> sparse.csr_array:
    """The k nearest centroids (within the group when ``codes`` is given)."""
    n = centroids.shape[0]
    if codes is None:
        codes = np.zeros(n, dtype=np.int64)
    rows, cols = [], []
    for code in np.unique(codes):  # one tree per group
        members = np.flatnonzero(codes == code)
        kk = min(k, members.size - 1)
        if kk < 1:
            continue
        _, nearest = cKDTree(centroids[members]).query(centroids[members], k=kk + 1)
        nearest = members[nearest]
        not_self = nearest != members[:, None]
        # drop self (normally the first hit); keep the first kk others
        order = np.argsort(~not_self, axis=1, kind="stable")
        picked = np.take_along_axis(nearest, order, axis=1)[:, :kk]
        rows.append(np.repeat(members, kk))
        cols.append(picked.ravel())
    r = np.concatenate(rows) if rows else np.empty(0, np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, np.int64)
    return sparse.csr_array((np.ones(r.size), (r, c)), shape=(n, n))


def from_matrix(
    matrix: object, *, ids: object = None, groups: object = None
) -> SpatialWeights:
    """Wrap a given (n, n) neighbour matrix, e.g. a tiny hand-made one in tests.

    Parameters
    ----------
    matrix : array-like or scipy sparse matrix
        Non-negative weights; non-zero entries are neighbours. The diagonal is ignored.
    ids : array-like, optional
        Unit ids; default ``0 .. n-1``.
    groups : array-like, optional
        Group id per unit; links between groups are removed.

    Returns
    -------
    SpatialWeights
        ``W`` is the row-standardised *given* weights (not the binary structure), so
        distance-decay weights keep their relative size. Units without neighbours are
        listed in ``isolated`` (there are no centroids to join them).
    """
    m = sparse.csr_array(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"argument `matrix` must be square (n, n), got shape {m.shape}")
    if m.nnz and (m.data < 0).any():
        raise InputError("argument `matrix` must hold non-negative weights")
    n = m.shape[0]
    unit_ids = np.arange(n) if ids is None else np.asarray(ids)
    if unit_ids.shape != (n,):
        raise InputError(f"argument `ids` must hold {n} ids, got shape {unit_ids.shape}")
    codes = _codes(groups, n)
    m.setdiag(0)
    m.eliminate_zeros()
    if codes is not None:
        m = _cut_between_groups(m, codes)
    binary = _binary(m)
    isolated = np.flatnonzero(np.diff(binary.indptr) == 0)
    return SpatialWeights(
        W=row_standardise(m),
        binary=binary,
        ids=unit_ids,
        kind="matrix",
        isolated=tuple(unit_ids[isolated].tolist()),
        groups=None if groups is None else np.asarray(groups),
    )


def subset(
    weights: SpatialWeights, mask: object, *, reason: str = "unknown values"
) -> SpatialWeights:
    """Keep the units where ``mask`` is True; warn how many were dropped.

    Use it to drop units whose value is unknown (NaN) before an autocorrelation kernel:
    ``keep = ~np.isnan(y); w2 = subset(w, keep); moran(y[keep], w2)``.

    Parameters
    ----------
    weights : SpatialWeights
    mask : array-like of bool
        One flag per unit, True = keep.
    reason : str
        Why units are dropped; used in the warning.

    Returns
    -------
    SpatialWeights
        Weights of the kept units, re-row-standardised. Units left without neighbours
        are joined to their nearest kept unit (same group) when centroids are known and
        appended to ``islands_joined``; otherwise they are listed in ``isolated``.

    Warns
    -----
    UserWarning
        Counting the dropped units and the units that lost all their neighbours.
    """
    keep = np.asarray(mask)
    if keep.dtype != bool or keep.shape != (weights.n,):
        raise InputError(
            f"argument `mask` must be a boolean array with one flag per unit ({weights.n}), "
            f"got dtype {keep.dtype} and shape {keep.shape}",
            fix="pass e.g. ~np.isnan(y)",
        )
    dropped = int((~keep).sum())
    if dropped == 0:
        return weights
    idx = np.flatnonzero(keep)
    binary = weights.binary[idx][:, idx]
    was_linked = np.diff(weights.binary.indptr)[idx] > 0
    orphaned = int((was_linked & (np.diff(binary.indptr) == 0)).sum())
    ids = weights.ids[idx]
    groups = None if weights.groups is None else weights.groups[idx]
    codes = _codes(groups, idx.size)
    centroids = None if weights.centroids is None else weights.centroids[idx]
    message = f"dropped {dropped} of {weights.n} units with {reason} from the spatial weights"
    if orphaned:
        how = (
            "joined to their nearest remaining unit"
            if centroids is not None
            else "left without neighbours (no centroids to join them)"
        )
        message += f"; {orphaned} units lost all their neighbours and were {how}"
    warnings.warn(message, UserWarning, stacklevel=2)
    if weights.kind == "matrix":
        raw = weights.W[idx][:, idx]  # keeps relative weights; re-standardised below
        isolated = np.flatnonzero(np.diff(binary.indptr) == 0)
        return SpatialWeights(
            W=row_standardise(raw),
            binary=binary,
            ids=ids,
            kind=weights.kind,
            islands_joined=tuple(i for i in weights.islands_joined if i in set(ids.tolist())),
            isolated=tuple(ids[isolated].tolist()),
            groups=groups,
        )
    kept = set(ids.tolist())
    earlier = tuple(i for i in weights.islands_joined if i in kept)
    return _make(binary, ids, weights.kind, centroids, groups, codes, earlier)


def block_diagonal(weights: list[SpatialWeights] | tuple[SpatialWeights, ...]) -> SpatialWeights:
    """Stack the weights of several areas (e.g. municipalities) into one matrix.

    Parameters
    ----------
    weights : sequence of SpatialWeights
        One per area, in the order the unit values will be concatenated.

    Returns
    -------
    SpatialWeights
        Block-diagonal ``W`` and ``binary``; ``ids``, islands and centroids concatenated.
        ``groups`` is each input's own ``groups`` when it has one, else its position in
        ``weights``; pass the same array as ``groups=`` to the autocorrelation kernels.
    """
    parts = list(weights)
    if not parts:
        raise InputError("argument `weights` is empty; pass at least one SpatialWeights")
    for i, part in enumerate(parts):
        if not isinstance(part, SpatialWeights):
            raise InputError(
                f"argument `weights` item {i} is a {type(part).__name__}, not SpatialWeights"
            )
    groups = np.concatenate(
        [
            np.asarray(p.groups) if p.groups is not None else np.full(p.n, i)
            for i, p in enumerate(parts)
        ]
    )
    centroids = (
        np.concatenate([p.centroids for p in parts])
        if all(p.centroids is not None for p in parts)
        else None
    )
    kinds = {p.kind for p in parts}
    return SpatialWeights(
        W=sparse.csr_array(sparse.block_diag([p.W for p in parts], format="csr")),
        binary=sparse.csr_array(sparse.block_diag([p.binary for p in parts], format="csr")),
        ids=np.concatenate([np.asarray(p.ids) for p in parts]),
        kind=kinds.pop() if len(kinds) == 1 else "mixed",
        islands_joined=tuple(i for p in parts for i in p.islands_joined),
        isolated=tuple(i for p in parts for i in p.isolated),
        groups=groups,
        centroids=centroids,
    )


def save_weights(weights: SpatialWeights, path) -> None:
    """Write weights to a ``.npz`` file (atomically), so later workflow steps reuse them.

    Stores the binary structure, ids, groups, centroids, kind and the joined islands; ``W``
    is re-derived by row-standardising on load.
    """
    from mixing.io.files import atomic_path

    binary = sparse.csr_array(weights.binary)
    arrays = {
        "indptr": binary.indptr, "indices": binary.indices, "data": binary.data,
        "shape": np.asarray(binary.shape), "ids": np.asarray(weights.ids).astype(str),
        "kind": np.asarray(weights.kind),
        "islands_joined": np.asarray(weights.islands_joined, dtype=str),
        "isolated": np.asarray(weights.isolated, dtype=str),
    }
    if weights.groups is not None:
        arrays["groups"] = np.asarray(weights.groups).astype(str)
    if weights.centroids is not None:
        arrays["centroids"] = np.asarray(weights.centroids)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def load_weights(path) -> SpatialWeights:
    """Read weights written by :func:`save_weights`."""
    with np.load(path, allow_pickle=False) as f:
        binary = sparse.csr_array((f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"]))
        return SpatialWeights(
            W=row_standardise(binary), binary=binary, ids=f["ids"], kind=str(f["kind"]),
            islands_joined=tuple(f["islands_joined"].tolist()),
            isolated=tuple(f["isolated"].tolist()),
            groups=f["groups"] if "groups" in f else None,
            centroids=f["centroids"] if "centroids" in f else None,
        )
