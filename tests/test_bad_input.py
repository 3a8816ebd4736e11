"""Bad input gets an InputError that names file/column/row and the fix — never a traceback.

Most inputs are small slices of the real CBS files, written to tmp_path.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

from mixing.errors import InputError
from mixing.io.cbs import read_units

DEN_HAAG = ("kwb_odata_denhaag_amsterdam_utrecht/data/"
            "marginal_distributions_TheHague_2019_84583NED.csv")
ROTTERDAM = "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_{}.csv"
NL_2024 = "kwb_statline_nl_2024_bevolking_herkomst/Kerncijfers_wijken_en_buurten_2024_{}.csv"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


@pytest.fixture
def den_haag_lines(cbs_dir):
    """Header, the GM row, and the first buurt rows of Den Haag 2019 (OData CSV)."""
    lines = _lines(cbs_dir / DEN_HAAG)
    return lines[:1] + [line for line in lines[1:] if '"BU0518' in line.split(";")[4]][:6]


def _write(tmp_path, lines, name="table.csv", encoding="utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_text("".join(lines), encoding=encoding)
    return path


def _read(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_units(*args, **kwargs)


def test_slice_itself_reads(tmp_path, den_haag_lines):
    assert len(_read(table=_write(tmp_path, den_haag_lines), year=2019)) == 6


def test_no_code_column(tmp_path):
    path = _write(tmp_path, ["naam;inwoners\n", "Centrum;100\n"])
    with pytest.raises(InputError, match=r"no code column.*columns=\{'unit_code'"):
        _read(table=path, year=2019)


def test_no_population_column(tmp_path, den_haag_lines):
    rows = [";".join(line.split(";")[:5]) + "\n" for line in den_haag_lines]
    with pytest.raises(InputError, match="no population column"):
        _read(table=_write(tmp_path, rows), year=2019)


def test_unknown_format(tmp_path):
    path = tmp_path / "kwb.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match=r"kwb.xlsx: this file is an Excel workbook .*Fix: "
                                         r"open it in Excel and save it as 'CSV UTF-8"):
        _read(table=path, year=2019)


def test_duplicate_codes(tmp_path, den_haag_lines):
    path = _write(tmp_path, den_haag_lines + den_haag_lines[-1:])
    with pytest.raises(InputError, match=r"Codering_3', line 8: .*unique"):
        _read(table=path, year=2019)


def test_unknown_crs(tmp_path, den_haag_lines):
    frame = gpd.GeoDataFrame({"statcode": ["BU05180170"]}, geometry=[box(1e7, 1e7, 1e7 + 5,
                                                                         1e7 + 5)])
    path = tmp_path / "far.gpkg"
    frame.to_file(path)
    with pytest.raises(InputError, match="far.gpkg.*no CRS and its coordinates are neither"):
        _read(path, _write(tmp_path, den_haag_lines), year=2019)


def test_wrong_declared_crs(tmp_path, den_haag_lines):
    # Lon/lat numbers declared as RD New: after "reprojection" they lie outside NL.
    frame = gpd.GeoDataFrame({"statcode": ["BU05180170"]}, geometry=[box(4.2, 52.0, 4.3, 52.1)],
                             crs="EPSG:28992")
    frame.to_file(tmp_path / "wrong.gpkg")
    with pytest.raises(InputError, match="outside the Netherlands.*declared CRS is wrong"):
        _read(tmp_path / "wrong.gpkg", _write(tmp_path, den_haag_lines), year=2019)


def test_rd_numbers_declared_as_degrees(tmp_path, den_haag_lines):
    frame = gpd.GeoDataFrame({"statcode": ["BU05180170"]},
                             geometry=[box(80_000, 455_000, 81_000, 456_000)], crs="EPSG:4326")
    frame.to_file(tmp_path / "deg.gpkg")
    with pytest.raises(InputError, match="do not fit the declared CRS EPSG:4326"):
        _read(tmp_path / "deg.gpkg", _write(tmp_path, den_haag_lines), year=2019)


def test_codes_match_no_geometry(tmp_path, den_haag_lines):
    frame = gpd.GeoDataFrame({"statcode": ["BU05990110"]},
                             geometry=[box(92_000, 437_000, 93_000, 438_000)], crs="EPSG:28992")
    frame.to_file(tmp_path / "rotterdam.gpkg")
    with pytest.raises(InputError, match=r"rotterdam.gpkg.*codes match no geometry.*table.csv"
                                         r".*BU0518.*BU05990110"):
        _read(tmp_path / "rotterdam.gpkg", _write(tmp_path, den_haag_lines), year=2019)


def test_negative_count_not_a_sentinel(tmp_path, den_haag_lines):
    fields = den_haag_lines[2].split(";")
    fields[6] = '"    -5"'  # AantalInwoners_5
    lines = den_haag_lines[:2] + [";".join(fields)] + den_haag_lines[3:]
    with pytest.raises(InputError, match=r"AantalInwoners_5', line 3: .*negative.*-5"):
        _read(table=_write(tmp_path, lines), year=2019)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        _read(table=path, year=2019)


def test_truncated_mid_row(tmp_path, den_haag_lines):
    text = "".join(den_haag_lines)
    path = tmp_path / "cut.csv"
    path.write_text(text[: len(text) - 700], encoding="utf-8")
    with pytest.raises(InputError, match="truncated"):
        _read(table=path, year=2019)


def test_header_only(tmp_path, den_haag_lines):
    with pytest.raises(InputError, match="header but no data rows"):
        _read(table=_write(tmp_path, den_haag_lines[:1]), year=2019)


def test_not_utf8(tmp_path, cbs_dir):
    # Re-saved by Excel as cp1252: "één" in the energy headers is no longer UTF-8.
    lines = _lines(cbs_dir / ROTTERDAM.format(2017))[:10]
    path = _write(tmp_path, lines, encoding="cp1252")
    with pytest.raises(InputError, match=r"not UTF-8.*line 4.*re-save it as UTF-8"):
        _read(table=path)


def test_mixed_years(tmp_path, cbs_dir):
    lines = _lines(cbs_dir / ROTTERDAM.format(2017))[:12]
    lines[0] = lines[0].replace("2017", "")  # no title year: the Jaar column alone decides
    lines[-1] = lines[-1].replace(";2017;", ";2018;", 1)  # one buurt row of another year
    with pytest.raises(InputError, match=r"holds the years \[2017, 2018\].*pass year= one of"):
        _read(table=_write(tmp_path, lines))


def test_year_contradicts_file(cbs_dir):
    with pytest.raises(InputError, match="year=2016 contradicts.*says 2017.*pass year=2017"):
        _read(table=cbs_dir / ROTTERDAM.format(2017), year=2016)


def test_year_missing(tmp_path, den_haag_lines):
    with pytest.raises(InputError, match="does not say which year.*pass year=2019"):
        _read(table=_write(tmp_path, den_haag_lines, name="kwb_2019.csv"))


def test_municipality_not_in_data(tmp_path, den_haag_lines):
    with pytest.raises(InputError, match=r"municipality \['GM0363'\] not in the data.*GM0518"):
        _read(table=_write(tmp_path, den_haag_lines), year=2019, municipality="GM0363")


def test_percentage_above_100(tmp_path, den_haag_lines):
    fields = den_haag_lines[3].split(";")
    fields[43] = '"     140"'  # InBezitWoningcorporatie_42
    lines = den_haag_lines[:3] + [";".join(fields)] + den_haag_lines[4:]
    with pytest.raises(InputError, match=r"InBezitWoningcorporatie_42', line 4: .*above 100"):
        _read(table=_write(tmp_path, lines), year=2019)


def test_unknown_canonical_key(tmp_path, den_haag_lines):
    with pytest.raises(InputError, match=r"unknown canonical column 'inhabitants'.*population"):
        _read(table=_write(tmp_path, den_haag_lines), year=2019,
              columns={"inhabitants": "AantalInwoners_5"})


def test_mapped_column_not_in_file(tmp_path, den_haag_lines):
    with pytest.raises(InputError, match=r"table.csv.*'Inwoners', which is not a column.*'ID'"):
        _read(table=_write(tmp_path, den_haag_lines), year=2019,
              columns={"population": "Inwoners"})


def test_nonexistent_path(tmp_path):
    with pytest.raises(InputError, match="nope.csv: file not found"):
        _read(table=tmp_path / "nope.csv", year=2019)


def test_invalid_level(tmp_path, den_haag_lines):
    with pytest.raises(InputError, match=r"level must be one of.*'buurt'"):
        _read(table=_write(tmp_path, den_haag_lines), year=2019, level="neighbourhood")


def test_pc4_needs_municipality(cbs_dir):
    with pytest.raises(InputError, match="carry no municipality.*municipality='GM"):
        _read(cbs_dir / "pc4_stats_sample_apeldoorn/sample_shape.shp", level="pc4", year=2015)


def test_level_not_in_file(cbs_dir):
    with pytest.raises(InputError, match="no buurt rows.*pc4"):
        _read(cbs_dir / "pc4_stats_sample_apeldoorn/sample_shape.shp", year=2015)


def test_row_aligned_tables_disagree(tmp_path, cbs_dir):
    first = _lines(cbs_dir / NL_2024.format("geslachten"))[:30]
    second = _lines(cbs_dir / NL_2024.format("11122025_141648"))[:30]
    fields = second[12].split(";")
    fields[2] = "12345"  # inhabitants differ on data row 12
    second[12] = ";".join(fields)
    with pytest.raises(InputError,
                       match=r"b.csv.*line 13: .*disagree on population.*a.csv \(line 13\)"):
        _read(table=[_write(tmp_path, first, "a.csv"), _write(tmp_path, second, "b.csv")],
              year=2024)


def test_text_in_number_column(tmp_path, den_haag_lines):
    fields = den_haag_lines[4].split(";")
    fields[6] = '"  veel"'
    lines = den_haag_lines[:4] + [";".join(fields)] + den_haag_lines[5:]
    with pytest.raises(InputError, match=r"AantalInwoners_5', line 5: .*expected a number.*veel"):
        _read(table=_write(tmp_path, lines), year=2019)
