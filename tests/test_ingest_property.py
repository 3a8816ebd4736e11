"""Property (issue 11): a corrupted valid table never yields a silently different table.

For a valid CBS OData table (tests/_ingest_files.py) and one random corruption -- a cell
replaced by garbage, a row cut short, a value multiplied, a code mangled -- read_units either
raises InputError, or warns differently from the clean file, or returns the identical table.

What the generator leaves out, and why: replacing a value by another *plausible* value (a
count by another whole number, a percentage by another percentage, CBS's "-" meaning 0, a
digit of a code by another digit in a file with one code column) cannot be told from real
data by any reader; multiplications are those CBS data can reveal (a part or the households
times 3 exceed their whole, counts times 1,000 exceed the largest unit, a percentage times
10 exceeds 100).
"""

from __future__ import annotations

import warnings

import pandas as pd
from _ingest_files import COL, ODATA_HEADER, join, odata_cells, odata_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixing.errors import InputError
from mixing.io.cbs import read_units

COUNTS = ["AantalInwoners_5", "WestersTotaal_17", "NietWestersTotaal_18",
          "HuishoudensTotaal_28", "Woningvoorraad_34"]
PERCENT = "InBezitWoningcorporatie_42"
GARBAGE = ["abc", "1.234", "12,5", "inf", "-3", "5.5", "1e12", "", ".", "NA", "x", "1,5.2",
           "--", "nan"]
NOT_A_NUMBER = ["abc", "inf", "-3", "1e12", "", ".", "NA", "1,5.2", "--", "250"]
FACTOR = {"AantalInwoners_5": 1000, "WestersTotaal_17": 3, "NietWestersTotaal_18": 3,
          "HuishoudensTotaal_28": 3, "Woningvoorraad_34": 1000, PERCENT: 10}
BUURT_LINES = st.integers(min_value=3, max_value=8)  # 1-based lines of the buurt rows


@st.composite
def garbage_cell(draw):
    line = draw(BUURT_LINES)
    column = draw(st.sampled_from(COUNTS + [PERCENT, "Codering_3"]))
    value = draw(st.sampled_from(NOT_A_NUMBER if column == PERCENT else GARBAGE))
    return ("cell", line, column, value)


@st.composite
def multiplied(draw):
    line = draw(BUURT_LINES)
    column = draw(st.sampled_from(sorted(FACTOR)))
    return ("multiply", line, column, FACTOR[column])


@st.composite
def cut_row(draw):
    line = draw(st.integers(min_value=2, max_value=8))
    width = len(join(odata_cells()[line - 1])) - 1
    return ("cut", line, None, draw(st.integers(min_value=1, max_value=width - 1)))


@st.composite
def mangled_code(draw):
    line = draw(BUURT_LINES)
    how = draw(st.sampled_from(["space", "lower", "question", "drop", "gm", "wk", "digit"]))
    position = draw(st.integers(min_value=2, max_value=9))
    return ("code", line, how, position)


def corrupt(kind, line, column, arg) -> list[str]:
    cells = odata_cells()
    row = cells[line - 1]
    if kind == "cut":
        lines = odata_lines()
        lines[line - 1] = lines[line - 1][:arg] + "\n"
        return lines
    if kind == "cell":
        row[COL[column]] = arg
    elif kind == "multiply":
        text = row[COL[column]].strip()
        number = float(text) * arg
        row[COL[column]] = f"{number:.1f}" if "." in text else str(int(number))
    else:
        code = row[COL["Codering_3"]].strip()
        code = {"space": code[:arg] + " " + code[arg:], "lower": code.lower(),
                "question": code[:arg] + "?" + code[arg + 1:], "drop": code[:arg] + code[
                    arg + 1:], "gm": "GM" + code[2:], "wk": "WK" + code[2:],
                "digit": code[:arg] + str((int(code[arg]) + 1) % 10) + code[arg + 1:]}[column]
        row[COL["Codering_3"]] = code
    return [join(r) for r in cells]


def _read(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        units = read_units(table=path, year=2019)
    return units, sorted((w.category.__name__, str(w.message).replace(str(path), "<file>"))
                         for w in caught)  # the file name differs, the rest must not


_CLEAN: list = []


def _reference(factory):
    """The clean table and its warnings, read once."""
    if not _CLEAN:
        clean = factory.mktemp("clean") / "table.csv"
        clean.write_text("".join(odata_lines()), encoding="utf-8")
        _CLEAN.append(_read(clean))
    return _CLEAN[0]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(garbage_cell(), multiplied(), cut_row(), mangled_code()))
def test_corruption_is_never_silent(tmp_path_factory, corruption):
    bad = tmp_path_factory.mktemp("prop") / "table.csv"
    reference, reference_warnings = _reference(tmp_path_factory)
    bad.write_text("".join(corrupt(*corruption)), encoding="utf-8")
    try:
        units, caught = _read(bad)
    except InputError:
        return
    if caught != reference_warnings:
        return  # the reader said something: not silent
    pd.testing.assert_frame_equal(pd.DataFrame(units.drop(columns="geometry")),
                                  pd.DataFrame(reference.drop(columns="geometry")))


def test_header_is_the_odata_layout():
    assert odata_cells()[0] == ODATA_HEADER
