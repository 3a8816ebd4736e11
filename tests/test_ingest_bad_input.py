"""Hostile and broken inputs (issue 11): each stops with ONE InputError naming file, column,
line (text) or feature (map file), value and the fix -- never a silently wrong table.

Inputs are hand-made in tmp_path (tests/_ingest_files.py). Line numbers are the 1-based lines
of the file: in the OData table line 1 is the header, line 2 the gemeente, lines 3-8 the
buurten.
"""

from __future__ import annotations

import gzip
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from _ingest_files import (
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
from shapely import Polygon, box

from mixing.errors import InputError


def _odata_with(tmp_path, line: int, column: str, value: str, name="table.csv"):
    """The OData table with one cell (1-based file line, column name) replaced."""
    cells = odata_cells()
    cells[line - 1][COL[column]] = value
    return write(tmp_path, [join(row) for row in cells], name)


def _read_odata(tmp_path, line, column, value, **kwargs):
    return quiet(table=_odata_with(tmp_path, line, column, value), year=2019, **kwargs)


# --- one wrong cell: counts CBS cannot publish, codes that would lose a row ---------------

# One cell of the Den Haag slice overwritten: the error names the column, the line and the
# value (line, column, value written there, message).
@pytest.mark.parametrize(("line", "column", "value", "message"), [
    pytest.param(4, "AantalInwoners_5", "   123.5",
        r"'AantalInwoners_5', line 4: a count must be a "
        r"whole number.*got 123.5.*separators",
        id="fractional_count"),
    pytest.param(5, "AantalInwoners_5", "inf",
        r"'AantalInwoners_5', line 5: not a finite number",
        id="infinite_count"),
    pytest.param(3, "AantalInwoners_5", "1000000000000",
        r"'AantalInwoners_5', line 3: implausibly large for "
        r"one buurt \(above 100,000",
        id="implausible_magnitude"),
    pytest.param(6, "HuishoudensTotaal_28", "5000",
        r"'HuishoudensTotaal_28', line 6: more households "
        r"than inhabitants.*5000",
        id="households_five_times_population"),
    pytest.param(3, "WestersTotaal_17", "3000",
        r"'WestersTotaal_17', line 3: population_migration"
        r"_western is larger than its whole population.*"
        r"at most 5",
        id="subgroup_three_times_its_total"),
    pytest.param(7, "NietWestersTotaal_18", "-3",
        r"'NietWestersTotaal_18', line 7: negative value "
        r"that is not a CBS sentinel",
        id="negative_count_names_the_line"),
    pytest.param(8, "InBezitWoningcorporatie_42", "305",
        r"'InBezitWoningcorporatie_42', line 8: percentage "
        r"above 100",
        id="percentage_above_100_names_the_line"),
    pytest.param(4, "Woningvoorraad_34", "veel",
        r"'Woningvoorraad_34', line 4: expected a number.*"
        r"'veel'",
        id="text_in_a_count_names_the_line"),
    pytest.param(5, "Codering_3", "B?05180003",
        r"'Codering_3', line 5: not a CBS region code.*"
        r"'B\?05180003'",
        id="garbage_code"),
    pytest.param(6, "Codering_3", "",
        r"line 6: not a CBS region code.*got ''",
        id="empty_code"),
    pytest.param(4, "Codering_3", "GM0518",
        r"'Codering_3', line 4: the row says it is a buurt "
        r"\(SoortRegio_2\) but its code is a gemeente code",
        id="buurt_row_with_a_gemeente_code"),
    pytest.param(7, "Codering_3", "BU05180099",
        r"line 7: the two code columns disagree: "
        r"WijkenEnBuurten says 'BU05180005'",
        id="the_two_odata_code_columns_disagree"),
])
def test_one_wrong_cell(tmp_path, line, column, value, message):
    with pytest.raises(InputError, match=message):
        _read_odata(tmp_path, line, column, value)


def test_implausible_mean_income(tmp_path):
    rows = [["BU05180001", "100", "25300"]]
    path = write_rows(tmp_path, rows, header=["Codering", "Aantal inwoners",
                                              "Gemiddeld inkomen per inwoner"])
    with pytest.raises(InputError, match=r"'Gemiddeld inkomen per inwoner', line 2: "
                                         r"implausibly large.*x 1,000 euro"):
        quiet(table=path, year=2019)


# --- numbers that can be read two ways ---------------------------------------------------

def test_thousands_or_decimal_is_ambiguous(tmp_path):
    rows = [["BU05180001", "1.234", "500"], ["BU05180002", "800", "400"]]
    path = write_rows(tmp_path, rows, header=["Codering", "Aantal inwoners",
                                              "Huishoudens totaal"])
    with pytest.raises(InputError, match=r"'Aantal inwoners', line 2: ambiguous number.*"
                                         r"thousands separator.*'1.234'"):
        quiet(table=path, year=2019)


def test_decimal_point_in_a_decimal_comma_file(tmp_path):
    rows = statline_rows()
    rows[1][7] = "45.5"  # one percentage written with a point among decimal commas
    rows[2][6] = "1.300"  # (a thousands separator: fine in a decimal-comma file)
    path = write_rows(tmp_path, rows)
    with pytest.raises(InputError, match=r"'In bezit woningcorporatie', line 3: this column "
                                         r"mixes decimal commas and decimal points"):
        quiet(table=path, year=2019)


def test_comma_grouped_number_is_ambiguous(tmp_path):
    rows = [["BU05180001", "1,234", "500"], ["BU05180002", "800", "400"]]
    path = write_rows(tmp_path, rows, sep=",", header=["Codering", "Aantal inwoners",
                                                       "Huishoudens totaal"])
    path.write_text(path.read_text().replace("1,234", '"1,234"'))  # quoted, as R writes it
    with pytest.raises(InputError, match=r"'Aantal inwoners', line 2: ambiguous number.*"
                                         r"'1,234'"):
        quiet(table=path, year=2019)


# --- rows that would be lost ---------------------------------------------------------------


def test_row_cut_short(tmp_path):
    lines = odata_lines()
    lines[4] = lines[4][: lines[4].index('"    1450"') - 1] + "\n"
    with pytest.raises(InputError, match=r"line 5: this row has 8 fields, the header has 12: "
                                         r"the row is cut short"):
        quiet(table=write(tmp_path, lines), year=2019)


def test_row_with_extra_fields(tmp_path):
    lines = odata_lines()
    lines[3] = lines[3].replace('"2511AB"', '"2511AB";"x"')
    with pytest.raises(InputError, match=r"line 4: this row has 13 fields, the header has 12"):
        quiet(table=write(tmp_path, lines), year=2019)


def test_nul_corrupted_header(tmp_path):
    lines = odata_lines()
    raw = "".join(lines).encode("utf-8")
    raw = raw.replace(b"\n", b"\x00\x00\x00", 1)  # header glued to the first row
    path = tmp_path / "nul.csv"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=r"nul.csv, line 1: the file holds NUL bytes \(first "
                                         r"on line 1\).*download the table again"):
        quiet(table=path, year=2019)


