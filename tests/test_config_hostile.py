"""Issue 23, the config side: check-config runs every check the workflow runs first.

Broken scenarios files (YAML syntax, a TAB, a Python tag, an unknown type, a missing
geometry_file), missing input files, bad vitality screenings: one ``mixing: error:`` line
from the API, ``mixing check-config`` and the workflow console, never "valid" and never a
traceback.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import pandas as pd
import pytest
from conftest import REPO

from mixing.cli import main
from mixing.errors import InputError
from mixing.scenarios import ScenarioError, load_scenarios
from mixing.tables.vitality import read_scores, vitality_table

SCHEMA = str(REPO / "workflow" / "schemas" / "config.schema.yaml")
DEMO_GEOMETRY = REPO / "data" / "raw" / "demo" / "buurten.gpkg"
DEMO_VITALITY = REPO / "data" / "raw" / "demo" / "vitality.csv"


def _config(tmp_path, scenarios="false", extra: str = "") -> str:
    path = tmp_path / "config.yaml"
    path.write_text(f"seed: 1\nscenarios: {scenarios}\nmunicipalities:\n  DEMO01:\n"
                    f"    geometry: {DEMO_GEOMETRY}\n    year: 2024\n{extra}",
                    encoding="utf-8")
    return str(path)


def _check(capsys, config: str) -> str:
    """The one stderr line of a failing check-config."""
    assert main(["check-config", config, "--schema", SCHEMA]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mixing: error:"), err
    return err[0]


BROKEN_SCENARIOS = [
    ("scenarios:\n  a: {type: spread, cap: 0.5\n", r"s.yaml, line 3: YAML syntax error"),
    ("scenarios:\n\ta:\n    type: spread\n", r"s.yaml, line 2: a TAB character; YAML indents "
                                             r"with spaces only"),
    ("scenarios:\n  a: !!python/object:os.system {}\n",
     r"s.yaml, line 2: the tag !!python/object:os.system is not allowed \(tags that create "
     r"Python objects are never loaded"),
    ("scenarios:\n  a: {type: spraed}\n", r"scenario 'a': unknown scenario type 'spraed'"),
    ("scenarios:\n  a: {type: new_district, geometry_file: nowhere.gpkg}\n",
     r"scenario 'a': geometry_file 'nowhere.gpkg' is not found"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN_SCENARIOS)
def test_broken_scenarios_file_api(tmp_path, text, message):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message) as raised:
        load_scenarios(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(("text", "message"), BROKEN_SCENARIOS)
def test_broken_scenarios_file_check_config(tmp_path, capsys, text, message):
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    line = _check(capsys, _config(tmp_path, scenarios=str(tmp_path / "s.yaml")))
    assert re.search(message, line), line


def test_scenario_geometry_file_that_is_no_map(tmp_path):
    (tmp_path / "district.gpkg").write_text("not a geopackage\n")
    path = tmp_path / "s.yaml"
    path.write_text(f"scenarios:\n  a: {{type: new_district, geometry_file: "
                    f"{tmp_path / 'district.gpkg'}}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scenario 'a': geometry_file .* cannot be used"):
        load_scenarios(path)


def test_missing_table_file(tmp_path, capsys):
    config = _config(tmp_path, extra=f"    table: {tmp_path / 'kwb.csv'}\n")
    line = _check(capsys, config)
    assert "municipalities.DEMO01.table: " in line and "kwb.csv does not exist" in line


def test_excel_table_in_the_config(tmp_path, capsys):
    pd.DataFrame({"a": [1]}).to_excel(tmp_path / "kwb.csv", index=False, engine="openpyxl")
    line = _check(capsys, _config(tmp_path, extra=f"    table: {tmp_path / 'kwb.csv'}\n"))
    assert re.search(r"kwb.csv: this file is an Excel workbook .*municipalities.DEMO01.table",
                     line), line


def test_valid_config_says_what_was_checked(tmp_path, capsys):
    config = _config(tmp_path, extra=f"    vitality: {DEMO_VITALITY}\n")
    assert main(["check-config", config, "--schema", SCHEMA]) == 0
    assert "valid (1 municipalities, 0 scenarios; input files, vitality screenings" in (
        capsys.readouterr().out)


# ------------------------------------------------------------------ vitality screenings
@pytest.mark.parametrize(("content", "message"), [
    (b"", r"v.csv: the vitality scores file is empty"),
    (b"buurtcode;leefbaarheid;organiserend_vermogen;veerkracht\n",
     r"v.csv: the vitality scores file has a header but no rows"),
    ("buurtcode;leefbaarheid;organiserend_vermogen;veerkracht\nBU00000001;3;3;1 (Café)\n"
     .encode("latin-1"), r"v.csv, line 2: the file is not UTF-8 text \(byte 0xe9 on line 2\)"
     r".*iconv"),
    (b"<html><body>Not found</body></html>", r"v.csv: this file is a web page"),
])
def test_bad_vitality_files(tmp_path, capsys, content, message):
    path = tmp_path / "v.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_scores(path)
    line = _check(capsys, _config(tmp_path, extra=f"    vitality: {path}\n"))
    assert re.search(message, line), line


def test_vitality_xlsx_is_read(tmp_path):
    frame = pd.read_csv(DEMO_VITALITY, sep=None, engine="python", dtype=str)
    path = tmp_path / "screening.xlsx"
    frame.to_excel(path, index=False, engine="openpyxl")
    scores, _ = read_scores(path)
    assert len(scores) == len(frame)
    units = pd.DataFrame({"unit_code": scores["unit_code"], "unit_name": "x",
                          "municipality_code": "DEMO01"})
    from_xlsx = vitality_table(path, units)
    from_csv = vitality_table(DEMO_VITALITY, units)
    assert from_xlsx["vitality_score"].tolist() == from_csv["vitality_score"].tolist()


# ------------------------------------------------------------------ scenario arguments
def test_restrict_to_unknown_codes_is_refused(den_haag_2019):
    from mixing.scenarios.transforms import differentiate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputError, match=r"restrict_to names unknown unit codes "
                                             r"\['BU99999999'\]"):
            differentiate(den_haag_2019, restrict_to=["BU99999999"])
        result = differentiate(den_haag_2019, restrict_to=["BU05180170"])
    assert result.costs.units_changed == 0


# ------------------------------------------------------------------ the workflow console
def _snakemake(workdir, *args):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), "--cores", "1", *args]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True)


@pytest.mark.workflow
def test_scenarios_yaml_error_is_one_line_on_the_console(tmp_path):
    (tmp_path / "s.yaml").write_text("scenarios:\n\ta: {type: spread}\n", encoding="utf-8")
    done = _snakemake(tmp_path, "--dry-run", "--configfile",
                      _config(tmp_path, scenarios=str(tmp_path / "s.yaml")))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("mixing: error:")]
    assert len(lines) == 1 and "s.yaml, line 2: a TAB character" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and "ParserError" not in done.stderr


@pytest.mark.workflow
def test_a_stale_lock_gets_a_note_with_the_fix(tmp_path):
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("")
    done = _snakemake(tmp_path, "--dry-run", "--configfile", _config(tmp_path))
    notes = [line for line in done.stderr.splitlines() if line.startswith("mixing: note:")]
    assert len(notes) == 1 and "run `snakemake --unlock`" in notes[0], done.stderr


# ------------------------------------------------------------------ installation and cluster
def test_old_python_is_told_the_python_version_before_dependencies():
    """setup.py runs while pip prepares metadata, before it resolves snakemake>=9."""
    guard = ("import sys; sys.version_info = (3, 10, 13); __file__ = 'setup.py'; "
             "exec(compile(open('setup.py').read(), 'setup.py', 'exec'))")
    done = subprocess.run([sys.executable, "-c", guard, "--version"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "mixing requires Python >= 3.11 (snakemake 9 does too)" in done.stderr


def test_run_slurm_without_a_venv_says_what_to_do(tmp_path):
    script = REPO / "benchmarks" / "cluster" / "run_slurm.sh"
    done = subprocess.run(["bash", str(script)], env={"PATH": "/usr/bin:/bin",
                                                      "VENV": str(tmp_path / "none")},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "run_slurm: error: snakemake is not on PATH and" in done.stderr
    assert "/work/venv" not in done.stderr


def test_unknown_column_spec_key_in_the_config(tmp_path, capsys):
    extra = "    columns: {population: {column: AANT_INW, units: count}}\n"
    line = _check(capsys, _config(tmp_path, extra=extra))
    assert re.search(r"config .*config.yaml: municipalities.DEMO01.columns\['population'\] has "
                     r"unknown key\(s\) \['units'\]", line), line


def test_missing_names_file(tmp_path, capsys):
    config = _config(tmp_path, extra=f"names: [{tmp_path / 'kwb_2024.csv'}]\n")
    line = _check(capsys, config)
    assert "names[0]: " in line and "kwb_2024.csv does not exist" in line
