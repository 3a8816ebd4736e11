"""The console script answers --version and --help, and reports bad input without a traceback."""

import subprocess
import sys

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
