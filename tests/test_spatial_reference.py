"""Spatial indices against PySAL ``segregation`` 2.5 on real CBS buurten (Den Haag, Amsterdam 2019).

``segregation`` has no NaN rule, so units with unknown counts or no people are dropped
before it sees them; our kernels get the full table and exclude them themselves. Both sides
get the same weights: ``segregation`` builds Queen / Rook + shared-boundary weights on the
dropped table itself, we build ours once on the full table (and test they coincide).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest

from mixing.geometry.distances import spatial_inputs
from mixing.io.cbs import read_units
from mixing.io.readers.geo import read_geometry
from mixing.kernels import spatial

seg = pytest.importorskip("segregation")
from libpysal.weights import Queen  # noqa: E402
from segregation import singlegroup as sg  # noqa: E402
from segregation._base import _return_length_weighted_w  # noqa: E402
from segregation.dynamics import compute_multiscalar_profile  # noqa: E402

ODATA = "kwb_odata_denhaag_amsterdam_utrecht/data"
TABLES = {
    "GM0518": f"{ODATA}/marginal_distributions_TheHague_2019_84583NED.csv",
    "GM0363": f"{ODATA}/ams_2019/marginal_distributions_84583NED.csv",
}
DIMENSIONS = {
    "social_housing": ("dwellings_social", "dwellings"),
    "migration": ("population_migration_nonwestern", "population"),
}
RTOL = 1e-9


@pytest.fixture(scope="module")
def national(cbs_dir):
    """The national 2019 buurt TopoJSON, read once per module."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # assumed-CRS and repair warnings, tested elsewhere
        return read_geometry(cbs_dir / "buurt_2019_nl_topojson/buurten.json")


@pytest.fixture(scope="module")
def cities(cbs_dir, national):
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CBS hidden-value warnings, tested elsewhere
        for code, table in TABLES.items():
            units = read_units(geometry=national, table=cbs_dir / table, year=2019)
            out[code] = (units.reset_index(drop=True), spatial_inputs(units))
    return out


class Case:
    """One city and dimension: our arrays and ``segregation``'s dropped table."""

    def __init__(self, units, inputs, group, total):
        self.units, self.inputs = units, inputs
        self.gname, self.tname = group, total
        self.g = units[group].to_numpy(dtype=float)
        self.t = units[total].to_numpy(dtype=float)
        self.valid = ~np.isnan(self.g) & ~np.isnan(self.t) & (self.t > 0)
        self.data = units.loc[self.valid, [group, total, "geometry"]].reset_index(drop=True)

    def reference(self, cls, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls(self.data, self.gname, self.tname, **kwargs).statistic


@pytest.fixture(scope="module", params=[(c, d) for c in TABLES for d in DIMENSIONS],
                ids=lambda p: f"{p[0]}-{p[1]}")
def case(request, cities):
    code, dim = request.param
    units, inputs = cities[code]
    return Case(units, inputs, *DIMENSIONS[dim])


# ---------------------------------------------------------------------------------------
# the geometry we pass equals the geometry segregation builds
# ---------------------------------------------------------------------------------------


def test_contiguity_matches_libpysal_queen(case):
    ours = case.inputs.contiguity[case.valid][:, case.valid].toarray()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Queen.from_dataframe(case.data).sparse.toarray()
    np.testing.assert_array_equal(ours, theirs)


def test_boundary_lengths_match_segregation(case):
    ours = case.inputs.boundary_lengths[case.valid][:, case.valid].toarray()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _return_length_weighted_w(case.data).sparse.toarray()
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-9)


# ---------------------------------------------------------------------------------------
# every kernel
# ---------------------------------------------------------------------------------------


def test_spatial_dissimilarity(case):
    ours = spatial.spatial_dissimilarity(case.g, case.t, case.inputs.contiguity)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(case.data)
    assert ours == pytest.approx(case.reference(sg.SpatialDissim, w=w), rel=RTOL)
    assert np.isfinite(ours)


