"""index_table: one vectorised call for many municipalities equals one call per municipality."""

import numpy as np
import pandas as pd
import pytest

from mixing.errors import InputError
from mixing.kernels import aspatial as indices
from mixing.kernels import multigroup
from mixing.tables.frames import INDEX_COLUMNS, index_table, local_index_table

DETERMINISTIC = ("dissimilarity", "gini", "entropy", "isolation", "exposure",
                 "correlation_ratio", "atkinson", "con_prof", "min_max")


def _stacked(seed):
    rng = np.random.default_rng(seed)
    frames = []
    for code, n in (("GM0001", 12), ("GM0002", 30), ("GM0003", 7)):
        dwellings = rng.integers(0, 2000, n).astype(float)
        social = np.floor(dwellings * rng.uniform(0, 1, n))
        private = np.floor((dwellings - social) * rng.uniform(0, 1, n))
        frames.append(pd.DataFrame({
            "municipality_code": code, "year": 2019, "level": "buurt",
            "unit_code": [f"BU{code[2:]}{i:04d}" for i in range(n)],
            "unit_name": [f"Buurt {i}" for i in range(n)],
            "dwellings": dwellings, "dwellings_social": social,
            "dwellings_private_rent": private,
            "dwellings_owner_occupied": dwellings - social - private,
            "households": dwellings, "households_low_income": np.nan,
        }))
    units = pd.concat(frames, ignore_index=True)
    units.loc[3, "dwellings_social"] = np.nan  # a hidden value
    units.loc[5, ["dwellings", "dwellings_social", "dwellings_private_rent",
                  "dwellings_owner_occupied", "households"]] = 0.0  # an uninhabited unit
    return units


def test_batch_equals_one_call_per_municipality(seed):
    units = _stacked(seed)
    table = index_table(units, indices=DETERMINISTIC + ("mutual_information",),
                        permutations=99, replicates=99, seed=seed)
    assert list(table.columns) == INDEX_COLUMNS
    # low_income is all NaN here, so only the tenure dimensions are computed by default
    assert set(table["dimension"]) == {"social_housing", "tenure"}
    for (code, dim, index), row in table.set_index(
            ["municipality_code", "dimension", "index"]).iterrows():
        part = units[units["municipality_code"] == code]
        if dim == "tenure":
            counts = part[["dwellings_social", "dwellings_private_rent",
                           "dwellings_owner_occupied"]].to_numpy()
            assert row["value"] == pytest.approx(multigroup.mutual_information(counts),
                                                 rel=1e-12)
            continue
        expected = getattr(indices, index)(part["dwellings_social"].to_numpy(),
                                           part["dwellings"].to_numpy())
        assert row["value"] == pytest.approx(expected, rel=1e-12)
        known = part["dwellings_social"].notna() & (part["dwellings"] > 0)
        assert row["n_units"] == known.sum()


def test_inference_columns_are_filled_for_the_headline_indices(seed):
    units = _stacked(seed)
    table = index_table(units, dimensions=("social_housing",), indices=DETERMINISTIC,
                        permutations=99, replicates=99, seed=seed)
    d = table[table["index"] == "dissimilarity"]
    assert d["p_value"].between(0.01, 1).all()  # +1 corrected: never 0
    assert (d["ci_low"] <= d["value"]).all() and (d["value"] <= d["ci_high"]).all()
    assert (d["expected_under_null"] > 0).all()  # small-unit bias of D under random allocation
    assert table[table["index"] == "min_max"]["p_value"].isna().all()
    # a municipality's draws depend on its own label only: alone == in the batch
    alone = index_table(units[units["municipality_code"] == "GM0002"],
                        dimensions=("social_housing",), indices=("dissimilarity",),
                        permutations=99, replicates=99, seed=seed)
    in_batch = d[d["municipality_code"] == "GM0002"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, in_batch)


def test_local_contributions_sum_to_d(seed):
    units = _stacked(seed)
    table = local_index_table(units, dimensions=("social_housing", "tenure"))
    contributions = table[table["index"] == "dissimilarity_contribution"]
    total = contributions.groupby("municipality_code")["value"].sum()
    for code, value in total.items():
        part = units[units["municipality_code"] == code]
        assert value == pytest.approx(indices.dissimilarity(
            part["dwellings_social"].to_numpy(), part["dwellings"].to_numpy()), rel=1e-12)
    entropy = table[table["index"] == "local_entropy"]
    assert entropy["value"].dropna().between(0, 1).all()
    empty = units["dwellings"].to_numpy() == 0
    assert empty.any()
    assert np.isnan(entropy["value"].to_numpy()[empty]).all()  # corrected: unknown, not 0


def test_unknown_names_list_the_valid_ones(seed):
    with pytest.raises(InputError, match=r"unknown dimensions \['tenure2'\]. Fix: use some "
                                         r"of \[.*'tenure'"):
        index_table(_stacked(seed), dimensions=("tenure2",))
    with pytest.raises(InputError, match=r"unknown indices \['dissim'\]. Fix: use some of "
                                         r"\[.*'dissimilarity'"):
        index_table(_stacked(seed), indices=("dissim",))


def test_simulated_indices_do_not_depend_on_the_batch(seed):
    units = _stacked(seed)
    names = ("modified_dissimilarity", "bias_corrected_dissimilarity")
    batch = index_table(units, dimensions=("social_housing",), indices=names, seed=seed)
    alone = index_table(units[units["municipality_code"] == "GM0003"],
                        dimensions=("social_housing",), indices=names, seed=seed)
    pd.testing.assert_frame_equal(
        batch[batch["municipality_code"] == "GM0003"].reset_index(drop=True), alone)
