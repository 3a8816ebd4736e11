"""Several indices on one set of replicates, and municipalities of very different sizes.

:func:`mixing.kernels.inference.single_value_tests` / :func:`bootstrap_cis` draw once and
evaluate every index on the same draws; each result must equal the one-index call bit for
bit (the index table relies on it: ``tests/expected`` did not change). Kernel calls are
split by municipality size; a batch must still equal each municipality alone.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEED

from mixing.errors import InputError
from mixing.kernels import inference as inf
from mixing.kernels.grouping import make_batch

INDICES = ["dissimilarity", "gini", "entropy", "isolation", "exposure"]
ALTERNATIVES = ["greater", "greater", "greater", "greater", "less"]


def _uneven(seed=SEED, sizes=(1, 2, 5, 9, 40, 300)):
    """Municipalities of 1 to 300 units, interleaved (as a stacked units table is not)."""
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"GM{i:04d}" for i in range(len(sizes))], sizes)
    total = rng.integers(5, 3000, ids.size).astype(float)
    group = np.round(total * rng.beta(1.5, 4, ids.size))
    order = rng.permutation(ids.size)
    return group[order], total[order], ids[order]


@pytest.mark.parametrize("null", inf.NULLS)
def test_many_indices_equal_one_index_calls_bit_for_bit(null):
    group, total, ids = _uneven()
    together = inf.single_value_tests(INDICES, group, total, groups=ids, null=null,
                                      permutations=60, alternative=ALTERNATIVES, seed=SEED)
    assert [r.index for r in together] == INDICES
    for name, alternative, res in zip(INDICES, ALTERNATIVES, together, strict=True):
        alone = inf.single_value_test(name, group, total, groups=ids, null=null,
                                      permutations=60, alternative=alternative, seed=SEED)
        assert res.alternative == alternative
        for field in ("value", "expected_under_null", "null_sd", "p_value", "n_valid",
                      "simulated"):
            np.testing.assert_array_equal(getattr(res, field), getattr(alone, field))


def test_many_bootstraps_equal_one_index_calls_bit_for_bit():
    group, total, ids = _uneven()
    together = inf.bootstrap_cis(INDICES, group, total, groups=ids, replicates=60, seed=SEED)
    for name, res in zip(INDICES, together, strict=True):
        alone = inf.bootstrap_ci(name, group, total, groups=ids, replicates=60, seed=SEED)
        for field in ("value", "ci_low", "ci_high", "sd", "mean", "n_valid", "simulated"):
            np.testing.assert_array_equal(getattr(res, field), getattr(alone, field))
    # real numbers: the interval of the 300-unit municipality holds its observed D
    d = together[0]
    big = list(d.labels).index("GM0005")
    assert d.ci_low[big] < d.value[big] < d.ci_high[big]
    assert d.ci_high[big] - d.ci_low[big] < 0.05  # 300 units of thousands: a tight interval


@pytest.mark.parametrize("index", ["gini", "dissimilarity"])
@pytest.mark.parametrize("null", ["systematic", "bootstrap"])
def test_uneven_batch_equals_each_municipality_alone(index, null, monkeypatch):
    """1 to 300 units in one call (several size classes) == each municipality alone."""
    group, total, ids = _uneven()
    if null == "bootstrap":
        def run(*a, **k):
            return inf.bootstrap_ci(index, *a, replicates=30, **k)
    else:
        def run(*a, **k):
            return inf.single_value_test(index, *a, null=null, permutations=30, **k)
    batch = run(group, total, groups=ids, seed=SEED)
    assert len(inf._layout(np.ones(ids.size, bool), make_batch(ids, ids.size)).classes) == 6
    monkeypatch.setattr(inf, "CHUNK_UNITS", 97)  # and chunking does not matter either
    for g, label in enumerate(batch.labels):
        mask = ids == label
        alone = run(group[mask], total[mask], groups=ids[mask], seed=SEED)
        np.testing.assert_array_equal(batch.simulated[:, g], alone.simulated[:, 0])


def test_many_indices_bad_arguments():
    group, total, ids = _uneven()
    with pytest.raises(InputError, match="2 entries for 5 indices"):
        inf.single_value_tests(INDICES, group, total, groups=ids, seed=SEED,
                               alternative=["greater", "less"])
    with pytest.raises(InputError, match="`indices` is empty"):
        inf.bootstrap_cis([], group, total, seed=SEED)
    with pytest.raises(InputError, match="not a two-group index"):
        inf.single_value_tests(["dissimilarity", "moran"], group, total, seed=SEED)
