"""Files as people really have them (issue 11) read to the same table as the clean file.

Hand-made inputs in tmp_path; the reference is always the plain UTF-8 OData table read the
same way, compared column by column.
"""

from __future__ import annotations

import gzip
import warnings
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _ingest_files import (
    CODES_GEOMETRY,
    COL,
    boxes,
    join,
    odata_cells,
    odata_lines,
    quiet,
    statline_rows,
    write,
    write_rows,
)
from shapely import box

from mixing.io.cbs import DroppedRowsWarning, YearMismatchWarning, read_units
from mixing.io.missing import HiddenValuesWarning, infer_decimal
from mixing.io.plausible import usable


@pytest.fixture
def reference(tmp_path):
    return quiet(table=write(tmp_path, odata_lines(), "clean.csv"), year=2019)


def _same(units, reference):
    attributes = [c for c in reference.columns if c not in ("geometry", "unit_name")]
    pd.testing.assert_frame_equal(pd.DataFrame(units[attributes]),
                                  pd.DataFrame(reference[attributes]))


# --- encodings and containers --------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"])
def test_utf16_with_or_without_bom(tmp_path, reference, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes("".join(odata_lines()).encode(encoding))
    _same(quiet(table=path, year=2019), reference)


def test_gzip_csv(tmp_path, reference):
    data = gzip.compress("".join(odata_lines()).encode())
    (tmp_path / "kwb.csv.gz").write_bytes(data)
    (tmp_path / "looks_plain.csv").write_bytes(data)  # gzip behind a .csv name
    _same(quiet(table=tmp_path / "kwb.csv.gz", year=2019), reference)
    _same(quiet(table=tmp_path / "looks_plain.csv", year=2019), reference)


def test_zip_with_one_csv(tmp_path, reference):
    with zipfile.ZipFile(tmp_path / "kwb.zip", "w") as archive:
        archive.writestr("download/kwb.csv", "".join(odata_lines()))
        archive.writestr("__MACOSX/._kwb.csv", "junk")
    _same(quiet(table=tmp_path / "kwb.zip", year=2019), reference)


@pytest.mark.parametrize("driver,suffix", [("GPKG", ".gpkg"), ("ESRI Shapefile", ".shp")])
def test_map_file_inside_a_zip(tmp_path, driver, suffix):
    frame = boxes(["BU05180001", "BU05180002"], AANT_INW=[100, 200])
    folder = tmp_path / "unpacked"
    folder.mkdir()
    frame.to_file(folder / f"buurten{suffix}", driver=driver)
    with zipfile.ZipFile(tmp_path / "buurten.zip", "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    zipped = quiet(tmp_path / "buurten.zip", year=2019)
    plain = quiet(folder / f"buurten{suffix}", year=2019)
    assert zipped["population"].tolist() == [100.0, 200.0]
    assert zipped.geometry.geom_equals(plain.geometry).all()


# --- numbers as people write them ----------------------------------------------------------

def test_thousands_separators_in_a_decimal_comma_file(tmp_path):
    rows = statline_rows()
    rows[2][3], rows[2][4], rows[2][5] = "3.000", "1.450", "1.500"
    units = quiet(table=write_rows(tmp_path, rows), year=2019)
    assert units["population"].tolist() == [1000.0, 2000.0, 3000.0]
    assert units["households"].tolist() == [500.0, 1000.0, 1450.0]
    np.testing.assert_allclose(units["dwellings_social"], [0.305 * 520, 0.45 * 1010,
                                                           0.125 * 1500])


def test_quoted_decimal_commas_in_a_comma_separated_file(tmp_path):
    lines = [",".join(f'"{h}"' for h in ["Codering", "Aantal inwoners", "Woningvoorraad",
                                         "In bezit woningcorporatie"]) + "\n",
             '"BU05180001",1000,500,"15,3"\n', '"BU05180002",2000,1000,"40,0"\n']
    units = quiet(table=write(tmp_path, lines), year=2019)
    np.testing.assert_allclose(units["dwellings_social"], [0.153 * 500, 0.40 * 1000])


def test_infer_decimal():
    assert infer_decimal([pd.Series(["1.234", "15,3"])]) == ","
    assert infer_decimal([pd.Series(["1,234", "0.250"])]) == "."
    assert infer_decimal([pd.Series(["1.234", "12"])]) == ""
    assert infer_decimal([pd.Series(["1,5"]), pd.Series(["2.5"])]) == ""


def test_r_write_csv_of_a_statline_export(tmp_path):
    """R's write.csv: row-index column, dotted names, NA, padded quoted decimals."""
    header = ['""', '"Wijken.en.buurten"', '"Regioaanduiding.Soort.regio..omschrijving."',
              '"Regioaanduiding.Codering..code."', '"Bevolking.Aantal.inwoners..aantal."',
              '"Wonen.Woningvoorraad..aantal."',
              '"Wonen.Woningen.naar.eigendom.Huurwoningen.In.bezit.woningcorporatie...."']
    lines = [",".join(header) + "\n",
             '"1","Centrum","Buurt     ","BU05180001  ",1000,520,"    30.5"\n',
             '"2","Noord","Buurt     ","BU05180002  ",NA,1010,NA\n',
             '"3","Zuid","Buurt     ","BU05180003  ",3000,1500,"    12.5"\n']
    with pytest.warns(HiddenValuesWarning, match=r"'Bevolking.Aantal.inwoners..aantal.': 1 of "
                                                 r"3 values hidden.*'NA'"):
        units = read_units(table=write(tmp_path, lines), year=2019)
    assert units["unit_name"].tolist() == ["Centrum", "Noord", "Zuid"]
    assert units["population"].isna().tolist() == [False, True, False]
    np.testing.assert_allclose(units["dwellings_social"], [0.305 * 520, np.nan, 0.125 * 1500])


def test_unedited_statline_web_download(tmp_path):
    lines = ["Kerncijfers wijken en buurten 2019\n", "\n", ";Onderwerp\n",
             ";|Codering;||Aantal inwoners;||Woningvoorraad;|||In bezit woningcorporatie\n",
             ";code;aantal;aantal;%\n",
             "Centrum;BU05180001;1.000;520;30,5\n", "Noord;BU05180002;2.000;1.010;.\n"]
    units = quiet(table=write(tmp_path, lines))
    assert units["year"].eq(2019).all() and units["unit_name"].tolist() == ["Centrum", "Noord"]
    assert units["population"].tolist() == [1000.0, 2000.0]
    assert units["dwellings"].tolist() == [520.0, 1010.0]


# --- codes, years, rows --------------------------------------------------------------------

def test_code_with_spaces_inside_is_the_same_code(tmp_path, reference):
    cells = odata_cells()
    cells[4][COL["Codering_3"]] = "BU 0518 0003"
    cells[4][COL["WijkenEnBuurten"]] = "bu05180003"
    _same(quiet(table=write(tmp_path, [join(r) for r in cells]), year=2019), reference)


def test_several_years_keep_the_year_asked(tmp_path):
    rows = [["BU05180001", "2018JJ00", "100"], ["BU05180001", "2019JJ00", "110"],
            ["BU05180002", "2018JJ00", "200"], ["BU05180002", "2019JJ00", "210"]]
    path = write_rows(tmp_path, rows, header=["Codering", "Perioden", "Aantal inwoners"])
    units = quiet(table=path, year=2019)
    assert units["population"].tolist() == [110.0, 210.0] and units["year"].eq(2019).all()


def test_file_name_year_differs(tmp_path):
    path = write(tmp_path, odata_lines(), "kwb_2019.csv")
    with pytest.warns(YearMismatchWarning, match=r"read as 2017, but the file name says 2019"):
        read_units(table=path, year=2017)


def test_rounding_excess_is_clipped_with_a_count(tmp_path):
    cells = odata_cells()
    cells[2][COL["WestersTotaal_17"]] = "1005"  # population 1000: CBS rounding, 5 over
    from mixing.io.missing import RoundedCountsWarning

    with pytest.warns(RoundedCountsWarning, match=r"1 of 6 units had more than 'population' "
                                                  r"by at most 5"):
        units = read_units(table=write(tmp_path, [join(r) for r in cells]), year=2019)
    assert units["population_migration_western"].iloc[0] == 1000.0


def test_unusable_allowed_on_request(tmp_path):
    cells = odata_cells()
    for row in cells[1:]:
        row[COL["AantalInwoners_5"]] = row[COL["Woningvoorraad_34"]] = "."
    units = quiet(table=write(tmp_path, [join(r) for r in cells]), year=2019,
                  allow_unusable=True)
    assert len(units) == 6 and units["population"].isna().all()
    assert usable(units) == ("population and dwellings are unknown (empty or hidden by CBS) "
                             "for all 6 units")
    assert usable(quiet(table=write(tmp_path, odata_lines()), year=2019)) is None


# --- postcodes of any number of municipalities -----------------------------------------------

def test_postcodes_go_to_the_municipality_they_overlap_most(tmp_path):
    # Two municipalities side by side (x 80-82 km and 82-84 km); postcode 7313 straddles the
    # border with 3/4 of its area in the second; 9999 lies outside both.
    regions = gpd.GeoDataFrame(
        {"statcode": ["BU02000001", "BU02000002", "GM0232"]},
        geometry=[box(80_000, 450_000, 81_000, 451_000), box(81_000, 450_000, 82_000, 451_000),
                  box(82_000, 450_000, 84_000, 451_000)], crs="EPSG:28992")
    pc4 = gpd.GeoDataFrame(
        {"PC4": ["7311", "7312", "7313", "9999"], "INWONER": [100, 200, 300, 50]},
        geometry=[box(80_100, 450_100, 80_900, 450_900), box(81_100, 450_100, 81_900, 450_900),
                  box(81_500, 450_100, 83_500, 450_900), box(90_000, 460_000, 91_000, 461_000)],
        crs="EPSG:28992")
    pc4.to_file(tmp_path / "pc4.gpkg")
    with pytest.warns(DroppedRowsWarning, match=r"1 of 4 postcodes overlap none of the regions"):
        units = read_units(tmp_path / "pc4.gpkg", level="pc4", year=2020, regions=regions)
    assert dict(zip(units["unit_code"], units["municipality_code"], strict=True)) == {
        "7311": "GM0200", "7312": "GM0200", "7313": "GM0232"}
    only = quiet(tmp_path / "pc4.gpkg", level="pc4", year=2020, regions=regions,
                 municipality="GM0232")
    assert only["unit_code"].tolist() == ["7313"]


def test_wijk_boundaries_select_the_wijk_rows(tmp_path):
    lines = ['"Codering";"Soort regio";"Aantal inwoners"\n', '"WK051801";"Wijk";"300"\n',
             '"BU05180101";"Buurt";"100"\n', '"BU05180102";"Buurt";"195"\n']
    wijken = boxes(["WK051801"])
    units = quiet(wijken, write(tmp_path, lines), level="wijk", year=2019)
    assert units["unit_code"].tolist() == ["WK051801"] and units["population"].tolist() == [300]
    assert units.geometry.iloc[0].area == pytest.approx(1e6)


def test_warnings_are_counted_not_repeated(tmp_path):
    cells = odata_cells()
    for line in (3, 5):
        cells[line - 1][COL["InBezitWoningcorporatie_42"]] = "."
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_units(table=write(tmp_path, [join(r) for r in cells]), year=2019)
    hidden = [str(w.message) for w in caught if w.category is HiddenValuesWarning]
    assert len(hidden) == 1 and "2 of 6 values hidden" in hidden[0]


def test_geometry_join_keeps_identical_duplicates(tmp_path, reference):
    frame = boxes(CODES_GEOMETRY)
    frame = pd.concat([frame, frame.iloc[:1]], ignore_index=True)  # one square listed twice
    units = quiet(frame, write(tmp_path, odata_lines()), year=2019)
    _same(units, reference)
    assert units.geometry.notna().all()
