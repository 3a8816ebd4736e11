"""Absurd sizes are refused before the work starts: config schema, check-config, the API.

The bounds are declared once, in :mod:`mixing.limits`; the config schema is tested equal
to them here, and every function taking a bounded count reads them through
:func:`mixing.checks.integer`.
"""

import errno
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from conftest import REPO, SEED

from mixing import limits
from mixing.checks import integer
from mixing.cli import main
from mixing.errors import InputError
from mixing.io.demo import make_demo_city
from mixing.io.files import write_table, write_text
from mixing.kernels import autocorr, mutual
from mixing.kernels.aspatial import bias_corrected_dissimilarity, con_prof, modified_dissimilarity
from mixing.kernels.inference import bootstrap_ci, single_value_test, two_value_test
from mixing.kernels.local import knn_neighbors
from mixing.scenarios import run_scenarios, scenario, target
from mixing.scenarios.types import scenario_schema
from mixing.tables.clusters import autocorrelation_tables
from mixing.tables.frames import index_table

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
ABSURD = 100_000_000  # the 1e8 permutations: 4.5 GiB before this bound


def _bounded_integers(node, path=""):
    """(key path, schema) of every integer property in the config schema."""
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            if isinstance(sub, dict) and sub.get("type") == "integer":
                yield f"{path}{key}", sub
            yield from _bounded_integers(sub, f"{path}{key}.")
        if isinstance(node.get("additionalProperties"), dict):
            yield from _bounded_integers(node["additionalProperties"], f"{path}*.")


def test_config_schema_maxima_are_the_package_bounds():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    counted = {path: sub for path, sub in _bounded_integers(schema)
               if path.rsplit(".", 1)[-1] in limits.MAX_COUNTS}
    assert set(counted) == {"indices.permutations", "indices.replicates",
                            "autocorrelation.permutations"}
    for path, sub in counted.items():
        assert sub["maximum"] == limits.MAX_COUNTS[path.rsplit(".", 1)[-1]], path


def _config(tmp_path, block: str):
    path = tmp_path / "config.yaml"
    path.write_text("seed: 1\nmunicipalities:\n  DEMO01: {geometry: data/raw/demo/buurten.gpkg}\n"
                    + block, encoding="utf-8")
    return path


