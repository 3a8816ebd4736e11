"""Region indices and the between/within-municipality decomposition of M and H."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mixing.errors import InputError
from mixing.io.cbs import read_units
from mixing.kernels.multigroup import diversity, mutual_information
from mixing.tables.regions import composition, region_indices

NL_2024 = "kwb_statline_nl_2024_bevolking_herkomst/Kerncijfers_wijken_en_buurten_2024_{}.csv"
ORIGIN = ["population_origin_dutch", "population_origin_europe",
          "population_origin_outside_europe"]


@pytest.fixture(scope="module")
def nl_2024(cbs_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(table=[cbs_dir / NL_2024.format("geslachten"),
                                 cbs_dir / NL_2024.format("11122025_141648")], year=2024)


def _toy():
    # two municipalities of two buurten each, two groups
    return pd.DataFrame({
        "municipality_code": ["GM0001", "GM0001", "GM0002", "GM0002"],
        "population": [100.0, 100.0, 200.0, 200.0],
        "population_origin_dutch": [90.0, 10.0, 100.0, 100.0],
        "population_origin_europe": [10.0, 90.0, 100.0, 100.0],
        "population_origin_outside_europe": [0.0, 0.0, 0.0, 0.0],
    })


def test_toy_decomposition_by_hand():
    res = region_indices(_toy(), {"r": ["GM0001", "GM0002"]}, indices=("mutual_information",))
    d = res.decomposition.set_index("component")
    # region shares: dutch 300/600, europe 300/600 -> between = 0 (both municipalities 50/50)
    assert d.at["between", "M"] == pytest.approx(0.0, abs=1e-15)
    # within GM0001: each buurt 0.9/0.1 vs 0.5/0.5: 0.9 ln 1.8 + 0.1 ln 0.2; weight 200/600
    m1 = 0.9 * np.log(1.8) + 0.1 * np.log(0.2)
    assert d.at["within", "M"] == pytest.approx(m1 / 3, rel=1e-12)
    assert d.at["total", "M"] == pytest.approx(m1 / 3, rel=1e-12)
    assert d.at["total", "H"] == pytest.approx(m1 / 3 / np.log(2), rel=1e-12)
    m = res.municipalities.set_index("municipality_code")
    assert m.at["GM0001", "M"] == pytest.approx(m1) and m.at["GM0002", "M"] == 0
    np.testing.assert_allclose(m.population_share, [1 / 3, 2 / 3])


def test_composition_rest_is_clipped():
    u = pd.DataFrame({"population": [100.0, 10.0], "population_migration_western": [10.0, 6.0],
                      "population_migration_nonwestern": [30.0, 5.0]})
    np.testing.assert_array_equal(composition(u, "migration_background"), [[10, 30, 60], [6, 5, 0]])
    with pytest.raises(InputError, match=r"lack the columns \['population_origin_dutch'"):
        composition(u, "origin")


def test_errors_name_the_region(nl_2024):
    with pytest.raises(InputError, match=r"region 'x': municipalities \['GM9999'\]"):
        region_indices(nl_2024, {"x": ["GM0518", "GM9999"]})
    two_years = pd.concat([_toy().assign(year=2023), _toy().assign(year=2024)])
    with pytest.raises(InputError, match="mix several values of year"):
        region_indices(two_years, {"r": ["GM0001"]})


def test_den_haag_rotterdam_2024(nl_2024):
    regions = {"Zuidvleugel": ["GM0518", "GM0599"], "Den Haag": ["GM0518"],
               "G4": ["GM0518", "GM0599", "GM0363", "GM0344"]}
    res = region_indices(nl_2024, regions, dimensions=("origin_outside_europe",))
    d = res.decomposition.set_index(["region", "component"])
    # the decomposition adds up, for M and for H
    for region in regions:
        for measure in ("M", "H"):
            assert d.at[(region, "between"), measure] + d.at[(region, "within"), measure] == \
                pytest.approx(d.at[(region, "total"), measure], rel=1e-12)
    # a region of one municipality: nothing between, everything within
    assert d.at[("Den Haag", "between"), "M"] == pytest.approx(0.0, abs=1e-15)
    assert d.at[("Den Haag", "within"), "share"] == pytest.approx(1.0)
    # real values (CBS 2024, origin: NL / Europe / outside Europe)
    assert d.at[("Zuidvleugel", "total"), "M"] == pytest.approx(0.088502, abs=5e-7)
    assert d.at[("Zuidvleugel", "between"), "M"] == pytest.approx(0.002377, abs=5e-7)
    assert d.at[("Zuidvleugel", "within"), "share"] == pytest.approx(0.973146, abs=5e-7)
    assert d.at[("G4", "between"), "share"] == pytest.approx(0.112507, abs=5e-7)
    assert d.at[("Den Haag", "total"), "M"] == pytest.approx(0.109351, abs=5e-7)
    # total and between agree with the kernel on the stacked / pooled counts
    both = nl_2024[nl_2024.municipality_code.isin(regions["Zuidvleugel"])]
    counts = both[ORIGIN].to_numpy()
    assert d.at[("Zuidvleugel", "total"), "M"] == pytest.approx(mutual_information(counts))
    pooled = both.groupby("municipality_code")[ORIGIN].sum().to_numpy()
    assert d.at[("Zuidvleugel", "between"), "M"] == pytest.approx(mutual_information(pooled))
    assert d.at[("Zuidvleugel", "total"), "H"] == pytest.approx(
        mutual_information(counts) / diversity(counts))
    # per-municipality contributions add up to within; Den Haag is more segregated inside
    m = res.municipalities
    zv = m[m.region == "Zuidvleugel"].set_index("municipality_code")
    assert zv.contribution_M.sum() == pytest.approx(d.at[("Zuidvleugel", "within"), "M"])
    assert zv.share_of_within.sum() == pytest.approx(1.0)
    assert zv.at["GM0518", "M"] == pytest.approx(0.109351, abs=5e-7)
    assert zv.at["GM0599", "M"] == pytest.approx(0.066513, abs=5e-7)
    assert zv.at["GM0518", "population"] == 566_220  # buurten with all three counts
    g4 = m[m.region == "G4"]
    assert g4.contribution_M.sum() == pytest.approx(d.at[("G4", "within"), "M"])
    # the region's indices: multigroup and two-group, one row per (region, index)
    idx = res.indices.set_index(["region", "dimension", "index"]).value
    assert idx[("Zuidvleugel", "origin", "mutual_information")] == pytest.approx(0.088502,
                                                                                  abs=5e-7)
    assert idx[("Zuidvleugel", "origin_outside_europe", "dissimilarity")] == pytest.approx(
        0.282949, abs=5e-7)
    assert idx[("Den Haag", "origin_outside_europe", "dissimilarity")] == pytest.approx(
        0.330372, abs=5e-7)
