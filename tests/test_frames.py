"""index_table: one vectorised call for many municipalities equals one call per municipality."""

import numpy as np
import pandas as pd
import pytest

from mixing import indices
from mixing.frames import INDEX_COLUMNS, index_table


def _stacked(seed):
    rng = np.random.default_rng(seed)
    frames = []
    for code, n in (("GM0001", 12), ("GM0002", 30), ("GM0003", 7)):
        dwellings = rng.integers(0, 2000, n).astype(float)
        frames.append(pd.DataFrame({
            "municipality_code": code, "year": 2019, "level": "buurt",
            "unit_code": [f"BU{code[2:]}{i:04d}" for i in range(n)],
            "dwellings": dwellings,
            "dwellings_social": np.floor(dwellings * rng.uniform(0, 1, n)),
            "households": dwellings, "households_low_income": np.nan,
        }))
    units = pd.concat(frames, ignore_index=True)
    units.loc[3, "dwellings_social"] = np.nan  # a hidden value
    return units


def test_batch_equals_one_call_per_municipality(seed):
    units = _stacked(seed)
    table = index_table(units)
    assert list(table.columns) == INDEX_COLUMNS
    # low_income is all NaN here, so only social_housing is computed by default
    assert set(table["dimension"]) == {"social_housing"}
    for (code, index), row in table.set_index(["municipality_code", "index"]).iterrows():
        part = units[units["municipality_code"] == code]
        known = part["dwellings_social"].notna() & (part["dwellings"] > 0)
        expected = getattr(indices, index)(part["dwellings_social"].to_numpy(),
                                           part["dwellings"].to_numpy())
        assert row["value"] == pytest.approx(expected, rel=1e-12)
        assert row["n_units"] == known.sum()


def test_unknown_names_list_the_valid_ones(seed):
    with pytest.raises(ValueError, match=r"unknown dimensions \['tenure2'\]; valid: \["):
        index_table(_stacked(seed), dimensions=("tenure2",))
    with pytest.raises(ValueError, match=r"unknown indices \['dissim'\]; valid: \["):
        index_table(_stacked(seed), indices=("dissim",))
