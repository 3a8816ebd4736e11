"""Vitality screening (mixing.tables.vitality): formula, Leefbaarometer mapping, validation,
and the cross with LISA HH clusters of social housing (Den Haag 2019 expected local table).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO

from mixing.errors import InputError
from mixing.tables.vitality import LABELS_NL, LEEFBAAROMETER_TO_SCORE, vitality_table

LOCAL = REPO / "tests" / "expected" / "GM0518" / "local.csv"


@pytest.fixture(scope="module")
def units(den_haag_2019):
    return den_haag_2019[["unit_code", "unit_name", "municipality_code"]]


@pytest.fixture(scope="module")
def local():
    return pd.read_csv(LOCAL)


def _hh_codes(local):
    rows = local[(local["variable"] == "social_housing") & (local["quadrant"] == "HH")]
    return sorted(rows.loc[rows["significant_fdr"] == True, "unit_code"])  # noqa: E712


def test_formula_threshold_and_cross_with_lisa(units, local, tmp_path):
    hh = _hh_codes(local)
    assert hh, "the expected Den Haag table has FDR-significant HH buurten for social housing"
    not_hh = sorted(set(local.loc[local["variable"] == "social_housing", "unit_code"]) - set(hh))
    codes = [hh[0], hh[1], not_hh[0], not_hh[1]]
    path = tmp_path / "scores.csv"
    pd.DataFrame({"buurtcode": codes, "leefbaarheid": [3, 2, 3, 1],
                  "organiserend_vermogen": [3, 2, 2, 1], "veerkracht": [1, 2, 3, 1]}
                 ).to_csv(path, sep=";", index=False)
    table = vitality_table(path, units, local).set_index("unit_code")
    assert table.loc[codes, "vitality_score"].tolist() == [9, 8, 18, 1]
    assert table.loc[codes, "closer_look"].tolist() == [True, False, True, False]
    assert table.loc[codes, "lisa_hh"].tolist() == [True, True, False, False]
    assert table.loc[codes, "closer_look_and_hh"].tolist() == [True, False, False, False]
    assert (table["municipality_code"] == "GM0518").all()
    assert set(LABELS_NL) <= set(table.columns)


def test_leefbaarometer_class_mapping(units):
    codes = units["unit_code"].iloc[:9].tolist()
    scores = pd.DataFrame({"code": codes, "Leefbaarometer klasse": range(1, 10),
                           "organising_capacity": 3, "resilience": 1})
    table = vitality_table(scores, units).set_index("unit_code").loc[codes]
    assert table["liveability"].tolist() == [3, 3, 3, 2, 2, 1, 1, 1, 1]
    assert table["liveability"].tolist() == [LEEFBAAROMETER_TO_SCORE[k] for k in range(1, 10)]
    assert table["liveability_source"].iloc[0] == "leefbaarometer class 1"
    assert table["lisa_hh"].isna().all()  # no local table given


def test_codes_without_prefix_are_accepted(units):
    code = units["unit_code"].iloc[0]
    table = vitality_table(pd.DataFrame({"buurtcode": [code[2:]], "leefbaarheid": [2],
                                         "organiserend_vermogen": [2], "veerkracht": [3]}),
                           units)
    assert table["unit_code"].tolist() == [code] and table["vitality_score"].tolist() == [12]


def _write(tmp_path, rows, header="buurtcode;leefbaarheid;organiserend_vermogen;veerkracht"):
    path = tmp_path / "scores.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_unknown_code_names_file_row_value_and_fix(units, tmp_path):
    code = units["unit_code"].iloc[0]
    path = _write(tmp_path, [f"{code};1;1;1", "BU99999999;1;2;3"])
    with pytest.raises(InputError, match=r"scores.csv, column 'unit_code', row 3: unknown "
                                         r"buurt code \(1 of 2.*'BU99999999'.*Fix: use CBS"):
        vitality_table(path, units)


def test_score_outside_range(units, tmp_path):
    code = units["unit_code"].iloc[0]
    path = _write(tmp_path, [f"{code};1;4;1"])
    with pytest.raises(InputError, match=r"column 'organising_capacity', row 2: score must be "
                                         r"a whole number 1-3 \(got '4'\)"):
        vitality_table(path, units)
    path = _write(tmp_path, [f"{code};1;2.5;1"])
    with pytest.raises(InputError, match="got '2.5'"):
        vitality_table(path, units)
    path = _write(tmp_path, [f"{code};;2;1"])
    with pytest.raises(InputError, match="column 'liveability', row 2: score must be"):
        vitality_table(path, units)
    path = _write(tmp_path, [f"{code};10;2;1"],
                  header="buurtcode;leefbaarometer_klasse;organiserend_vermogen;veerkracht")
    with pytest.raises(InputError, match=r"whole number 1-9 \(got '10'\)"):
        vitality_table(path, units)


def test_duplicates_and_missing_columns(units, tmp_path):
    code = units["unit_code"].iloc[0]
    path = _write(tmp_path, [f"{code};1;1;1", f"{code[2:]};2;2;2"])
    with pytest.raises(InputError, match=r"row 3: buurt listed twice \(also row 2\)"):
        vitality_table(path, units)
    path = _write(tmp_path, [f"{code};1;1"], header="buurtcode;leefbaarheid;veerkracht")
    with pytest.raises(InputError, match=r"missing column\(s\) \['organising_capacity'\]"):
        vitality_table(path, units)
    path = _write(tmp_path, ["x;1"], header="naam;leefbaarheid")
    with pytest.raises(InputError, match="no buurt code column among"):
        vitality_table(path, units)
    path = _write(tmp_path, [f"{code};1;5;1;1"],
                  header="buurtcode;leefbaarheid;leefbaarometer_klasse;organiserend_vermogen;"
                         "veerkracht")
    with pytest.raises(InputError, match="not both"):
        vitality_table(path, units)
    with pytest.raises(InputError, match="not found"):
        vitality_table(tmp_path / "absent.csv", units)
