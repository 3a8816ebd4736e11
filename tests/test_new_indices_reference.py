# ruff: noqa: NPY002  -- legacy np.random on purpose: it replays segregation's own draws
"""Modified Gini and distortion indices vs PySAL segregation, plus known answers.

Real data: Den Haag 2019 buurten read with :func:`mixing.io.cbs.read_units`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import MIGRATION_COLUMNS, SEED

from mixing.kernels import aspatial
from mixing.kernels.local import global_distortion, local_distortion
from mixing.kernels.modified_gini import gini_of_draws, modified_gini
from mixing.kernels.mutual import mutual_local

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import segregation.singlegroup as sg
    from segregation.local import LocalDistortion
    from segregation.multigroup import GlobalDistortion

RTOL = 1e-9
COLS = MIGRATION_COLUMNS


@pytest.fixture(scope="module")
def social(den_haag_2019):
    df = den_haag_2019[["dwellings_social", "dwellings"]].dropna()
    return df[df["dwellings"] > 0].reset_index(drop=True)



# ----------------------------------------------------------------------------- modified Gini
def test_modified_gini_rng_free_part_matches_segregation(social):
    """segregation's class draws one seed from numpy's global state and reseeds every
    iteration with it: its G-bar is the Gini of one legacy draw, replayed here."""
    g, t = social["dwellings_social"].to_numpy(), social["dwellings"].to_numpy()
    p_null = g.sum() / t.astype(int).sum()
    np.random.seed(SEED)
    np.random.seed(np.random.randint(0, 10e6))
    sim = np.random.binomial(n=np.array([t.astype(int).tolist()]),
                             p=np.array([[p_null] * t.size]), size=(1, t.size))
    ours = modified_gini(g, t, draws=sim)
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sg.ModifiedGini(pd.DataFrame({"g": g, "t": t}), "g", "t", iterations=2,
                              n_jobs=1).statistic
    np.testing.assert_allclose(ours, ref, rtol=RTOL)


def test_modified_gini_agrees_statistically(social):
    g, t = social["dwellings_social"].to_numpy(), social["dwellings"].to_numpy()
    np.random.seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refs = np.array([sg.ModifiedGini(pd.DataFrame({"g": g, "t": t}), "g", "t",
                                         iterations=2, n_jobs=1).statistic
                         for _ in range(20)])
    ours = modified_gini(g, t, iterations=500, seed=SEED)
    tol = 5.0 * refs.std(ddof=1) * np.sqrt(1 / refs.size + 1 / 500)
    assert abs(ours - refs.mean()) < tol
    assert ours < aspatial.gini(g, t)


def test_gini_of_draws_equals_gini_row_by_row(social):
    t = social["dwellings"].to_numpy()
    rng = np.random.default_rng(SEED)
    sim = rng.binomial(t.astype(int), 0.3, size=(7, t.size)).astype(float)
    rows = [aspatial.gini(s, t) for s in sim]
    np.testing.assert_allclose(gini_of_draws(sim, t)[:, 0], rows, rtol=1e-12)


def test_modified_gini_known_answers_and_batch():
    # complete segregation: G = 1 >= G-bar -> (1 - G-bar) / (1 - G-bar) = 1
    assert modified_gini([100, 0], [100, 100], seed=1) == 1.0
    # with given draws the formula is checkable by hand
    g, t = np.array([2.0, 8.0]), np.array([10.0, 10.0])
    draws = np.array([[5.0, 5.0], [4.0, 6.0]])  # Gini 0 and 0.2 / (2 * .25) ... by kernel
    G = aspatial.gini(g, t)
    G_bar = np.mean([aspatial.gini(d, t) for d in draws])
    assert modified_gini(g, t, draws=draws) == pytest.approx((G - G_bar) / (1 - G_bar))
    ids = np.array(["a", "a", "a", "b", "b", "b"])
    gg, tt = np.array([1.0, 5, 9, 2, 2, 6]), np.array([10.0, 10, 10, 10, 10, 10])
    both = modified_gini(gg, tt, groups=ids, iterations=50, seed=SEED)
    one = modified_gini(gg[3:], tt[3:], groups=ids[3:], iterations=50, seed=SEED)
    assert both[1] == one[0]


# ----------------------------------------------------------------------------- distortion
def _centroids(df):
    c = df.geometry.centroid
    return np.column_stack([c.x, c.y])


def test_global_distortion_matches_segregation(den_haag_migration):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = GlobalDistortion(den_haag_migration, COLS).statistic
    ours = global_distortion(den_haag_migration[COLS].to_numpy(),
                             centroids=_centroids(den_haag_migration))
    np.testing.assert_allclose(ours, ref, rtol=RTOL)


def test_local_distortion_matches_segregation(den_haag_migration):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = LocalDistortion(den_haag_migration, COLS).statistics
    ours = local_distortion(den_haag_migration[COLS].to_numpy(),
                            centroids=_centroids(den_haag_migration))
    np.testing.assert_allclose(ours, np.asarray(ref, dtype=float), rtol=RTOL)


def test_distortion_known_answers():
    # three units on a line; the city mix is (1/2, 1/2)
    counts = np.array([[10.0, 0], [0, 10], [5, 5]])
    xy = np.array([[0.0, 0], [1, 0], [3, 0]])
    delta = local_distortion(counts, centroids=xy)
    # unit 0: steps {0}: (1, 0) -> ln 2; {0, 1}: (.5, .5) -> 0; all -> 0
    # unit 2: {2} -> 0; {2, 1}: (1/4, 3/4) -> KL; all -> 0
    kl = 0.25 * np.log(0.5) + 0.75 * np.log(1.5)
    np.testing.assert_allclose(delta, [np.log(2), np.log(2), kl], rtol=1e-14)
    assert global_distortion(counts, centroids=xy) == pytest.approx(
        (10 * np.log(2) * 2 + 10 * kl) / 30, rel=1e-14)
    # the first step is the local M score
    first = local_distortion(counts, distances=np.full((3, 3), 1.0) - np.eye(3))
    assert (first >= mutual_local(counts).unit_ls - 1e-15).all()
    even = np.array([[5.0, 5], [3, 3]])
    assert global_distortion(even, centroids=[[0, 0], [1, 1]]) == 0.0


def test_distortion_batch_and_excluded_units():
    counts = np.array([[10.0, 0], [0, 10], [0, 0], [5, 5], [1, 9]])
    xy = np.array([[0.0, 0], [1, 0], [2, 0], [0, 5], [0, 6]])
    ids = np.array(["a", "a", "a", "b", "b"])
    both = global_distortion(counts, centroids=xy, groups=ids)
    assert both[0] == pytest.approx(np.log(2), rel=1e-14)
    assert both[1] == pytest.approx(global_distortion(counts[3:], centroids=xy[3:]), rel=1e-15)
    assert np.isnan(local_distortion(counts, centroids=xy, groups=ids, empty="nan")[2])
