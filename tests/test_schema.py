"""The canonical schema check catches tables that would give silently wrong numbers."""

import numpy as np
import pytest
import shapely

from mixing.errors import InputError
from mixing.schema import CANONICAL_COLUMNS, empty_units, validate_units


def _units(codes=("BU00010001", "BU00010002"), **overrides):
    units = empty_units()
    n = len(codes)
    frame = units.reindex(range(n))
    frame["unit_code"] = list(codes)
    frame["unit_name"] = [f"Buurt {i}" for i in range(n)]
    frame["level"] = "buurt"
    frame["municipality_code"] = "GM0001"
    frame["year"] = 2019
    frame["population"] = np.arange(n, dtype=float) * 100
    frame["is_uninhabited"] = False
    frame["is_water"] = False
    frame = frame.set_geometry(
        [shapely.box(i * 100, 0, (i + 1) * 100, 100) for i in range(n)], crs="EPSG:28992"
    )
    for column, value in overrides.items():
        frame[column] = value
    return frame


def test_valid_table_passes_and_has_all_columns():
    units = _units()
    assert validate_units(units) is units
    assert list(empty_units().columns) == list(CANONICAL_COLUMNS)


def test_error_names_file_column_row_and_fix():
    units = _units(population=[10.0, -5.0])
    with pytest.raises(InputError) as info:
        validate_units(units, source="x.csv")
    message = str(info.value)
    assert "in x.csv" in message and "'population'" in message and "row 1" in message
    assert "Fix:" in message and "-5.0" in message


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"unit_code": ["BU00010001", "WK000101"]}, r"buurt codes must look like BU05180170"),
        ({"unit_code": ["BU00010001", "BU00010001"]}, r"unique per level and year"),
        ({"municipality_code": "0518"}, r"municipality codes must look like GM0518"),
        ({"level": "straat"}, r"unknown level"),
    ],
)
def test_bad_tables_are_refused(overrides, match):
    with pytest.raises(InputError, match=match):
        validate_units(_units(**overrides))


def test_wrong_crs_is_refused_with_the_fix():
    with pytest.raises(InputError, match=r"EPSG:28992.*to_crs"):
        validate_units(_units().set_crs(4326, allow_override=True))


def test_missing_columns_are_listed():
    with pytest.raises(InputError, match=r"lacks the canonical columns \['dwellings'\]"):
        validate_units(_units().drop(columns="dwellings"))