def test_duplicate_code_names_both_lines(tmp_path):
    lines = odata_lines()
    with pytest.raises(InputError, match=r"'Codering_3', line 9: unit codes must be unique"):
        quiet(table=write(tmp_path, lines + lines[-1:]), year=2019)


def test_names_without_codes_says_include_the_codes(tmp_path):
    path = write_rows(tmp_path, [["Centrum", "Den Haag", "100"]],
                      header=["Wijken en buurten", "Gemeentenaam", "Aantal inwoners"])
    with pytest.raises(InputError, match=r"region names but no region codes.*include the "
                                         r"region codes \(Regiocode"):
        quiet(table=path, year=2019)


# --- years --------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [1850, -2019, 2999])
def test_year_outside_cbs_range(tmp_path, year):
    with pytest.raises(InputError, match=rf"year= {year} is outside CBS' wijk- en "
                                         r"buurtstatistiek \(1995 \.\. "):
        quiet(table=write(tmp_path, odata_lines()), year=year)


def test_year_not_a_whole_number(tmp_path):
    with pytest.raises(InputError, match=r"year= must be a whole year.*2019.0"):
        quiet(table=write(tmp_path, odata_lines()), year=2019.0)


def _two_years(tmp_path):
    rows = [["BU05180001", "2018", "100"], ["BU05180001", "2019", "110"],
            ["BU05180002", "2018", "200"], ["BU05180002", "2019", "210"]]
    return write_rows(tmp_path, rows, header=["Codering", "Perioden", "Aantal inwoners"])


def test_several_years_without_year(tmp_path):
    with pytest.raises(InputError, match=r"holds the years \[2018, 2019\].*pass year= one of "
                                         r"\[2018, 2019\]"):
        quiet(table=_two_years(tmp_path))


def test_several_years_asked_year_absent(tmp_path):
    with pytest.raises(InputError, match=r"year=2017 is not in the table; it holds "
                                         r"\[2018, 2019\]"):
        quiet(table=_two_years(tmp_path), year=2017)


# --- arguments -----------------------------------------------------------------------------

def test_columns_as_a_list(tmp_path):
    with pytest.raises(InputError, match=r"columns= must be a mapping \{canonical: source "
                                         r"column\}, got a list"):
        quiet(table=write(tmp_path, odata_lines()), year=2019,
              columns=["Codering_3", "AantalInwoners_5"])


