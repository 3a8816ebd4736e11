# ruff: noqa: NPY002  -- legacy np.random on purpose: it replays segregation's own draws
"""Regression of the aspatial kernels against PySAL ``segregation`` (the test-time oracle).

Real data: Den Haag and Amsterdam 2019 buurten (CBS 84583NED, see PROVENANCE.md), parsed
here from the raw OData CSV; plus seeded random data. ``segregation`` warns and propagates
NaN, so it receives the rows without NaN; our kernels receive *all* rows, NaN included,
and must agree -- which also checks the exclusion rule. Units with ``total == 0`` are
passed to both: ``segregation`` gives them weight 0, which is our exclusion rule.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    # module level on purpose: the numba compile is paid once per test process
    import segregation.multigroup as smg
    import segregation.singlegroup as sg

from conftest import SEED  # noqa: E402

from mixing.kernels import aspatial as indices  # noqa: E402
from mixing.kernels import multigroup
from mixing.kernels.aspatial import _correct_towards_null, _dissim_of_draws  # noqa: E402

KWB = "kwb_odata_denhaag_amsterdam_utrecht/data"
FILES = {
    "denhaag": f"{KWB}/marginal_distributions_TheHague_2019_84583NED.csv",
    "amsterdam": f"{KWB}/ams_2019/marginal_distributions_84583NED.csv",
}
RTOL = 1e-9


def read_buurten(path: Path) -> pd.DataFrame:
    """Buurt rows of a raw CBS OData CSV as floats ('.' -> NaN), with derived counts."""
    raw = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    raw = raw.apply(lambda col: col.str.strip())
    buurt = raw[raw["SoortRegio_2"] == "Buurt"].reset_index(drop=True)
    num = lambda name: pd.to_numeric(buurt[name].replace(".", np.nan))  # noqa: E731
    out = pd.DataFrame({"code": buurt["WijkenEnBuurten"]})
    out["wijk"] = "WK" + out["code"].str[2:8]  # BU + gemeente (4) + wijk (2) + buurt (2)
    out["dwellings"] = num("Woningvoorraad_34")
    out["social"] = num("InBezitWoningcorporatie_42") / 100.0 * out["dwellings"]
    out["population"] = num("AantalInwoners_5")
    out["western"] = num("WestersTotaal_17")
    out["nonwestern"] = num("NietWestersTotaal_18")
    # CBS rounds each count to 5, so the rest can come out slightly negative: clip at 0
    out["rest"] = (out["population"] - out["western"] - out["nonwestern"]).clip(lower=0)
    return out


@pytest.fixture(scope="module", params=sorted(FILES))
def city(request, cbs_dir) -> pd.DataFrame:
    df = read_buurten(cbs_dir / FILES[request.param])
    df.attrs["name"] = request.param
    return df


@pytest.fixture(scope="module")
def both_cities(cbs_dir) -> pd.DataFrame:
    frames = []
    for name in sorted(FILES):
        df = read_buurten(cbs_dir / FILES[name])
        df["city"] = name
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# (group column, total column) pairs: social housing, and non-western migration background
PAIRS = [("social", "dwellings"), ("nonwestern", "population")]


def _random_counts(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    total = rng.integers(0, 3000, n).astype(float)
    total[:3] = 0.0  # zero-total units, as CBS has them
    group = rng.binomial(total.astype(int), rng.beta(2, 5, n)).astype(float)
    return group, total


def _oracle(cls, group, total, **kwargs):
    df = pd.DataFrame({"g": group, "t": total}).dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):  # segregation computes 0/0 for zero-total units
            return cls(df, "g", "t", **kwargs).statistic


DETERMINISTIC = {
    "dissimilarity": (sg.Dissim, {}),
    "isolation": (sg.Isolation, {}),
    "exposure": (sg.Interaction, {}),
    "gini": (sg.Gini, {}),
    "entropy": (sg.Entropy, {}),
    "correlation_ratio": (sg.CorrelationR, {}),
    "atkinson": (sg.Atkinson, {}),
    "min_max": (sg.MinMax, {}),
    "con_prof": (sg.ConProf, {}),
}


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_real_data_matches_segregation(city, pair, name):
    cls, kwargs = DETERMINISTIC[name]
    group, total = city[pair[0]].to_numpy(), city[pair[1]].to_numpy()
    ours = getattr(indices, name)(group, total)
    assert np.isfinite(ours)
    np.testing.assert_allclose(ours, _oracle(cls, group, total, **kwargs), rtol=RTOL)


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_random_data_matches_segregation(name):
    cls, kwargs = DETERMINISTIC[name]
    for k in range(3):
        group, total = _random_counts(SEED + k)
        ours = getattr(indices, name)(group, total)
        np.testing.assert_allclose(ours, _oracle(cls, group, total, **kwargs), rtol=RTOL)


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_batch_over_both_cities_matches_segregation(both_cities, name):
    cls, kwargs = DETERMINISTIC[name]
    d = both_cities
    got = getattr(indices, name)(d["social"], d["dwellings"], groups=d["city"])
    want = [
        _oracle(cls, d.loc[d.city == c, "social"], d.loc[d.city == c, "dwellings"], **kwargs)
        for c in sorted(FILES)
    ]
    np.testing.assert_allclose(got, want, rtol=RTOL)


# --- density-corrected D: an optimisation in segregation, matched to its tolerance -------

# segregation's Nelder-Mead (xatol=1e-5) returns the second-best simplex vertex; observed
# relative differences on the real data are <= 3e-7
DENSITY_RTOL = 1e-6


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
def test_density_corrected_matches_segregation(city, pair):
    group, total = city[pair[0]].to_numpy(), city[pair[1]].to_numpy()
    ours = indices.density_corrected_dissimilarity(group, total)
    # segregation returns NaN as soon as one unit has zero population: give it none
    keep = total > 0
    ref = _oracle(sg.DensityCorrectedDissim, group[keep], total[keep])
    np.testing.assert_allclose(ours, ref, rtol=DENSITY_RTOL)
    # the maximum-likelihood value without segregation's underflow flaw is larger
    exact = indices.density_corrected_dissimilarity(group, total, match_segregation=False)
    assert exact > ours
    assert exact <= indices.dissimilarity(group, total) + 1e-12


def test_density_corrected_theta_matches_nelder_mead():
    from segregation.singlegroup.density_corrected_dissim import _return_optimal_theta

    theta = np.concatenate([np.linspace(0, 38.3, 120), [38.4, 50.0, 300.0]])
    ours = indices._fold_normal_mle(theta)
    ours = np.where(theta > indices._SEGREGATION_THETA_LIMIT, 0.0, ours)
    ref = np.array([_return_optimal_theta(th) for th in theta])
    normal = theta < 38.3
    np.testing.assert_allclose(ours[normal], ref[normal], atol=1e-5)
    # past the underflow it stops next to its start, 0 (within its initial simplex)
    np.testing.assert_allclose(ours[~normal], ref[~normal], atol=1e-3)


# --- simulated corrections: exact on the RNG-free part, statistical overall --------------


def test_modified_dissimilarity_rng_free_part_matches_segregation(city):
    """segregation's class ignores ``seed``: it draws one seed from numpy's global state
    and reseeds every iteration with it, so its D-bar is the D of one legacy draw."""
    df = city[["social", "dwellings"]].dropna()
    group, total = df["social"].to_numpy(), df["dwellings"].to_numpy()
    p_null = group.astype(int).sum() / total.astype(int).sum()
    np.random.seed(SEED)
    np.random.seed(np.random.randint(0, 10e6))
    sim = np.random.binomial(total.astype(int), p_null).astype(float)
    D, D_bar = indices.dissimilarity(group, total), indices.dissimilarity(sim, total)
    ours = float(_correct_towards_null(np.array(D), np.array(D_bar)))
    np.random.seed(SEED)
    ref = _oracle(sg.ModifiedDissim, group, total, iterations=2, n_jobs=1)
    np.testing.assert_allclose(ours, ref, rtol=RTOL)


def test_modified_dissimilarity_agrees_statistically(city):
    group, total = city["social"].to_numpy(), city["dwellings"].to_numpy()
    np.random.seed(SEED)  # segregation draws its seed from the global state
    refs = np.array(
        [_oracle(sg.ModifiedDissim, group, total, iterations=2, n_jobs=1) for _ in range(30)]
    )
    ours = indices.modified_dissimilarity(group, total, iterations=500, seed=SEED)
    tol = 5.0 * refs.std(ddof=1) * np.sqrt(1 / refs.size + 1 / 500)
    assert abs(ours - refs.mean()) < tol
    assert ours < indices.dissimilarity(group, total)


def test_bias_corrected_rng_free_part_matches_segregation(city):
    df = city[["nonwestern", "population"]].dropna()
    group, total = df["nonwestern"].to_numpy(), df["population"].to_numpy()
    rest = total - group
    draws = 40
    np.random.seed(SEED)
    ref = _oracle(sg.BiasCorrectedDissim, group, total, B=draws)
    np.random.seed(SEED)  # the same legacy stream segregation drew from
    sim_g = np.random.multinomial(group.sum(), group / group.sum(), size=draws)
    sim_r = np.random.multinomial(rest.sum(), rest / rest.sum(), size=draws)
    D_bar = _dissim_of_draws(sim_g.astype(float), sim_r.astype(float)).mean()
    ours = 2 * indices.dissimilarity(group, total) - D_bar
    np.testing.assert_allclose(ours, ref, rtol=RTOL)


def test_bias_corrected_agrees_statistically(city):
    group, total = city["social"].to_numpy(), city["dwellings"].to_numpy()
    df = city[["social", "dwellings"]].dropna()
    g, t = df["social"].to_numpy(), df["dwellings"].to_numpy()
    rng = np.random.default_rng(SEED)
    sims = _dissim_of_draws(
        rng.multinomial(int(g.sum()), g / g.sum(), size=500).astype(float),
        rng.multinomial(int((t - g).sum()), (t - g) / (t - g).sum(), size=500).astype(float),
    )
    se = sims.std(ddof=1) / np.sqrt(500)
    np.random.seed(SEED)
    ref = _oracle(sg.BiasCorrectedDissim, group, total, B=500)
    ours = indices.bias_corrected_dissimilarity(group, total, draws=500, seed=SEED)
    assert abs(ours - ref) < 5.0 * np.sqrt(2.0) * se
    assert ours < indices.dissimilarity(group, total)


# --- multigroup ---------------------------------------------------------------------------

MULTI = {
    "multigroup_dissimilarity": smg.MultiDissim,
    "multigroup_gini": smg.MultiGini,
    "normalized_exposure": smg.MultiNormExposure,
    "information_theory": smg.MultiInfoTheory,
    "mutual_information": smg.MultiDivergence,
    "relative_diversity": smg.MultiRelativeDiversity,
    "squared_coefficient_of_variation": smg.MultiSquaredCoefVar,
    "diversity": smg.MultiDiversity,
    "simpsons_concentration": smg.SimpsonsConcentration,
    "simpsons_interaction": smg.SimpsonsInteraction,
}
MULTI_COLUMNS = ["western", "nonwestern", "rest"]


def _multi_oracle(cls, counts):
    df = pd.DataFrame(counts, columns=["a", "b", "c"][: counts.shape[1]]).dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return cls(df, groups=list(df.columns)).statistic


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multigroup_real_data_matches_segregation(city, name):
    counts = city[MULTI_COLUMNS].to_numpy()
    ours = getattr(multigroup, name)(counts)
    assert np.isfinite(ours)
    np.testing.assert_allclose(ours, _multi_oracle(MULTI[name], counts), rtol=RTOL)


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multigroup_random_data_matches_segregation(name):
    rng = np.random.default_rng(SEED)
    counts = rng.integers(0, 500, size=(200, 3)).astype(float)
    counts[:2] = 0.0  # empty units
    counts[5, 1] = np.nan  # unknown count: excluded here, dropped for segregation
    ours = getattr(multigroup, name)(counts)
    np.testing.assert_allclose(ours, _multi_oracle(MULTI[name], counts), rtol=RTOL)


def test_multigroup_batch_over_both_cities_matches_segregation(both_cities):
    counts = both_cities[MULTI_COLUMNS].to_numpy()
    for name, cls in MULTI.items():
        got = getattr(multigroup, name)(counts, groups=both_cities["city"])
        want = [
            _multi_oracle(cls, counts[(both_cities.city == c).to_numpy()]) for c in sorted(FILES)
        ]
        np.testing.assert_allclose(got, want, rtol=RTOL, err_msg=name)


def test_mutual_information_decomposition_buurten_in_wijken(city):
    counts = city[MULTI_COLUMNS].to_numpy()
    d = multigroup.mutual_information_decomposition(counts, city["wijk"])
    np.testing.assert_allclose(d.total, d.between + d.within, rtol=1e-12)
    np.testing.assert_allclose(d.total, _multi_oracle(smg.MultiDivergence, counts), rtol=RTOL)
    wijk_counts = city.groupby("wijk")[MULTI_COLUMNS].sum().to_numpy()
    np.testing.assert_allclose(
        d.between, _multi_oracle(smg.MultiDivergence, wijk_counts), rtol=RTOL
    )
    assert 0 < d.between < d.total


@pytest.fixture(scope="module")
def rotterdam_2017(cbs_dir) -> pd.DataFrame:
    """Rotterdam 2017 (StatLine web export) via the project's reader; both sides get the
    same arrays, so this compares the kernels, on a third city and another CBS format."""
    import warnings as _warnings

    from mixing.io.cbs import read_units

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # 14 hidden corporation shares are expected
        units = read_units(table=cbs_dir / "kwb_statline_rotterdam_2014_2018"
                           / "Kerncijfers_wijken_en_buurten_2017.csv")
    out = pd.DataFrame({"social": units["dwellings_social"], "dwellings": units["dwellings"],
                        "nonwestern": units["population_migration_nonwestern"],
                        "population": units["population"]})
    assert len(out) == 92
    return out


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p[0])
@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_rotterdam_2017_matches_segregation(rotterdam_2017, pair, name):
    cls, kwargs = DETERMINISTIC[name]
    known = rotterdam_2017[[*pair]].notna().all(axis=1)  # segregation has no NaN rule
    group = rotterdam_2017.loc[known, pair[0]].to_numpy()
    total = rotterdam_2017.loc[known, pair[1]].to_numpy()
    ours = getattr(indices, name)(rotterdam_2017[pair[0]].to_numpy(),
                                  rotterdam_2017[pair[1]].to_numpy())
    assert np.isfinite(ours)
    np.testing.assert_allclose(ours, _oracle(cls, group, total, **kwargs), rtol=RTOL)
