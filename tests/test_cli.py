"""The console script answers --version and --help, and reports bad input without a traceback."""

import re
import subprocess
import sys

import pytest
from conftest import REPO

import mixing
from mixing.cli import main


def test_version_and_help():
    done = subprocess.run(["mixing", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"mixing {mixing.__version__}"
    done = subprocess.run(["mixing", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in done.stdout and "ingest" in done.stdout


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage: mixing" in capsys.readouterr().out


def test_bad_input_is_one_clear_line(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    code = main(["ingest", "--table", str(missing), "--year", "2019",
                 "--out", str(tmp_path / "u.parquet")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("mixing: error:") and "nope.csv" in err
    assert "Traceback" not in err
    assert not (tmp_path / "u.parquet").exists()


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "mixing.cli", "--version"],
                          capture_output=True, text=True, check=True)
    assert "mixing" in done.stdout


def test_demo_command_writes_the_synthetic_city(tmp_path, capsys):
    import geopandas as gpd

    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert "synthetic demo city written" in capsys.readouterr().out
    units = gpd.read_file(tmp_path / "buurten.gpkg")
    assert len(units) == 135 and units["municipality_code"].eq("DEMO01").all()
    assert "SYNTHETIC" in (tmp_path / "README.md").read_text(encoding="utf-8").upper()


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\nmunicipalities:\n  DEMO01: {geometry: x.gpkg\n  GM0518: {}\n",
     r"config\.yaml, line 4: YAML syntax error"),
    ("", r"config\.yaml: the config file is empty"),
    ("seed: 1\nmunicipalities:\n  DEMO01: {geometry: a}\n  DEMO01: {geometry: b}\n",
     r"config\.yaml, line 4: key 'DEMO01' appears twice \(lines 3 and 4\)"),
    ("seed: 1\nindices: {indices: [dissim]}\nmunicipalities:\n  DEMO01: {geometry: a}\n",
     r"indices\.indices: unknown 'dissim'; valid: dissimilarity"),
])
def test_check_config_names_the_file_and_line(tmp_path, capsys, text, message):
    # snakemake reports a YAML error in --configfile without file or line; this does
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", str(path), "--schema",
                 str(REPO / "workflow" / "schemas" / "config.schema.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mixing: error:")
    assert re.search(message, err[0]), err[0]


def test_check_config_accepts_the_shipped_configs(capsys):
    for name in ("config/config.yaml", "config/examples/nl-2024.yaml"):
        assert main(["check-config", str(REPO / name), "--schema",
                     str(REPO / "workflow" / "schemas" / "config.schema.yaml")]) == 0
    assert "valid (342 municipalities," in capsys.readouterr().out