def test_names_not_a_mapping(tmp_path):
    with pytest.raises(InputError, match=r"names= must map unit codes to names.*'list'"):
        quiet(table=write(tmp_path, odata_lines()), year=2019, names=["Centrum"])


def test_csv_passed_as_geometry(tmp_path):
    path = write(tmp_path, odata_lines())
    with pytest.raises(InputError, match=r"table.csv: geometry= is a text table, not a map "
                                         r"file.*pass the CSV as table="):
        quiet(path, path, year=2019)


def test_csv_alone_as_geometry_reader(tmp_path):
    from mixing.io.readers.geo import read_geometry

    with pytest.raises(InputError, match=r"a text table is not a map file"):
        read_geometry(write(tmp_path, odata_lines()))


def test_pc4_of_several_municipalities_needs_regions(tmp_path):
    frame = boxes(["7311", "7312"], INWONER=[100, 200]).rename(columns={"statcode": "PC4"})
    frame.to_file(tmp_path / "pc4.gpkg")
    with pytest.raises(InputError, match=r"pc4 files carry no municipality.*regions=<buurt or "
                                         r"gemeente boundaries>"):
        quiet(tmp_path / "pc4.gpkg", level="pc4", year=2020)


def test_regions_without_codes(tmp_path):
    frame = boxes(["7311"], INWONER=[100]).rename(columns={"statcode": "PC4"})
    frame.to_file(tmp_path / "pc4.gpkg")
    regions = boxes(["x"]).rename(columns={"statcode": "naam"})
    with pytest.raises(InputError, match=r"regions= has no code column; it has \['naam'\]"):
        quiet(tmp_path / "pc4.gpkg", level="pc4", year=2020, regions=regions)


# --- a municipality without data -----------------------------------------------------------

def test_municipality_with_no_population_anywhere(tmp_path):
    cells = odata_cells()
    for row in cells[1:]:
        row[COL["AantalInwoners_5"]] = "."
        row[COL["Woningvoorraad_34"]] = "."
    path = write(tmp_path, [join(r) for r in cells])
    with pytest.raises(InputError, match=r"municipality GM0518 \('s-Gravenhage\) has no usable "
                                         r"data: population and dwellings are unknown.*"
                                         r"allow_unusable=True"):
        quiet(table=path, year=2019)


# --- geometry ------------------------------------------------------------------------------

def _table(tmp_path):
    return write(tmp_path, odata_lines())


CODES = [f"BU0518000{i}" for i in range(1, 7)]


def test_one_code_twice_with_different_polygons(tmp_path):
    frame = boxes(CODES + ["BU05180002"])
    frame.to_file(tmp_path / "b.gpkg")
    with pytest.raises(InputError, match=r"b.gpkg, feature 7: the code appears in several "
                                         r"features with different shapes \(features 2 and 7\)"
                                         r".*dissolve"):
        quiet(tmp_path / "b.gpkg", _table(tmp_path), year=2019)


def test_null_geometry_for_a_unit_with_data(tmp_path):
    frame = boxes(CODES)
    frame.loc[2, "geometry"] = None
    frame.to_file(tmp_path / "b.gpkg")
    with pytest.raises(InputError, match=r"b.gpkg, feature 3: the feature of a unit with data "
                                         r"has no geometry \(null or empty\).*BU05180003"):
        quiet(tmp_path / "b.gpkg", _table(tmp_path), year=2019)


def test_empty_geometry_for_a_unit_with_data(tmp_path):
    frame = boxes(CODES)
    frame.loc[4, "geometry"] = Polygon()
    frame.to_file(tmp_path / "b.gpkg")
    with pytest.raises(InputError, match=r"feature 5: the feature of a unit with data has no "
                                         r"geometry"):
        quiet(tmp_path / "b.gpkg", _table(tmp_path), year=2019)


def test_one_polygon_moved_outside_the_netherlands(tmp_path):
    frame = boxes(CODES)
    frame.loc[3, "geometry"] = box(80_000, 700_000, 81_000, 701_000)  # in the North Sea
    frame.to_file(tmp_path / "b.gpkg")
    with pytest.raises(InputError, match=r"b.gpkg, feature 4: a feature lies outside the "
                                         r"Netherlands \(its centre is at RD x 80,500, "
                                         r"y 700,500"):
        quiet(tmp_path / "b.gpkg", _table(tmp_path), year=2019)