@pytest.mark.parametrize(("block", "where"), [
    ("indices: {permutations: 100000000}\n", "indices.permutations"),
    ("indices: {replicates: 100000000}\n", "indices.replicates"),
    ("autocorrelation: {permutations: 100000000}\n", "autocorrelation.permutations"),
    ("indices: {permutations: 1.0e+8}\n", "indices.permutations"),
])
def test_check_config_refuses_absurd_counts_in_one_line(tmp_path, capsys, block, where):
    path = _config(tmp_path, block)
    assert main(["check-config", str(path), "--schema", str(SCHEMA)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"mixing: error: config {path}: {where}: 100000000")
    assert "greater than the maximum of 99999" in err


def test_check_config_as_a_command(tmp_path):
    path = _config(tmp_path, "indices: {permutations: 100000000}\n")
    done = subprocess.run([sys.executable, "-m", "mixing.cli", "check-config", str(path)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"mixing: error: config {path}: indices.permutations: 100000000 is greater than the "
        "maximum of 99999 (see config/README.md)"]


def test_the_workflow_validation_uses_the_same_bound():
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    config = {"seed": 1, "municipalities": {"DEMO01": {"geometry": "x.gpkg"}},
              "indices": {"permutations": ABSURD}}
    with pytest.raises(WorkflowError, match="greater than the maximum of 99999"):
        validate(config, str(SCHEMA))
    config["indices"]["permutations"] = limits.MAX_COUNTS["permutations"]
    validate(config, str(SCHEMA))


def test_integer_names_the_parameter_value_and_bound():
    assert integer(99_999, "permutations", 1) == 99_999
    with pytest.raises(InputError, match=r"^argument `permutations` must be an integer <= "
                       r"99999 \(the bound in mixing.limits.MAX_COUNTS\), got 100000000\. "
                       r"Fix: e.g. permutations=999$"):
        integer(ABSURD, "permutations", 1, example=999)
    assert integer(ABSURD, "seed_like_unbounded", 0) == ABSURD


GROUP, TOTAL = [10, 40, 25, 5], [100, 100, 100, 100]


@pytest.mark.parametrize(("call", "name"), [
    (lambda n: single_value_test("dissimilarity", GROUP, TOTAL, seed=SEED, permutations=n),
     "permutations"),
    (lambda n: two_value_test("dissimilarity", (GROUP, TOTAL), (GROUP, TOTAL), seed=SEED,
                              permutations=n), "permutations"),
    (lambda n: bootstrap_ci("dissimilarity", GROUP, TOTAL, seed=SEED, replicates=n),
     "replicates"),
    (lambda n: modified_dissimilarity(GROUP, TOTAL, seed=SEED, iterations=n), "iterations"),
    (lambda n: bias_corrected_dissimilarity(GROUP, TOTAL, seed=SEED, draws=n), "draws"),
    (lambda n: con_prof(GROUP, TOTAL, m=n), "m"),
    (lambda n: mutual.mutual_total([[1, 2], [3, 4]], se=True, replicates=n, seed=SEED),
     "replicates"),
    (lambda n: index_table(pd.DataFrame(), permutations=n), "permutations"),
    (lambda n: index_table(pd.DataFrame(), replicates=n), "replicates"),
    (lambda n: autocorrelation_tables(None, permutations=n, seed=SEED), "permutations"),
    (lambda n: run_scenarios(None, {}, seed=SEED, permutations=n), "permutations"),
])
def test_api_refuses_absurd_counts_before_working(call, name):
    with pytest.raises(InputError, match=rf"`{name}` must be an integer <= "
                       rf"{limits.MAX_COUNTS[name]} .* got {ABSURD}"):
        call(ABSURD)


def test_autocorrelation_kernels_are_bounded():
    from scipy import sparse

    w = sparse.csr_array([[0, 1], [1, 0]], dtype=float)
    with pytest.raises(InputError, match="`permutations` must be an integer <= 99999"):
        autocorr.moran([1.0, 2.0], w, permutations=ABSURD)


def test_knn_neighbours_are_bounded():
    with pytest.raises(InputError, match="`k` must be an integer <= 1000"):
        knn_neighbors([[0.0, 0.0], [1.0, 1.0]], k=ABSURD)


def test_scenario_sizes_are_bounded_in_the_schema_and_in_python():
    schema = scenario_schema()
    branches = {b["if"]["properties"]["type"]["const"]: b["then"]["properties"]
                for b in schema["$defs"]["scenario"]["allOf"]}
    assert branches["add_social"]["n"]["maximum"] == 1e7
    assert branches["target"]["budget"]["maximum"] == 1e7
    assert branches["new_district"]["dwellings"]["maximum"] == 1e6
    with pytest.raises(InputError, match=r"scenario 'veel': n must be in \[0, 10000000.0\]"):
        scenario("veel", "add_social", n=1e12)
    with pytest.raises(InputError, match=r"scenario 'fijn': budget / step = 10000000 greedy "
                       r"steps; at most 10000 are run .*Fix: step: 1000 or more"):
        scenario("fijn", "target", budget=1e7, step=1)


def test_target_api_refuses_a_step_that_would_loop_for_hours():
    city = make_demo_city()
    with pytest.raises(InputError, match=r"argument `step` \(0.001 dwellings\) would take "
                       r"\d+ greedy steps .* at most 10000"):
        target(city, budget=1000, step=0.001)


def test_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    """ENOSPC from the writer (as pandas and pyarrow raise it): one line, no partial file."""
    existing = tmp_path / "units.csv"
    existing.write_text("old\n")

    def full(self, path, *args, **kwargs):
        with open(path, "w") as handle:
            handle.write("half a table")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(InputError, match=rf"^no space left on device while writing "
                       rf"{existing}; nothing was written\. Fix: free space"):
        write_table(pd.DataFrame({"a": [1]}), existing)
    assert existing.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]

    def arrow_full(self, path, *args, **kwargs):  # pyarrow: the errno only in the text
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on "
                      "device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", arrow_full)
    with pytest.raises(InputError, match="no space left on device while writing"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "units.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]

    monkeypatch.setattr("pathlib.Path.write_text", lambda *a, **k: (_ for _ in ()).throw(
        OSError(errno.EDQUOT, "Disk quota exceeded")))
    with pytest.raises(InputError, match="no space left on device while writing .*x.html"):
        write_text(tmp_path / "x.html", "<p>")

    monkeypatch.undo()
    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", arrow_full)
    city = tmp_path / "city"
    assert main(["demo", "--out", str(city)]) == 0
    out = tmp_path / "out" / "units.parquet"
    code = main(["ingest", "--geometry", str(city / "buurten.gpkg"), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == (f"mixing: error: no space left on device while writing {out}; nothing "
                       "was written. Fix: free space on that disk (df -h shows it) or write "
                       "to another folder")
    assert not any(line.startswith("Traceback") for line in err)
    assert list(out.parent.iterdir()) == []


def test_other_os_errors_are_not_disguised(tmp_path, monkeypatch):
    def denied(self, path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(pd.DataFrame, "to_csv", denied)
    with pytest.raises(PermissionError):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert list(tmp_path.iterdir()) == []