def test_spatial_dissimilarity_standardized(case):
    ours = spatial.spatial_dissimilarity(case.g, case.t, case.inputs.contiguity,
                                         standardize=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(case.data)
    theirs = case.reference(sg.SpatialDissim, w=w, standardize=True)
    if w.islands:  # Amsterdam: segregation divides 0 by 0 in the island's row
        assert np.isnan(theirs) and np.isfinite(ours)
    else:
        assert ours == pytest.approx(theirs, rel=RTOL)


def test_spatial_prox_prof(case):
    ours = spatial.spatial_prox_prof(case.g, case.t, case.inputs.contiguity)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_dataframe(case.data)
    assert ours == pytest.approx(case.reference(sg.SpatialProxProf, w=w), rel=RTOL)


@pytest.mark.parametrize("standardize", [True, False])
def test_boundary_spatial_dissimilarity(case, standardize):
    ours = spatial.boundary_spatial_dissimilarity(
        case.g, case.t, case.inputs.boundary_lengths, standardize=standardize
    )
    theirs = case.reference(sg.BoundarySpatialDissim, standardize=standardize)
    if standardize and np.isnan(theirs):  # islands in Amsterdam (documented difference)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert Queen.from_dataframe(case.data).islands
        assert np.isfinite(ours)
    else:
        assert ours == pytest.approx(theirs, rel=RTOL)


@pytest.mark.parametrize("standardize", [True, False])
def test_perimeter_area_dissimilarity(case, standardize):
    inp = case.inputs
    ours = spatial.perimeter_area_dissimilarity(
        case.g, case.t, inp.boundary_lengths, inp.perimeters, inp.areas,
        standardize=standardize,
    )
    theirs = case.reference(sg.PARDissim, standardize=standardize)
    assert ours == pytest.approx(theirs, rel=RTOL)


DISTANCE_KERNELS = {
    "spatial_proximity": sg.SpatialProximity,
    "distance_decay_isolation": sg.DistanceDecayIsolation,
    "distance_decay_exposure": sg.DistanceDecayInteraction,
    "absolute_clustering": sg.AbsoluteClustering,
    "relative_clustering": sg.RelativeClustering,
}


@pytest.mark.parametrize("name", list(DISTANCE_KERNELS))
def test_distance_kernels(case, name):
    kernel = getattr(spatial, name)
    ours = kernel(case.g, case.t, case.inputs.distances, case.inputs.areas)
    assert ours == pytest.approx(case.reference(DISTANCE_KERNELS[name]), rel=RTOL)


@pytest.mark.parametrize("name", list(DISTANCE_KERNELS))
def test_distance_kernels_alpha_beta(case, name):
    kernel = getattr(spatial, name)
    ours = kernel(case.g, case.t, case.inputs.distances, case.inputs.areas,
                  alpha=1e-6, beta=0.3)
    theirs = case.reference(DISTANCE_KERNELS[name], alpha=1e-6, beta=0.3)
    assert ours == pytest.approx(theirs, rel=RTOL)


@pytest.mark.parametrize(
    "name, cls",
    [("delta", sg.Delta), ("absolute_concentration", sg.AbsoluteConcentration),
     ("relative_concentration", sg.RelativeConcentration)],
)
def test_area_kernels(case, name, cls):
    ours = getattr(spatial, name)(case.g, case.t, case.inputs.areas)
    assert ours == pytest.approx(case.reference(cls), rel=RTOL)


@pytest.mark.parametrize("center", [None, (81_250.0, 455_050.0)], ids=["mean", "point"])
def test_centralization(case, center):
    inp = case.inputs
    ace = spatial.absolute_centralization(case.g, case.t, inp.centroids, inp.areas,
                                          center=center)
    rce = spatial.relative_centralization(case.g, case.t, inp.centroids, center=center)
    kw = {} if center is None else {"center": center}
    assert ace == pytest.approx(case.reference(sg.AbsoluteCentralization, **kw), rel=RTOL)
    assert rce == pytest.approx(case.reference(sg.RelativeCentralization, **kw), rel=RTOL)


@pytest.mark.parametrize("index, cls", [("dissimilarity", sg.Dissim),
                                         ("entropy", sg.Entropy)])
def test_multiscale_profile(case, index, cls):
    bands = [500.0, 1500.0]
    ours = spatial.multiscale_profile(index, case.g, case.t, case.inputs.centroids,
                                      distances=bands)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = compute_multiscalar_profile(
            case.data, segregation_index=cls, group_pop_var=case.gname,
            total_pop_var=case.tname, distances=bands,
        )
    np.testing.assert_allclose(ours.distances, theirs.index.to_numpy(dtype=float))
    np.testing.assert_allclose(ours.values, theirs.to_numpy(dtype=float), rtol=RTOL)


def test_multiscale_profile_from_sparse_distances(case):
    bands = [800.0]
    from_xy = spatial.multiscale_profile("dissimilarity", case.g, case.t,
                                         case.inputs.centroids, distances=bands)
    from_d = spatial.multiscale_profile("dissimilarity", case.g, case.t,
                                        case.inputs.distances, distances=bands)
    np.testing.assert_array_equal(from_xy.values, from_d.values)


# ---------------------------------------------------------------------------------------
# batch: both cities in one call equal one call per city, exactly
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both(cities):
    units = pd.concat([cities[c][0] for c in TABLES], ignore_index=True)
    groups = units["municipality_code"].to_numpy()
    return units, groups, spatial_inputs(units, groups=groups)


def _distance_call(name, g, t, i, **k):
    return getattr(spatial, name)(g, t, i.distances, i.areas, **k)


CALLS = {
    "spatial_dissimilarity": lambda g, t, i, **k: spatial.spatial_dissimilarity(
        g, t, i.contiguity, **k),
    "boundary_spatial_dissimilarity": lambda g, t, i, **k:
        spatial.boundary_spatial_dissimilarity(g, t, i.boundary_lengths, **k),
    "perimeter_area_dissimilarity": lambda g, t, i, **k:
        spatial.perimeter_area_dissimilarity(g, t, i.boundary_lengths, i.perimeters,
                                             i.areas, **k),
    **{name: functools.partial(_distance_call, name) for name in DISTANCE_KERNELS},
    "spatial_prox_prof": lambda g, t, i, **k: spatial.spatial_prox_prof(
        g, t, i.contiguity, **k),
    "delta": lambda g, t, i, **k: spatial.delta(g, t, i.areas, **k),
    "absolute_concentration": lambda g, t, i, **k: spatial.absolute_concentration(
        g, t, i.areas, **k),
    "relative_concentration": lambda g, t, i, **k: spatial.relative_concentration(
        g, t, i.areas, **k),
    "absolute_centralization": lambda g, t, i, **k: spatial.absolute_centralization(
        g, t, i.centroids, i.areas, **k),
    "relative_centralization": lambda g, t, i, **k: spatial.relative_centralization(
        g, t, i.centroids, **k),
    "multiscale_profile": lambda g, t, i, **k: spatial.multiscale_profile(
        "dissimilarity", g, t, i.centroids, distances=[700.0], **k).values.T,
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("dim", list(DIMENSIONS))
def test_batch_equals_per_city(both, cities, name, dim):
    units, groups, inputs = both
    gname, tname = DIMENSIONS[dim]
    batch = CALLS[name](units[gname].to_numpy(float), units[tname].to_numpy(float), inputs,
                        groups=groups)
    for k, code in enumerate(sorted(TABLES)):
        u, inp = cities[code]
        single = CALLS[name](u[gname].to_numpy(float), u[tname].to_numpy(float), inp)
        np.testing.assert_array_equal(np.asarray(batch)[k], np.asarray(single).ravel()
                                      if np.ndim(single) else single)
