"""Acceptance tests: every real CBS file in ../shared/data/cbs reads into the canonical table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mixing.io.cbs import MissingGeometryWarning, read_units
from mixing.io.missing import HiddenValuesWarning
from mixing.io.readers.geo import CRSAssumedWarning, read_geometry
from mixing.schema import CANONICAL_COLUMNS, CRS

ODATA = "kwb_odata_denhaag_amsterdam_utrecht/data/"
DEN_HAAG_2019 = ODATA + "marginal_distributions_TheHague_2019_84583NED.csv"
AMSTERDAM_2019 = ODATA + "ams_2019/marginal_distributions_84583NED.csv"
ROTTERDAM = "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_{}.csv"
AMSTERDAM_2017 = "kwb_statline_amsterdam_2017/Kerncijfers_wijken_en_buurten_2017.csv"
NL_2024 = "kwb_statline_nl_2024_bevolking_herkomst/Kerncijfers_wijken_en_buurten_2024_{}.csv"


@pytest.fixture(scope="module")
def nl_buurten(cbs_dir):
    """The national 2019 buurt TopoJSON, read once (lon/lat without CRS -> RD)."""
    with pytest.warns(CRSAssumedWarning, match="no CRS recorded.*EPSG:4326"):
        return read_geometry(cbs_dir / "buurt_2019_nl_topojson/buurten.json")


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


def _odata_raw(path) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig")
    raw = raw.apply(lambda col: col.str.strip())
    return raw[raw["Codering_3"].str.startswith("BU")]


def _assert_canonical(units, n):
    assert list(units.columns) == list(CANONICAL_COLUMNS)
    assert len(units) == n
    assert units.crs.equals(CRS)
    present = units.geometry.notna()
    assert units.geometry[present].is_valid.all()
    assert set(units.geometry[present].geom_type) <= {"Polygon", "MultiPolygon"}


def test_den_haag_2019(cbs_dir, nl_buurten):
    with pytest.warns(HiddenValuesWarning, match=r"InBezitWoningcorporatie_42'.*5 of 114"):
        units = read_units(nl_buurten, cbs_dir / DEN_HAAG_2019, year=2019)
    _assert_canonical(units, 114)
    assert units.population.sum() == pytest.approx(537_833, rel=0.005)
    raw = _odata_raw(cbs_dir / DEN_HAAG_2019)
    share = pd.to_numeric(raw["InBezitWoningcorporatie_42"], errors="coerce")
    stock = pd.to_numeric(raw["Woningvoorraad_34"], errors="coerce")
    assert units.dwellings_social.sum() == pytest.approx((share / 100 * stock).sum(), rel=0.01)
    assert units.geometry.notna().all()
    area_km2 = units.area.sum() / 1e6
    assert 75 < area_km2 < 100  # 's-Gravenhage: ~82 km² land + beach/water in buurten
    assert (units.municipality_code == "GM0518").all()
    assert (units.municipality_name == "'s-Gravenhage").all()
    assert units.wijk_code.str.match(r"^WK0518\d\d$").all()
    assert (units.unit_name == units.unit_code).all()  # OData has no buurt names
    assert units.loc[units.unit_code == "BU05180170", "population"].item() == 0
    empty = (units.population.fillna(0) == 0) & (units.dwellings.fillna(0) == 0)
    # the flag is a column; units.is_empty would be the geometry property
    assert (units["is_uninhabited"] == empty).all() and not units["is_water"].any()


def test_amsterdam_2019_warns_70_hidden_shares(cbs_dir, nl_buurten):
    with pytest.warns(HiddenValuesWarning, match=r"InBezitWoningcorporatie_42'.*70 of 479"):
        units = read_units(nl_buurten, cbs_dir / AMSTERDAM_2019, year=2019)
    _assert_canonical(units, 479)
    assert units.population.sum() == pytest.approx(862_965, rel=0.005)
    raw = _odata_raw(cbs_dir / AMSTERDAM_2019)
    expected = (pd.to_numeric(raw["InBezitWoningcorporatie_42"], errors="coerce") / 100
                * pd.to_numeric(raw["Woningvoorraad_34"], errors="coerce")).sum()
    assert units.dwellings_social.sum() == pytest.approx(expected, rel=0.01)
    assert units.dwellings_social.isna().sum() == 70


def _statline_raw(path) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=";", skiprows=[0, 1, 2, 4], header=0, decimal=",",
                      na_values=".", encoding="utf-8-sig")
    raw.columns = [c.replace("|", "").strip() for c in raw.columns]
    return raw[raw["Codering"].str.startswith("BU")]


def test_rotterdam_2017_statline_export(cbs_dir, nl_buurten):
    path = cbs_dir / ROTTERDAM.format(2017)
    units = _quiet(nl_buurten, path)  # year from the Jaar column and title
    _assert_canonical(units, 92)
    assert (units.year == 2017).all()
    assert units.population.sum() == pytest.approx(634_660, rel=0.005)
    raw = _statline_raw(path)
    expected = (raw["In bezit woningcorporatie"] / 100 * raw["Woningvoorraad"]).sum()
    assert units.dwellings_social.sum() == pytest.approx(expected, rel=0.01)
    assert units.unit_name.iloc[0] != units.unit_code.iloc[0]  # StatLine has names
    assert units.municipality_name.eq("Rotterdam").all()
    # Electricity and gas share names; the income column is resolved by name, not position.
    assert units.mean_income.notna().sum() == 60


def test_rotterdam_2014_migration_given_as_percent(cbs_dir, nl_buurten):
    path = cbs_dir / ROTTERDAM.format(2014)
    units = _quiet(nl_buurten, path, year=2014)
    raw = _statline_raw(path).set_index("Codering")
    merged = units.set_index("unit_code")
    expected = raw["Westers totaal"] / 100 * raw["Aantal inwoners"]
    pd.testing.assert_series_equal(merged.population_migration_western,
                                   expected.reindex(merged.index), check_names=False)
    both = (merged.population_migration_western + merged.population_migration_nonwestern)
    share = both / merged.population
    assert share.dropna().between(0, 1).all()
    assert both.sum() == pytest.approx(
        ((raw["Westers totaal"] + raw["Niet-westers totaal"]) / 100 * raw["Aantal inwoners"]).sum())


@pytest.mark.parametrize("year", [2015, 2016, 2018])
def test_rotterdam_other_years(cbs_dir, year):
    units = _quiet(table=cbs_dir / ROTTERDAM.format(year))
    assert len(units) == 92 and (units.year == year).all()
    assert units.geometry.isna().all()  # table only: empty geometry, documented


def test_amsterdam_2017_r_rewritten(cbs_dir, nl_buurten):
    units = _quiet(nl_buurten, cbs_dir / AMSTERDAM_2017, year=2017)
    _assert_canonical(units, 479)
    assert units.population.sum() == pytest.approx(844_947, rel=0.005)
    assert units.dwellings_social.notna().sum() == 479 - 81
    assert units.population_migration_nonwestern.sum() > 250_000  # counts, not %
    assert units.mean_income.dropna().between(5, 200).all()


@pytest.mark.parametrize("city, n", [("den_haag_2021", 114), ("ams_2021", 479),
                                     ("utrecht_2021", 111), ("utrecht_2019", 111)])
def test_2021_subsets_lack_housing(cbs_dir, nl_buurten, city, n):
    year = int(city[-4:])
    units = _quiet(nl_buurten, cbs_dir / ODATA / city / "marginal_distributions_84583NED.csv",
                   year=year)
    _assert_canonical(units, n)
    for column in ("dwellings", "dwellings_social", "mean_income", "households_low_income"):
        assert units[column].isna().all()
    assert units.population_migration_western.notna().all()
    assert units.municipality_name.isna().all()  # the subsets have no Gemeentenaam


def _nl_2024(cbs_dir):
    return [cbs_dir / NL_2024.format("geslachten"), cbs_dir / NL_2024.format("11122025_141648")]


def test_national_2024_pair_without_geometry(cbs_dir):
    units = _quiet(table=_nl_2024(cbs_dir), year=2024)
    _assert_canonical(units, 14_574)
    assert units.geometry.isna().all()
    assert units.population.sum() == pytest.approx(17_942_915)
    origin = units[["population_origin_dutch", "population_origin_europe",
                    "population_origin_outside_europe"]].sum(axis=1)
    assert np.abs(origin - units.population).max() <= 15  # CBS rounds each to 5
    assert origin.sum() == pytest.approx(units.population.sum(), rel=1e-4)
    assert units.unit_code.str.startswith("BU0363").sum() == 517  # BU0363AA01 style


def test_national_2024_pair_with_2019_geometry(cbs_dir, nl_buurten):
    with pytest.warns(MissingGeometryWarning, match="2723 of 14574 units"):
        units = read_units(nl_buurten, _nl_2024(cbs_dir), year=2024)
    assert units.geometry.notna().sum() == 11_851
    den_haag = _quiet(nl_buurten, _nl_2024(cbs_dir), year=2024, municipality="GM0518")
    assert len(den_haag) == 114 and den_haag.geometry.notna().all()


def test_pc4_sample(cbs_dir):
    path = cbs_dir / "pc4_stats_sample_apeldoorn/sample_shape.shp"
    with pytest.warns(HiddenValuesWarning, match="WON_HCORP.*4 of 41"):
        units = read_units(path, level="pc4", municipality="GM0200", year=2015)
    _assert_canonical(units, 41)
    assert (units.level == "pc4").all() and (units.municipality_code == "GM0200").all()
    assert units.population.sum() == 191_085  # INWONER has no hidden values
    import geopandas as gpd

    raw = gpd.read_file(path)
    corp = raw["WON_HCORP"].where(raw["WON_HCORP"] >= 0)
    np.testing.assert_array_equal(units.dwellings_social, corp.astype(float))  # a COUNT
    assert units.wijk_code.isna().all()


def test_levels_from_den_haag(cbs_dir, nl_buurten):
    buurten = _quiet(nl_buurten, cbs_dir / DEN_HAAG_2019, year=2019)
    wijken = _quiet(nl_buurten, cbs_dir / DEN_HAAG_2019, year=2019, level="wijk")
    gemeente = _quiet(nl_buurten, cbs_dir / DEN_HAAG_2019, year=2019, level="gemeente")
    assert len(wijken) == buurten.wijk_code.nunique() == 44
    assert len(gemeente) == 1 and gemeente.unit_code.item() == "GM0518"
    assert wijken.population.sum() == buurten.population.sum() == gemeente.population.item()
    assert gemeente.area.item() == pytest.approx(buurten.area.sum(), rel=1e-6)
    assert wijken.geometry.is_valid.all()


def test_rounded_parts_never_exceed_their_whole(cbs_dir):
    """CBS rounds each count to 5 on its own: parts above their whole are clipped, warned."""
    import warnings as _warnings

    from mixing.io.cbs import read_units
    from mixing.io.missing import RoundedCountsWarning
    from mixing.schema import SUBGROUP_OF

    folder = cbs_dir / "kwb_statline_nl_2024_bevolking_herkomst"
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        pair = [folder / "Kerncijfers_wijken_en_buurten_2024_geslachten.csv",
                folder / "Kerncijfers_wijken_en_buurten_2024_11122025_141648.csv"]
        units = read_units(table=pair, year=2024)
    rounded = [w for w in caught if issubclass(w.category, RoundedCountsWarning)]
    assert rounded, "the national 2024 table has buurten with more origin counts than residents"
    assert "CBS rounds counts to 5" in str(rounded[0].message)
    for part, whole in SUBGROUP_OF.items():
        assert not (units[part] > units[whole]).any(), part
