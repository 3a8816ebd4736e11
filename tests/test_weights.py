"""Spatial weights: contiguity on hand-made grids, islands, subset, block diagonal, CRS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from mixing.errors import InputError
from mixing.geometry.weights import block_diagonal, build_weights, from_matrix, subset


def grid(nx: int, ny: int, x0: float = 0.0) -> gpd.GeoSeries:
    cells = [shapely.box(x0 + x, y, x0 + x + 1, y + 1) for y in range(ny) for x in range(nx)]
    return gpd.GeoSeries(cells, crs="EPSG:28992")


def test_rook_and_queen_on_a_grid():
    rook = build_weights(grid(3, 3), kind="rook")
    queen = build_weights(grid(3, 3), kind="queen")
    assert rook.cardinalities.tolist() == [2, 3, 2, 3, 4, 3, 2, 3, 2]
    assert queen.cardinalities.tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    for w in (rook, queen):
        assert np.allclose(np.asarray(w.W.sum(axis=1)).ravel(), 1.0)
        assert w.W.diagonal().sum() == 0
        assert (w.binary != w.binary.T).nnz == 0
        assert w.islands_joined == () and w.isolated == ()


def test_island_is_joined_to_its_nearest_unit_symmetrically():
    cells = list(grid(2, 2)) + [shapely.box(10, 0, 11, 1)]  # far away, nearest: cell 1
    w = build_weights(gpd.GeoSeries(cells, crs=28992), ids=list("abcde"))
    assert w.islands_joined == ("e",)
    assert w.n_islands_joined == 1
    assert w.binary[4, 1] == 1 and w.binary[1, 4] == 1
    assert w.cardinalities[4] == 1
    assert "islands_joined=1" in repr(w)


def test_knn_and_distance_band():
    knn = build_weights(grid(4, 4), kind="knn", k=3)
    assert (knn.cardinalities == 3).all()
    band = build_weights(grid(4, 4), kind="distance_band", threshold=1.01)
    rook = build_weights(grid(4, 4), kind="rook")
    assert (band.binary != rook.binary).nnz == 0


def test_groups_cut_links_between_groups():
    two = gpd.GeoSeries(list(grid(2, 2)) + list(grid(2, 2, x0=2)), crs=28992)
    w = build_weights(two, kind="rook", groups=["A"] * 4 + ["B"] * 4)
    coo = w.binary.tocoo()
    assert ((coo.row < 4) == (coo.col < 4)).all()
    assert w.cardinalities.tolist() == [2] * 8


def test_crs_is_checked():
    with pytest.raises(InputError, match="has no CRS"):
        build_weights(grid(2, 2).set_crs(None, allow_override=True))
    with pytest.raises(InputError, match=r"must be in EPSG:28992.*to_crs"):
        build_weights(grid(2, 2).set_crs(4326, allow_override=True))


def test_bad_arguments():
    with pytest.raises(InputError, match="unknown weights kind"):
        build_weights(grid(2, 2), kind="bishop")
    with pytest.raises(InputError, match="threshold"):
        build_weights(grid(2, 2), kind="distance_band")
    with pytest.raises(InputError, match="`k` must be smaller"):
        build_weights(grid(2, 2), kind="knn", k=4)


def test_subset_drops_warns_and_rejoins_orphans():
    w = build_weights(grid(3, 1), kind="rook", ids=["a", "b", "c"])  # a - b - c
    with pytest.warns(UserWarning, match=r"dropped 1 of 3 units.*2 units lost all"):
        s = subset(w, np.array([True, False, True]))
    assert s.ids.tolist() == ["a", "c"]
    assert s.islands_joined == ("a", "c")
    assert np.allclose(np.asarray(s.W.sum(axis=1)).ravel(), 1.0)
    assert subset(w, np.ones(3, dtype=bool)) is w
    with pytest.raises(InputError, match="boolean array"):
        subset(w, [1, 0, 1])


def test_subset_without_centroids_reports_isolated():
    line = np.diag(np.ones(2), 1) + np.diag(np.ones(2), -1)
    w = from_matrix(line)
    with pytest.warns(UserWarning, match="left without neighbours"):
        s = subset(w, np.array([True, False, True]))
    assert s.isolated == (0, 2)


def test_block_diagonal_stacks():
    a = build_weights(grid(2, 2), kind="rook", ids=list("abcd"))
    b = build_weights(grid(3, 1), kind="rook", ids=list("xyz"))
    w = block_diagonal([a, b])
    assert w.n == 7 and w.binary.nnz == a.binary.nnz + b.binary.nnz
    assert w.groups.tolist() == [0] * 4 + [1] * 3
    assert w.ids.tolist() == list("abcdxyz")
    with pytest.raises(InputError, match="empty"):
        block_diagonal([])


@pytest.mark.parametrize("rook", [False, True])
def test_contiguity_equals_libpysal_on_the_national_layer(cbs_dir, rook):
    from _real_units import read_geometry
    from libpysal.graph import Graph

    geo = read_geometry(cbs_dir)
    ours = build_weights(geo, kind="rook" if rook else "queen")
    ref = Graph.build_contiguity(geo.geometry.reset_index(drop=True), rook=rook).sparse
    ref = ref.tocsr()
    ref.eliminate_zeros()  # libpysal keeps isolates as 0-weight self-loops
    ref.data[:] = 1
    isolated = np.flatnonzero(np.diff(ref.indptr) == 0)
    # libpysal's graph plus our island links, nothing else
    extra = (ours.binary - ref).tocoo()
    assert (extra.data == 1).all()  # no libpysal link is missing
    touches = np.isin(extra.row, isolated) | np.isin(extra.col, isolated)
    assert touches.all()
    assert ours.n_islands_joined == isolated.size


def test_saved_weights_load_identically(tmp_path):
    import geopandas as gpd
    import shapely

    from mixing.geometry.weights import build_weights, load_weights, save_weights

    cells = [shapely.box(x, y, x + 1, y + 1) for y in range(3) for x in range(4)]
    grid = gpd.GeoSeries(cells, crs="EPSG:28992")
    groups = np.array(["GM0001"] * 6 + ["GM0002"] * 6)
    w = build_weights(grid, kind="queen", ids=[f"u{i}" for i in range(12)], groups=groups)
    save_weights(w, tmp_path / "w.npz")
    back = load_weights(tmp_path / "w.npz")
    assert (back.W != w.W).nnz == 0 and (back.binary != w.binary).nnz == 0
    assert back.ids.tolist() == w.ids.tolist() and back.groups.tolist() == groups.tolist()
    assert back.kind == "queen" and back.islands_joined == w.islands_joined
    np.testing.assert_array_equal(back.centroids, w.centroids)