def test_nan_coordinates(tmp_path):
    path = tmp_path / "nan.geojson"
    features = [
        f'{{"type":"Feature","properties":{{"statcode":"{code}"}},"geometry":{{"type":'
        f'"Polygon","coordinates":[[[4.3,52.0],[4.31,52.0],[4.31,52.01],[4.3,52.01],'
        f'[4.3,52.0]]]}}}}' for code in CODES]
    features[1] = features[1].replace("[4.31,52.0]", "[NaN,52.0]", 1)
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")
    with pytest.raises(InputError, match=r"nan.geojson, feature 2: the geometry has coordinates "
                                         r"that are not numbers"):
        quiet(path, _table(tmp_path), year=2019)


def test_points_instead_of_polygons(tmp_path):
    frame = boxes(CODES)
    frame["geometry"] = frame.geometry.centroid
    frame.to_file(tmp_path / "p.gpkg")
    with pytest.raises(InputError, match=r"p.gpkg, feature 1: units must be polygons.*vlak"):
        quiet(tmp_path / "p.gpkg", _table(tmp_path), year=2019)


def test_geojson_with_a_trailing_comma(tmp_path):
    frame = boxes(CODES).to_crs(4326)
    text = frame.to_json().replace("}}]}", "}},\n]}")
    path = write(tmp_path, text, "comma.geojson")
    line = text[: text.rindex(",")].count("\n") + 1
    with pytest.raises(InputError, match=rf"comma.geojson, line {line}: the file is not valid "
                                         r"JSON: a trailing comma.*remove the comma"):
        quiet(path, _table(tmp_path), year=2019)


# --- containers and encodings ----------------------------------------------------------------

def test_zip_with_two_tables(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "".join(odata_lines()))
        archive.writestr("b.csv", "".join(odata_lines()))
    with pytest.raises(InputError, match=r"two.zip: the zip archive holds several data files "
                                         r"\['a.csv', 'b.csv'\].*unzip it"):
        quiet(table=path, year=2019)


def test_zip_without_data(tmp_path):
    path = tmp_path / "none.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("kwb.xlsx", b"PK\x03\x04")
    with pytest.raises(InputError, match=r"holds no CSV or map file; it has \['kwb.xlsx'\]"):
        quiet(table=path, year=2019)


def test_damaged_gzip(tmp_path):
    path = tmp_path / "kwb.csv.gz"
    path.write_bytes(gzip.compress("".join(odata_lines()).encode())[:60])
    with pytest.raises(InputError, match=r"kwb.csv.gz: cannot decompress this gzip file"):
        quiet(table=path, year=2019)


def test_cp1252_names_the_line(tmp_path):
    lines = odata_lines()
    lines[3] = lines[3].replace("'s-Gravenhage", "Één")
    path = write(tmp_path, lines, encoding="cp1252")
    with pytest.raises(InputError, match=r"line 4: the file is not UTF-8 text.*iconv"):
        quiet(table=path, year=2019)


# --- the command line: one line, exit 2 ------------------------------------------------------

@pytest.mark.parametrize("make", ["nul", "txt", "zip", "geometry_csv"])
def test_cli_reports_one_line(tmp_path, capsys, make):
    from mixing.cli import main

    table = write(tmp_path, odata_lines())
    out = str(tmp_path / "units.parquet")
    args = ["ingest", "--table", str(table), "--year", "2019", "--out", out]
    if make == "nul":
        table.write_bytes(table.read_bytes().replace(b"\n", b"\x00", 1))
    elif make == "txt":
        args[-1] = str(tmp_path / "units.txt")
    elif make == "zip":
        path = tmp_path / "two.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.csv", "x")
            archive.writestr("b.csv", "y")
        args[2] = str(path)
    else:
        args[1:1] = ["--geometry", str(table)]
    assert main(args) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("mixing: error:")]
    assert len(errors) == 1 and "Traceback" not in err
    assert {"nul": "NUL bytes", "txt": r"--out must end in one of ['.parquet', '.csv']",
            "zip": "several data files", "geometry_csv": "not a map file"}[make] in errors[0]


def test_validate_units_still_guards_frames():
    from mixing.schema import validate_units

    frame = quiet(gpd.GeoDataFrame(
        {"unit_code": ["BU05180001"], "population": [10.0]},
        geometry=[box(80_000, 450_000, 81_000, 451_000)], crs="EPSG:28992"), year=2019)
    frame.loc[0, "population"] = -1.0
    with pytest.raises(InputError, match="counts must be >= 0"):
        validate_units(frame)


@pytest.mark.parametrize("values, decimal", [(["15.86", "1,5.2"], "."), (["3,2", "1.2.3"], ","),
                                             (["15.86", "12,34"], ".")])
def test_a_separator_that_groups_no_thousands_is_an_error(values, decimal):
    # found by the corruption property test: "1,5.2" was read as 15.2
    from mixing.io.missing import to_float

    with pytest.raises(InputError, match=r"column .c., row 1: .*ambiguous"):
        to_float(pd.Series(values), file="f.csv", column="c", decimal=decimal)
