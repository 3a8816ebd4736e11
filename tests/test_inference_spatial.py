# ruff: noqa: NPY002  -- legacy np.random.seed on purpose: segregation draws from it
"""Inference for the spatial indices: against ``segregation.inference`` on real CBS data.

Den Haag 2019 buurten (CBS 84583NED on the 2019 boundaries, see PROVENANCE.md), social
housing. Both sides simulate, so they are compared statistically as in
``test_inference_reference.py``: null means within 4 combined Monte Carlo standard errors,
null sds within a ratio, a two-sample KS test. ``segregation`` recomputes the index on
each simulated table with the same polygons, for the systematic null and for its
``geographic_permutation`` null (units permuted over the locations).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _monte_carlo import assert_same_distribution
from conftest import SEED
from scipy import sparse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import segregation.singlegroup as sg
    from segregation.inference import SingleValueTest

from mixing import catalogue  # noqa: E402
from mixing.errors import InputError  # noqa: E402
from mixing.geometry.distances import spatial_inputs  # noqa: E402
from mixing.kernels import aspatial  # noqa: E402
from mixing.kernels import inference as inf
from mixing.tables.frames import index_table  # noqa: E402

R_OURS, R_THEIRS = 999, 60
# one index per kind of geometry: contiguity, boundary lengths, areas, centroids, distances
REFERENCE = {"spatial_dissimilarity": sg.SpatialDissim,
             "boundary_spatial_dissimilarity": sg.BoundarySpatialDissim,
             "delta": sg.Delta,
             "relative_centralization": sg.RelativeCentralization,
             "absolute_clustering": sg.AbsoluteClustering}


@pytest.fixture(scope="module")
def den_haag(den_haag_2019):
    units = den_haag_2019.reset_index(drop=True)
    g = np.rint(units["dwellings_social"].to_numpy(dtype=float))
    t = np.rint(units["dwellings"].to_numpy(dtype=float))
    ok = np.isfinite(g) & np.isfinite(t) & (t > 0)
    table = gpd.GeoDataFrame({"g": g[ok], "t": t[ok]},
                             geometry=units.geometry[ok].to_numpy(), crs=28992)
    return g, t, spatial_inputs(units), table


@pytest.mark.parametrize("null", ["systematic", "geographic_permutation"])
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_spatial_nulls_match_segregation(den_haag, name, null):
    g, t, geometry, table = den_haag
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SingleValueTest(REFERENCE[name](table, "g", "t"), null_approach=null,
                                 iterations_under_null=R_THEIRS, two_tailed=False, n_jobs=1)
    ours = inf.single_value_test(name, g, t, geometry=geometry, null=null,
                                 permutations=R_OURS, seed=SEED)
    assert ours.null == null.removesuffix("_permutation")
    assert ours.value == pytest.approx(theirs.statistic, rel=1e-9)
    assert_same_distribution(ours.simulated, theirs.est_sim, sd_ratio=(0.7, 1.4))


@pytest.mark.parametrize("null", ["systematic_permutation", "even_permutation"])
@pytest.mark.parametrize("name", ["spatial_dissimilarity", "absolute_clustering"])
def test_redraw_then_permute_nulls_match_segregation(den_haag, name, null):
    # segregation's systematic_permutation / even_permutation: draw, then move the units
    g, t, geometry, table = den_haag
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SingleValueTest(REFERENCE[name](table, "g", "t"), null_approach=null,
                                 iterations_under_null=R_THEIRS, two_tailed=False, n_jobs=1)
    ours = inf.single_value_test(name, g, t, geometry=geometry, null=null,
                                 permutations=R_OURS, seed=SEED)
    assert ours.null == null and ours.value == pytest.approx(theirs.statistic, rel=1e-9)
    assert_same_distribution(ours.simulated, theirs.est_sim, sd_ratio=(0.7, 1.4))
    # for an aspatial index the permutation changes nothing: the same draws as without
    plain = null.replace("_permutation", "").replace("even", "evenness")
    a = inf.single_value_test("dissimilarity", g, t, null=null, permutations=50, seed=SEED)
    b = inf.single_value_test("dissimilarity", g, t, null=plain, permutations=50, seed=SEED)
    np.testing.assert_allclose(a.simulated, b.simulated, rtol=1e-12)


def test_geographic_null_leaves_aspatial_indices_unchanged(den_haag):
    """Whole units move: the aspatial D of every replicate is the observed D."""
    g, t, _, _ = den_haag
    res = inf.single_value_test(aspatial.dissimilarity, g, t, null="geographic",
                                permutations=50, seed=SEED)
    np.testing.assert_allclose(res.simulated, res.value, rtol=1e-12)
    assert res.p_value == 1.0


def test_geographic_p_values_are_calibrated():
    """Counts placed at random on a 5 x 5 grid: rejection at 10 % about 10 % of the time."""
    side = 5
    grid = sparse.kron(sparse.eye(side), sparse.diags([1.0, 1.0], [-1, 1], (side, side))) \
        + sparse.kron(sparse.diags([1.0, 1.0], [-1, 1], (side, side)), sparse.eye(side))
    geometry = type("Grid", (), {"contiguity": sparse.csr_array(grid)})()
    rng = np.random.default_rng(SEED)
    n_cities = 150
    t = rng.integers(50, 200, size=(n_cities, side * side))
    x = rng.binomial(t, rng.uniform(0.1, 0.9, size=(n_cities, side * side)))
    labels = np.repeat(np.arange(n_cities), side * side)
    blocks = type("Grids", (), {"contiguity": sparse.block_diag([geometry.contiguity]
                                                                * n_cities, format="csr")})()
    res = inf.single_value_test("spatial_dissimilarity", x.ravel(), t.ravel(), groups=labels,
                                geometry=blocks, null="geographic", permutations=99,
                                seed=SEED)
    rate = np.mean(res.p_value <= 0.1)
    # Binomial(150, 0.1): sd 0.024; the bounds are about 3.5 sd
    assert 0.02 < rate < 0.19, rate


def test_batch_equals_each_municipality_alone(cbs_dir, nl_geometry):
    """Two cities in one call give, bit for bit, the numbers of each city alone."""
    from conftest import read_quietly

    odata = cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data"
    units = pd.concat([
        read_quietly(nl_geometry, odata / "marginal_distributions_TheHague_2019_84583NED.csv",
                     year=2019),
        read_quietly(nl_geometry, odata / "ams_2019/marginal_distributions_84583NED.csv",
                     year=2019)], ignore_index=True)
    labels = units["municipality_code"].to_numpy()
    g = units["dwellings_social"].to_numpy(dtype=float)
    t = units["dwellings"].to_numpy(dtype=float)
    names = ["spatial_dissimilarity", "absolute_centralization", "relative_clustering"]
    both = inf.single_value_tests(names, g, t, groups=labels,
                                  geometry=spatial_inputs(units, groups=labels),
                                  permutations=40, seed=SEED)
    boot = inf.bootstrap_cis(names, g, t, groups=labels,
                             geometry=spatial_inputs(units, groups=labels),
                             replicates=40, seed=SEED)
    for k, code in enumerate(np.unique(labels)):
        own = labels == code
        alone_units = units[own].reset_index(drop=True)
        alone = inf.single_value_tests(names, g[own], t[own], groups=labels[own],
                                       geometry=spatial_inputs(alone_units),
                                       permutations=40, seed=SEED)
        alone_boot = inf.bootstrap_cis(names, g[own], t[own], groups=labels[own],
                                       geometry=spatial_inputs(alone_units),
                                       replicates=40, seed=SEED)
        for batch, single in zip(both + boot, alone + alone_boot, strict=True):
            assert np.isfinite(single.simulated).all()
            np.testing.assert_array_equal(batch.simulated[:, k], single.simulated[:, 0])


def test_geometry_as_spatial_weights_or_dense_matrix_gives_the_same_draws(den_haag):
    """The forms the kernels accept: SpatialWeights (binary links), dense distances."""
    from types import SimpleNamespace

    from mixing.geometry.weights import from_matrix

    g, t, geometry, _ = den_haag
    as_given = inf.single_value_tests(["spatial_dissimilarity", "spatial_proximity"], g, t,
                                      geometry=geometry, permutations=20, seed=SEED)
    other_forms = SimpleNamespace(contiguity=from_matrix(geometry.contiguity),
                                  distances=geometry.distances.toarray(),
                                  areas=geometry.areas)
    converted = inf.single_value_tests(["spatial_dissimilarity", "spatial_proximity"], g, t,
                                       geometry=other_forms, permutations=20, seed=SEED)
    for a, b in zip(as_given, converted, strict=True):
        np.testing.assert_allclose(b.simulated, a.simulated, rtol=1e-12)
        assert np.isfinite(a.simulated).all()


def test_chunks_do_not_change_the_result(den_haag, monkeypatch):
    g, t, geometry, _ = den_haag
    whole = inf.single_value_test("absolute_clustering", g, t, geometry=geometry,
                                  permutations=30, seed=SEED)
    monkeypatch.setattr(inf, "CHUNK_UNITS", 1)  # one replicate per kernel call
    one_by_one = inf.single_value_test("absolute_clustering", g, t, geometry=geometry,
                                       permutations=30, seed=SEED)
    np.testing.assert_array_equal(whole.simulated, one_by_one.simulated)


def test_paired_swap_two_value_test_of_a_spatial_index(den_haag):
    g, t, geometry, _ = den_haag
    same = inf.two_value_test("spatial_dissimilarity", (g, t), (g, t), geometry=geometry,
                              null="paired_swap", permutations=50, seed=SEED)
    assert same.difference == 0.0 and same.p_value == 1.0
    # half of the social dwellings sold everywhere: D(s) hardly changes, far from p = 0
    sold = inf.two_value_test("spatial_dissimilarity", (g, t), (np.rint(g / 2), t),
                              geometry=geometry, null="paired_swap", permutations=50,
                              seed=SEED)
    assert sold.value_first == pytest.approx(0.2788, abs=1e-4)
    assert 0 < sold.p_value <= 1


@pytest.mark.parametrize(("call", "match"), [
    (lambda g, t, geo: inf.single_value_test("spatial_dissimilarity", g, t, seed=1),
     r"'spatial_dissimilarity'\] needs geometry"),
    (lambda g, t, geo: inf.single_value_test("delta", g, t, geometry=object(), seed=1),
     r"needs geometry with \['areas'\]"),
    (lambda g, t, geo: inf.single_value_tests(["dissimilarity", "delta"], g, t,
                                              geometry=geo, null="geographic", seed=1),
     r"leaves the aspatial \['dissimilarity'\] unchanged"),
    (lambda g, t, geo: inf.two_value_test("delta", (g, t), (g, t), geometry=geo, seed=1),
     r"random_label null moves rows between units.*paired_swap"),
    (lambda g, t, geo: inf.single_value_test("local_entropy", g, t, seed=1),
     r"not a two-group index.*spatial_dissimilarity"),
])
def test_bad_spatial_inference_arguments(den_haag, call, match):
    g, t, geometry, _ = den_haag
    with pytest.raises(InputError, match=match):
        call(g, t, geometry)


def test_index_table_reports_inference_for_the_spatial_indices(den_haag_2019):
    table = index_table(den_haag_2019, dimensions=("social_housing",), permutations=99,
                        replicates=99, seed=SEED)
    tested = table.dropna(subset=["p_value"])
    assert set(tested["index"]) == set(catalogue.names(inference=True))
    row = tested.set_index("index").loc["spatial_dissimilarity"]
    # D(s) of Den Haag's social housing is far above random allocation's
    assert row["p_value"] == pytest.approx(1 / 100)
    assert row["expected_under_null"] < 0.05 < row["ci_low"] < row["value"] < row["ci_high"]
    # the kernel-level test on the same units, labels and seed gives the same numbers
    units = den_haag_2019
    direct = inf.single_value_test(
        "spatial_dissimilarity", units["dwellings_social"].to_numpy(dtype=float),
        units["dwellings"].to_numpy(dtype=float), groups=np.full(len(units), "GM0518|2019|buurt"),
        geometry=spatial_inputs(units), permutations=99, seed=SEED)
    assert direct.value[0] == row["value"]
    assert direct.expected_under_null[0] == row["expected_under_null"]


def test_index_table_tests_any_spatial_index_asked_for_and_skips_missing_shapes(
        den_haag_2019, cbs_dir, nl_geometry):
    from conftest import read_quietly

    amsterdam = read_quietly(nl_geometry, cbs_dir / "kwb_odata_denhaag_amsterdam_utrecht/data/"
                           "ams_2019/marginal_distributions_84583NED.csv", year=2019)
    asked = ("dissimilarity", "delta", "absolute_clustering")
    kwargs = {"dimensions": ("social_housing",), "indices": asked,
              "inference_indices": asked, "permutations": 49, "replicates": 49,
              "seed": SEED}
    both = pd.concat([den_haag_2019, amsterdam], ignore_index=True)
    whole = index_table(both, **kwargs).set_index(["municipality_code", "index"])
    assert whole["p_value"].notna().all() and len(whole) == 6
    # a populated Amsterdam buurt without its polygon: Amsterdam's spatial rows become NaN,
    # Den Haag's keep the numbers they had when every unit had geometry
    holed = both.copy()
    holed.loc[holed.index[(holed["municipality_code"] == "GM0363")
                          & (holed["population"] > 0)][0], "geometry"] = None
    part = index_table(holed, **kwargs).set_index(["municipality_code", "index"])
    for index in ("delta", "absolute_clustering"):
        assert part.loc[("GM0363", index)][["value", "p_value"]].isna().all()
        assert (part.loc[("GM0518", index)] == whole.loc[("GM0518", index)]).all()
    assert part.loc[("GM0363", "dissimilarity"), "p_value"] == \
        whole.loc[("GM0363", "dissimilarity"), "p_value"]
