# ruff: noqa: NPY002  -- legacy np.random.seed on purpose: segregation draws from it
"""mixing.kernels.inference against ``segregation.inference`` (the test-time oracle), real CBS data.

Den Haag and Amsterdam 2019 buurten (CBS 84583NED, see PROVENANCE.md), read with
:func:`mixing.io.cbs.read_units` (table only). Both implementations simulate, so they are
compared statistically: null means within 4 combined Monte Carlo standard errors, null sds
within a generous ratio, two-sample KS, p-values within their Monte Carlo error.
``segregation`` runs with ``n_jobs=1`` so that ``np.random.seed`` makes it reproducible,
and with fewer replicates than ours (it takes ~5-20 ms per replicate).

Counts are rounded to integers before they reach either side: CBS social-housing counts
are percentages times dwellings, and ``segregation``'s simulators need integers.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _monte_carlo import assert_same_distribution
from conftest import SEED

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import segregation.singlegroup as sg
    from segregation.inference import SingleValueTest

from mixing.io.cbs import read_units  # noqa: E402
from mixing.kernels import inference as inf  # noqa: E402

KWB = "kwb_odata_denhaag_amsterdam_utrecht/data"
FILES = {
    ("GM0518", 2019): f"{KWB}/marginal_distributions_TheHague_2019_84583NED.csv",
    ("GM0363", 2019): f"{KWB}/ams_2019/marginal_distributions_84583NED.csv",
    ("GM0518", 2021): f"{KWB}/den_haag_2021/marginal_distributions_84583NED.csv",
}
PAIRS = {"social": ("dwellings_social", "dwellings"),
         "migration": ("population_migration_nonwestern", "population")}
R_OURS = 999


def _units(cbs_dir, municipality, year) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reader's hidden-value warnings
        units = read_units(table=cbs_dir / FILES[(municipality, year)], year=year)
    return pd.DataFrame(units.drop(columns="geometry"))


def _counts(units: pd.DataFrame, pair: str) -> pd.DataFrame:
    g, t = PAIRS[pair]
    df = units[["unit_code", g, t]].dropna()
    df = df[df[t] > 0]
    return pd.DataFrame({"unit_code": df["unit_code"].to_numpy(),
                         "g": np.rint(df[g].to_numpy()), "t": np.rint(df[t].to_numpy())})


def _as_geo(df: pd.DataFrame) -> gpd.GeoDataFrame:
    # segregation's evenness simulator needs a geometry column; aspatial D ignores it
    return gpd.GeoDataFrame(df[["g", "t"]], geometry=gpd.points_from_xy(
        np.arange(len(df)), np.zeros(len(df))))


def _segregation_null(df, null, iterations, two_tailed=True):
    np.random.seed(SEED)
    data = _as_geo(df) if null == "evenness" else df[["g", "t"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        test = SingleValueTest(sg.Dissim(data, "g", "t"), iterations_under_null=iterations,
                               null_approach=null, two_tailed=two_tailed, n_jobs=1)
    return test


@pytest.fixture(scope="module")
def cities(cbs_dir) -> dict:
    return {code: _units(cbs_dir, code, 2019) for code in ("GM0518", "GM0363")}


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_systematic_null_matches_segregation(cities, pair):
    """Both cities in ONE call (the batch path) against per-city segregation runs."""
    frames = [_counts(cities[c], pair).assign(m=c) for c in ("GM0363", "GM0518")]
    both = pd.concat(frames, ignore_index=True)
    ours = inf.single_value_test("dissimilarity", both["g"], both["t"], groups=both["m"],
                                 null="systematic", permutations=R_OURS, seed=SEED)
    assert list(ours.labels) == ["GM0363", "GM0518"]
    for k, df in enumerate(frames):
        theirs = _segregation_null(df, "systematic", 100, two_tailed=False)
        assert ours.value[k] == pytest.approx(theirs.statistic, rel=1e-12)
        assert_same_distribution(ours.simulated[:, k], theirs.est_sim)
        # real cities are far from random: both in the extreme tail
        assert theirs.p_value == 0.0 and ours.p_value[k] == 1 / (R_OURS + 1)


def test_evenness_null_matches_segregation(cities):
    df = _counts(cities["GM0518"], "social")
    theirs = _segregation_null(df, "evenness", 100)
    ours = inf.single_value_test("dissimilarity", df["g"], df["t"], null="evenness",
                                 permutations=R_OURS, seed=SEED)
    assert_same_distribution(ours.simulated, theirs.est_sim)


def test_permutation_null_matches_segregation(cities):
    # segregation builds one row per person: scale Den Haag down (1/40) to keep it quick
    df = _counts(cities["GM0518"], "social")
    df = df.assign(t=np.rint(df["t"] / 40), g=np.rint(df["g"] / 40))
    df = df[df["t"] > 0].reset_index(drop=True)
    df["g"] = np.minimum(df["g"], df["t"])
    theirs = _segregation_null(df, "person_permutation", 60)
    ours = inf.single_value_test("dissimilarity", df["g"], df["t"], null="permutation",
                                 permutations=R_OURS, seed=SEED)
    assert_same_distribution(ours.simulated, theirs.est_sim)


def test_p_values_match_segregation_near_the_null(cities, null="systematic"):
    """Den Haag dwellings with social housing drawn at random: p-values in the bulk."""
    df = _counts(cities["GM0518"], "social")
    rng = np.random.default_rng(SEED)
    df["g"] = rng.binomial(df["t"].astype(np.int64), df["g"].sum() / df["t"].sum())
    R_theirs = 120
    theirs_one = _segregation_null(df, null, R_theirs, two_tailed=False)
    ours = inf.single_value_test("dissimilarity", df["g"], df["t"], null=null,
                                 permutations=R_OURS, seed=SEED)
    p = ours.p_value
    se = np.sqrt(p * (1 - p) * (1 / R_OURS + 1 / R_theirs))
    assert 0.02 < p < 0.98  # the check below is only informative in the bulk
    assert abs(p - theirs_one.p_value) < 4 * se + 1 / R_OURS
    # two-sided: segregation's 2 min(#>, #<) / m against ours, same error budget
    two = 2 * min((theirs_one.est_sim > theirs_one.statistic).mean(),
                  (theirs_one.est_sim < theirs_one.statistic).mean())
    ours_two = inf.single_value_test("dissimilarity", df["g"], df["t"], null=null,
                                     permutations=R_OURS, seed=SEED,
                                     alternative="two-sided").p_value
    assert abs(ours_two - two) < 2 * (4 * se) + 2 / R_OURS


def test_unit_resampling_bootstrap_matches_segregation(cities):
    # segregation's "bootstrap": whole units drawn with replacement (resample="units");
    # the default here redraws residents within units, a different (narrower) distribution
    df = _counts(cities["GM0518"], "social")
    theirs = _segregation_null(df, "bootstrap", 100)
    ours = inf.bootstrap_ci("dissimilarity", df["g"], df["t"], resample="units",
                            replicates=R_OURS, seed=SEED)
    assert_same_distribution(ours.simulated, theirs.est_sim)
    residents = inf.bootstrap_ci("dissimilarity", df["g"], df["t"], replicates=R_OURS,
                                 seed=SEED)
    assert residents.sd < ours.sd / 2


def test_unit_resampling_refuses_spatial_indices():
    from mixing.errors import InputError

    with pytest.raises(InputError, match="resample='units' repeats and drops units"):
        inf.bootstrap_ci("spatial_dissimilarity", [1, 2], [3, 4], resample="units", seed=1)


@pytest.fixture(scope="module")
def migration_table(den_haag_migration):
    """Den Haag 2019 western / non-western / rest per buurt, whole residents, geometry."""
    from conftest import MIGRATION_COLUMNS

    counts = np.rint(den_haag_migration[MIGRATION_COLUMNS].to_numpy(float))
    table = gpd.GeoDataFrame(pd.DataFrame(counts, columns=["w", "nw", "rest"]),
                             geometry=gpd.points_from_xy(np.arange(len(counts)),
                                                         np.zeros(len(counts))))
    return counts, table


@pytest.mark.parametrize("null, ours_null, scale", [
    ("systematic", "systematic", 1), ("evenness", "evenness", 1),
    ("person_permutation", "permutation", 40)])
@pytest.mark.parametrize("index", ["multigroup_dissimilarity", "information_theory"])
def test_multigroup_nulls_match_segregation(migration_table, index, null, ours_null, scale):
    """SingleValueTest of a MultiGroupIndex; person_permutation on 1/40 of the residents
    (segregation builds one row per person)."""
    import segregation.multigroup as smg

    from mixing.kernels.inference_multigroup import multigroup_single_value_test

    counts, table = migration_table
    counts = np.rint(counts / scale)
    table = table.assign(w=counts[:, 0], nw=counts[:, 1], rest=counts[:, 2])
    keep = counts.sum(axis=1) > 0
    counts, table = counts[keep], table[keep].reset_index(drop=True)
    reference = {"multigroup_dissimilarity": smg.MultiDissim,
                 "information_theory": smg.MultiInfoTheory}[index]
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SingleValueTest(reference(table, ["w", "nw", "rest"]), null_approach=null,
                                 iterations_under_null=60, two_tailed=False, n_jobs=1)
    ours = multigroup_single_value_test(index, counts, null=ours_null, permutations=R_OURS,
                                        seed=SEED)
    assert ours.value == pytest.approx(theirs.statistic, rel=1e-9)
    assert_same_distribution(ours.simulated, theirs.est_sim)
    assert ours.p_value == 1 / (R_OURS + 1)  # a real city: far from random
