"""Autocorrelation tables: shape, consistency with the kernels, municipalities without geometry."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mixing.geometry.weights import block_diagonal
from mixing.io.demo import make_demo_city
from mixing.kernels.aspatial import dissimilarity
from mixing.tables.clusters import (
    GLOBAL_COLUMNS,
    LOCAL_COLUMNS,
    autocorrelation_tables,
    unit_weights,
)
from mixing.tables.frames import index_table


@pytest.fixture(scope="module")
def demo():
    return make_demo_city()


def test_tables_have_the_documented_columns_and_values(demo, seed):
    with pytest.warns(UserWarning, match="dropped 6 of 135 units with unknown social_housing"):
        global_table, local_table = autocorrelation_tables(demo, permutations=99, seed=seed,
                                                           variables=("social_housing",))
    assert list(global_table.columns) == GLOBAL_COLUMNS
    assert list(local_table.columns) == LOCAL_COLUMNS
    moran = global_table.set_index("statistic").loc["moran_i"]
    assert moran["value"] > 0.3 and moran["p_value"] == pytest.approx(0.01)  # (0 + 1) / 100
    assert moran["n_units"] == 129  # 6 water/uninhabited units have no share
    social = local_table[local_table["variable"] == "social_housing"]
    assert len(social) == 135 and (social["quadrant"] == "unknown").sum() == 6
    assert social["d_contribution"].sum() == pytest.approx(
        dissimilarity(demo["dwellings_social"].to_numpy(), demo["dwellings"].to_numpy()))
    high = social["value"] >= 0.7
    assert (social.loc[high, "concentration_class"] == ">=70%").all()


def test_a_municipality_without_geometry_is_skipped_not_fatal(demo, seed):
    lost = demo.assign(municipality_code="GM0001", geometry=None)
    both = gpd.GeoDataFrame(pd.concat([demo, lost], ignore_index=True), geometry="geometry",
                            crs=demo.crs)
    assert unit_weights(lost).n == 0
    weights = block_diagonal([unit_weights(demo)])
    global_table, _ = autocorrelation_tables(both, weights=weights, permutations=19, seed=seed,
                                             variables=("social_housing",))
    assert set(global_table["municipality_code"]) == {"DEMO01"}
    table = index_table(both, dimensions=("social_housing",),
                        indices=("dissimilarity", "spatial_dissimilarity"), inference_indices=())
    value = table.set_index(["municipality_code", "index"])["value"]
    assert np.isnan(value[("GM0001", "spatial_dissimilarity")])
    assert value[("GM0001", "dissimilarity")] == value[("DEMO01", "dissimilarity")]
