"""The workflow end to end: demo city and real CBS data, compared with committed expectations.

A change in any number fails here until the expected tables are regenerated on purpose:

    MIXING_UPDATE_EXPECTED=1 pytest tests/test_workflow.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from mixing.scenarios import load_scenarios
from mixing.scenarios.labels import scenario_title
from mixing.tables.batch import home_batch, make_batches, repair_batch
from mixing.workflow_io import strict_yaml

pytestmark = pytest.mark.workflow

EXPECTED = REPO / "tests" / "expected"
UPDATE = os.environ.get("MIXING_UPDATE_EXPECTED") == "1"
SHARED_CONFIG = REPO / "config" / "examples" / "shared-cbs.yaml"
SHARED_MUNICIPALITIES = ("GM0518", "GM0363", "GM0599")
TABLES = ("indices.csv", "local_indices.csv", "autocorrelation.csv", "local.csv",
          "scenarios.csv", "scales.csv")
CHANGE = {"GM0599": (2014, 2015, 2016, 2017, 2018), "GM0363": (2017, 2019)}
# Counts are sums of CBS integers; indices are deterministic floats. Tolerances only absorb
# platform differences in floating-point summation order.
RTOL, ATOL = 1e-9, 1e-12


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), "--cores", "2", *args]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True)


def run_ok(workdir: Path, *args: str) -> None:
    done = snakemake(workdir, *args)
    assert done.returncode == 0, f"snakemake failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"


def units_summary(path: Path) -> pd.DataFrame:
    """The units table without geometry, plus each unit's area, in a stable order."""
    units = gpd.read_parquet(path)
    table = pd.DataFrame(units.drop(columns="geometry"))
    table["area_m2"] = units.geometry.area.round(0)
    return table.sort_values(["level", "unit_code"]).reset_index(drop=True)


def compare(actual: pd.DataFrame, expected_path: Path) -> None:
    if UPDATE:
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        actual.to_csv(expected_path, index=False)
        return
    assert expected_path.exists(), (
        f"{expected_path} missing; generate it with MIXING_UPDATE_EXPECTED=1 pytest {__file__}"
    )
    expected = pd.read_csv(expected_path, keep_default_na=True)
    actual = pd.read_csv(pd.io.common.StringIO(actual.to_csv(index=False)))
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected), f"{expected_path.name}: row count changed"
    for column in expected.columns:
        got, want = actual[column], expected[column]
        if pd.api.types.is_numeric_dtype(want) and pd.api.types.is_numeric_dtype(got):
            np.testing.assert_allclose(
                got.to_numpy(float), want.to_numpy(float), rtol=RTOL, atol=ATOL,
                equal_nan=True, err_msg=f"{expected_path}: column {column}",
            )
        else:
            assert got.fillna("").astype(str).tolist() == want.fillna("").astype(str).tolist(), (
                f"{expected_path}: column {column}"
            )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("demo")
    run_ok(workdir)
    return workdir


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory, cbs_dir) -> Path:
    workdir = tmp_path_factory.mktemp("shared")
    run_ok(workdir, "--configfile", str(SHARED_CONFIG))
    return workdir


def test_demo_produces_the_three_outputs(demo_run):
    out = demo_run / "results" / "DEMO01"
    for name in ("units.parquet", "indices.csv", "autocorrelation.csv", "local.csv",
                 "local.parquet", "weights.npz", "map.html", "figures/share.png",
                 "figures/lisa.svg"):
        assert (out / name).stat().st_size > 0, name
    for rule in ("ingest", "weights", "indices", "autocorrelation", "map", "figures"):
        assert (demo_run / "logs" / rule / "DEMO01.log").exists()
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "synthetische demogemeente" in html and "niet van CBS" in html
    assert (demo_run / "results" / "index.html").stat().st_size > 0
    assert (out / "scenario_units" / "spreiden_50.parquet").stat().st_size > 0
    specs = load_scenarios(REPO / "config" / "scenarios.yaml")
    for name, spec in specs.items():  # each scenario is a map layer, titled in Dutch
        assert html_escape(scenario_title(spec, "nl", specs)) in html, name
    page = (out / "scenarios.html").read_text(encoding="utf-8")
    assert "Scenario&#x27;s vergeleken" in page and "map.html#BU" in page
    assert (out / "vitality.csv").stat().st_size > 0 and "Vitaliteitsscan" in html


def test_demo_matches_expected_tables(demo_run):
    out = demo_run / "results" / "DEMO01"
    for name in TABLES:
        compare(pd.read_csv(out / name), EXPECTED / "DEMO01" / name)
    compare(units_summary(out / "units.parquet"), EXPECTED / "DEMO01" / "units.csv")
    compare(pd.read_csv(out / "vitality.csv"), EXPECTED / "DEMO01" / "vitality.csv")


def planned_jobs(output: str) -> set[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run plans, except rule all."""
    jobs = set()
    for block in re.split(r"\n\s*\n", output):
        head = re.search(r"^(?:local)?rule (\w+):$", block, flags=re.MULTILINE)
        if head and head.group(1) != "all":
            wildcards = re.search(r"^\s+wildcards: (.*)$", block, flags=re.MULTILINE)
            jobs.add((head.group(1), wildcards.group(1) if wildcards else ""))
    return jobs


#: One per-municipality file of each kind -> the one job a dry run plans when it is gone:
#: its batch rule for the municipality alone (the repair batch, mixing.tables.batch).
DEMO_FILE_JOBS = {
    "units.parquet": ("ingest", "batch=DEMO01-DEMO01"),
    "caveats.csv": ("ingest", "batch=DEMO01-DEMO01"),
    "weights.npz": ("weights", "batch=DEMO01-DEMO01"),
    "indices.csv": ("indices", "batch=DEMO01-DEMO01"),
    "local_indices.csv": ("indices", "batch=DEMO01-DEMO01"),
    "local.parquet": ("autocorrelation", "batch=DEMO01-DEMO01"),
    "vitality.csv": ("autocorrelation", "batch=DEMO01-DEMO01"),
    "scales.csv": ("scales", "batch=DEMO01-DEMO01"),
    "scenarios.csv": ("scenarios", "batch=DEMO01-DEMO01"),
    "scenario_changes.csv": ("scenarios", "batch=DEMO01-DEMO01"),
    "scenario_units/spreiden_50.parquet": ("scenarios", "batch=DEMO01-DEMO01"),
    "map.html": ("map", "batch=DEMO01-DEMO01"),
    "scenarios.html": ("map", "batch=DEMO01-DEMO01"),
    "figures/lisa.svg": ("figures", "batch=DEMO01-DEMO01"),
    "provenance.json": ("run_record", ""),
}


def test_a_deleted_result_file_plans_the_job_that_writes_it(demo_run, tmp_path):
    done = snakemake(demo_run, "--dry-run")
    assert "Nothing to be done" in done.stdout + done.stderr, done.stdout[-2000:]
    written = {p.relative_to(demo_run / "results" / "DEMO01").as_posix()
               for p in (demo_run / "results" / "DEMO01").rglob("*") if p.is_file()}
    kinds = {name if "/" not in name else name.split("/")[0] for name in written}
    assert kinds == {name if "/" not in name else name.split("/")[0]
                     for name in DEMO_FILE_JOBS} | {"indices.parquet", "autocorrelation.csv",
                                                     "local.csv", "scenarios.parquet"}
    for name, job in DEMO_FILE_JOBS.items():
        path = demo_run / "results" / "DEMO01" / name
        held = tmp_path / path.name
        shutil.move(path, held)
        try:
            done = snakemake(demo_run, "--dry-run")
        finally:
            shutil.move(held, path)
        assert done.returncode == 0, done.stderr[-3000:]
        assert planned_jobs(done.stdout) == {job}, f"{name}: {done.stdout[-3000:]}"


def test_the_planned_job_writes_the_deleted_file_again(demo_run, tmp_path):
    work = tmp_path / "copy"
    shutil.copytree(demo_run, work, symlinks=True)
    gone = work / "results" / "DEMO01" / "indices.csv"
    gone.unlink()
    run_ok(work)
    assert gone.read_bytes() == (demo_run / "results" / "DEMO01" / "indices.csv").read_bytes()
    done = snakemake(work, "--dry-run")
    assert "Nothing to be done" in done.stdout + done.stderr, done.stdout[-2000:]
    # the repair batch's folder is gone after the run, so the file is repaired again
    assert not (work / "results" / "batches" / "DEMO01-DEMO01").exists()
    gone.unlink()
    assert planned_jobs(snakemake(work, "--dry-run").stdout) == {
        ("indices", "batch=DEMO01-DEMO01")}


def test_same_inputs_and_seed_give_identical_tables(demo_run, tmp_path):
    shutil.copytree(demo_run / "results", tmp_path / "first")
    run_ok(demo_run, "--forceall")
    for name in ("indices.csv", "indices.parquet", "autocorrelation.csv", "local.csv"):
        first = (tmp_path / "first" / "DEMO01" / name).read_bytes()
        assert (demo_run / "results" / "DEMO01" / name).read_bytes() == first, name
    pd.testing.assert_frame_equal(
        units_summary(demo_run / "results" / "DEMO01" / "units.parquet"),
        units_summary(tmp_path / "first" / "DEMO01" / "units.parquet"),
    )


@pytest.mark.parametrize("municipality", SHARED_MUNICIPALITIES)
def test_real_cbs_data_matches_expected_tables(shared_run, municipality):
    out = shared_run / "results" / municipality
    assert (out / "map.html").stat().st_size > 0
    for name in TABLES:
        compare(pd.read_csv(out / name), EXPECTED / municipality / name)
    compare(units_summary(out / "units.parquet"), EXPECTED / municipality / "units.csv")


def test_dry_run_plans_every_rule(tmp_path):
    done = snakemake(tmp_path, "--dry-run", "--configfile", str(SHARED_CONFIG))
    assert done.returncode == 0, done.stderr[-3000:]
    for rule in ("ingest", "weights", "indices", "autocorrelation", "scenarios", "map",
                 "change", "overview", "all"):
        assert f"rule {rule}:" in done.stdout


def test_lint_finds_nothing_but_the_conda_advice(tmp_path):
    # The rules run in the environment that `pip install` made (one package, pinned in
    # pyproject.toml), by decision not per-rule conda environments; every other lint counts.
    done = snakemake(tmp_path, "--lint")
    text = done.stdout + done.stderr
    lints = [line.strip() for line in text.splitlines() if line.strip().startswith("* ")]
    assert lints, "snakemake --lint printed no lints at all; has its output format changed?"
    assert all("conda environment or container" in lint for lint in lints), text[-3000:]


def test_invalid_config_is_refused_with_the_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\nlanguage: fr\nmunicipalities:\n  DEMO01:\n"
                   "    geometry: data/raw/demo/buurten.gpkg\n", encoding="utf-8")
    done = snakemake(tmp_path, "--dry-run", "--configfile", str(bad))
    assert done.returncode != 0
    text = done.stdout + done.stderr
    assert "'fr' is not one of ['nl', 'en']" in text and "language" in text


def test_national_summary_stacks_every_municipality(shared_run):
    summary = pd.read_csv(shared_run / "results" / "summary" / "indices.csv")
    assert sorted(summary["municipality_code"].unique()) == sorted(SHARED_MUNICIPALITIES)
    # the first column says which run wrote each row: here all rows are this run's
    (record,) = (shared_run / "results" / "runs").glob("*.json")
    assert summary.columns[0] == "run" and set(summary["run"]) == {record.stem}
    for municipality in SHARED_MUNICIPALITIES:
        own = pd.read_csv(shared_run / "results" / municipality / "indices.csv")
        pd.testing.assert_frame_equal(
            summary[summary["municipality_code"] == municipality].drop(columns="run")
            .reset_index(drop=True), own)


@pytest.mark.parametrize("municipality", sorted(CHANGE))
def test_years_are_compared_on_one_geometry(shared_run, municipality):
    out = shared_run / "results" / municipality / "change"
    for name in ("trends", "tests", "decomposition", "harmonisation"):
        compare(pd.read_csv(out / f"{name}.csv"),
                EXPECTED / municipality / "change" / f"{name}.csv")
    harmonisation = pd.read_csv(out / "harmonisation.csv")
    assert harmonisation["year"].tolist() == list(CHANGE[municipality])
    assert (harmonisation["n_by_code"] == harmonisation["n_source_units"]).all()
    parts = pd.read_csv(out / "decomposition.csv").pivot_table(
        index=["year_from", "year_to"], columns="component", values="value")
    components = parts[["group_marginal", "unit_marginal", "structural", "additions",
                        "removals"]].sum(axis=1)
    np.testing.assert_allclose(components, parts["difference"], atol=1e-12)


def test_one_batch_for_all_municipalities_gives_the_same_tables(shared_run, tmp_path):
    targets = [f"results/{m}/{name}" for m in SHARED_MUNICIPALITIES for name in TABLES
               if name not in ("scales.csv",)]
    run_ok(tmp_path, *targets, "results/summary/autocorrelation.csv",
           "results/summary/scenarios.csv", "--configfile", str(SHARED_CONFIG),
           "--config", "batch_size=3")
    for rule in ("ingest", "weights", "indices", "autocorrelation", "scenarios"):
        # one job per rule for the three municipalities: logs/{rule}/{batch}.log
        assert [p.name for p in (tmp_path / "logs" / rule).glob("*.log")] == [
            "GM0363-GM0599.log"], rule
    assert (tmp_path / "results" / "summary" / "autocorrelation.csv").exists()
    assert (tmp_path / "results" / "summary" / "scenarios.csv").exists()
    for municipality in SHARED_MUNICIPALITIES:
        for name in TABLES[:-1]:
            # same draws; only float summation order may differ with the batch's shape
            pd.testing.assert_frame_equal(
                pd.read_csv(tmp_path / "results" / municipality / name),
                pd.read_csv(shared_run / "results" / municipality / name), rtol=1e-12)


def test_snakemake_report_builds_with_captions(demo_run):
    import zipfile

    run_ok(demo_run, "--report", str(demo_run / "report.zip"))
    with zipfile.ZipFile(demo_run / "report.zip") as report:
        names = report.namelist()
        assert any(name.endswith("map.html") for name in names)
        assert any(name.endswith("indices.csv") for name in names)
        html = next(report.read(n).decode() for n in names if n.endswith("report.html"))
    assert "Moran" in html  # the autocorrelation caption


def test_postcode_zoning_enters_the_scales_table(tmp_path, cbs_dir):
    config = REPO / "config" / "examples" / "apeldoorn-pc4.yaml"
    run_ok(tmp_path, "results/GM0200/scales.csv", "--configfile", str(config))
    scales = pd.read_csv(tmp_path / "results" / "GM0200" / "scales.csv")
    d = scales.set_index(["dimension", "index"]).loc[("origin_outside_europe", "dissimilarity")]
    assert d["n_units_buurt"] == 93 and d["n_units_pc4"] == 39  # Apeldoorn's populated PC4s
    # finer zonings show more unevenness: buurt > pc4 > wijk for Apeldoorn in 2024
    assert d["value_buurt"] > d["value_pc4"] > d["value_wijk"] > 0
    assert d["ratio_buurt_wijk"] == pytest.approx(d["value_buurt"] / d["value_wijk"])


NATIONAL_CONFIG = REPO / "config" / "examples" / "nl-2024.yaml"


def test_rules_are_the_same_for_the_demo_and_the_national_config(tmp_path):
    demo = snakemake(tmp_path, "--list-rules")
    national = snakemake(tmp_path, "--list-rules", "--configfile", str(NATIONAL_CONFIG))
    assert demo.returncode == national.returncode == 0, demo.stderr[-2000:]
    rules = demo.stdout.split()
    assert rules == national.stdout.split()
    for rule in ("ingest", "weights", "indices", "autocorrelation", "scenarios", "scales",
                 "change", "map", "figures", "summary", "regions", "overview", "run_record"):
        assert rule in rules
    # the national dry run plans batch jobs (342 municipalities, batch_size 50 -> 7 batches)
    # without reading the national files
    done = snakemake(tmp_path, "--dry-run", "--configfile", str(NATIONAL_CONFIG))
    assert done.returncode == 0, done.stderr[-3000:]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", done.stdout, flags=re.MULTILINE))
    assert counts["ingest"] == counts["indices"] == counts["map"] == "7"
    assert counts["regions"] == "1"


def test_national_dry_run_plans_the_job_of_a_deleted_file(tmp_path, cbs_dir):
    national = tmp_path / "nl-2024.yaml"  # the national config, reading the shared data
    national.write_text(NATIONAL_CONFIG.read_text(encoding="utf-8").replace(
        "../shared/data/cbs", str(cbs_dir)), encoding="utf-8")
    config = strict_yaml(national)
    batches = make_batches(list(config["municipalities"]), config["batch_size"])
    home = home_batch(repair_batch("GM0518"), batches)
    assert home != "GM0518" and len(batches[home]) == 50
    # GM0518's batch ran (its record of indices.csv is there); the file itself is gone
    record = tmp_path / "results" / "batches" / home / "indices" / "GM0518" / "indices.csv"
    record.parent.mkdir(parents=True)
    record.write_text("index\n", encoding="utf-8")
    (tmp_path / "results" / "GM0518").mkdir()
    done = snakemake(tmp_path, "--dry-run", "--configfile", str(national))
    assert done.returncode == 0, done.stdout[-3000:]
    jobs = planned_jobs(done.stdout)
    assert ("indices", "batch=GM0518-GM0518") in jobs
    assert {b for rule, b in jobs if rule == "indices"} == {
        f"batch={b}" for b in [*batches, "GM0518-GM0518"]}
    assert not any("GM0518-GM0518" in w for rule, w in jobs if rule != "indices")


def test_an_input_error_is_one_line_on_the_console(tmp_path):
    (tmp_path / "bad.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    config = tmp_path / "bad.yaml"
    config.write_text(f"seed: 1\nmunicipalities:\n  GM0518:\n    table: {tmp_path / 'bad.csv'}\n"
                      "    year: 2019\n", encoding="utf-8")
    done = snakemake(tmp_path, "--configfile", str(config))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("mixing: error:")]
    assert len(lines) == 1 and "no code column" in lines[0] and "bad.csv" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    log = (tmp_path / "logs" / "ingest" / "GM0518.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "InputError" in log  # the traceback went to the log


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\nmunicipalities:\n  DEMO01: {geometry: data/raw/demo/buurten.gpkg}\n"
     "  DEMO01: {geometry: other.gpkg}\n", "key 'DEMO01' appears twice (lines 3 and 4)"),
    ("seed: 1\nmunicipalities:\n  DEMO01: {geometry: data/raw/demo/buurten.gpkg}\n"
     "regions:\n  r: [DEMO01, GM0518]\n", "regions.r names GM0518, which is not under"),
    ("seed: 1\nbatch_size: 0\nmunicipalities:\n  DEMO01: {geometry: x.gpkg}\n",
     "batch_size: 0 is less than the minimum of 1"),
    ("seed: 1\nlevel: [buurt]\nmunicipalities:\n  DEMO01: {geometry: x.gpkg}\n",
     "allowed keys: autocorrelation, batch_size,"),
    ("seed: 1\nindices: {indices: [dissimilarty]}\nmunicipalities:\n"
     "  DEMO01: {geometry: x.gpkg}\n",
     "indices.indices: unknown 'dissimilarty'; valid: dissimilarity, gini,"),
    ("seed: 1\nindices: {inference: [diversity]}\nmunicipalities:\n  DEMO01: {geometry: x.gpkg}\n",
     "indices.inference: unknown 'diversity'; valid: dissimilarity,"),
])
def test_config_errors_are_one_line(tmp_path, text, message):
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    done = snakemake(tmp_path, "--dry-run", "--configfile", str(config))
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith("mixing: error:")]
    assert len(lines) == 1 and message in lines[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "properties:" not in done.stderr


def ermelo_config(tmp_path, cbs_dir, policy):
    config = tmp_path / "ermelo.yaml"
    config.write_text(
        f"seed: 1\nscenarios: false\nfigures: false\non_bad_municipality: {policy}\n"
        "municipalities:\n  DEMO01: {geometry: data/raw/demo/buurten.gpkg, year: 2024}\n"
        f"  GM0233: {{geometry: {cbs_dir / 'pdok_gpkg_ermelo_2021' / 'CBS_buurten.gpkg'}, "
        "year: 2021}\n", encoding="utf-8")
    return config


def test_a_municipality_without_population_stops_the_run(tmp_path, cbs_dir):
    done = snakemake(tmp_path, "--configfile", str(ermelo_config(tmp_path, cbs_dir, "stop")))
    assert done.returncode == 1
    assert ("mixing: error: municipality GM0233 has no usable data: population and dwellings "
            "are unknown (empty or hidden by CBS) for all 17 units") in done.stderr
    assert not (tmp_path / "results" / "index.html").exists()


def test_skip_writes_a_no_data_page_and_lists_the_reason(tmp_path, cbs_dir):
    run_ok(tmp_path, "--configfile", str(ermelo_config(tmp_path, cbs_dir, "skip")))
    results = tmp_path / "results"
    page = (results / "GM0233" / "map.html").read_text(encoding="utf-8")
    assert "GM0233: geen gegevens" in page and "population and dwellings are unknown" in page
    assert not (results / "GM0233" / "indices.csv").exists()
    overview = (results / "index.html").read_text(encoding="utf-8")
    assert "Geen gegevens" in overview and "GM0233" in overview
    summary = pd.read_csv(results / "summary" / "indices.csv")
    assert summary["municipality_code"].unique().tolist() == ["DEMO01"]
    record = json.loads((results / "GM0233" / "provenance.json").read_text(encoding="utf-8"))
    assert record["status"] == "no data" and record["seed"] == 1
    assert record["inputs"] == {
        str(cbs_dir / "pdok_gpkg_ermelo_2021" / "CBS_buurten.gpkg"):
            "81ef6d7ae84d398c662f01865ab3966062deb19e7a7477cb5333db83a1af6b25"}


def test_run_records_and_a_second_config_adds_to_the_summary(demo_run, tmp_path):
    record = json.loads((demo_run / "results" / "DEMO01" / "provenance.json").read_text())
    assert record["seed"] == 20241231 and record["status"] == "ok"
    assert len(record["config_hash"]) == 12 and len(record["inputs"]) == 1
    runs = list((demo_run / "results" / "runs").glob("*.json"))
    assert [p.stem for p in runs] == [record["config_hash"]]
    # per-buurt scenario results as CSV beside the GeoParquet
    after = pd.read_csv(demo_run / "results" / "DEMO01" / "scenario_units" / "spreiden_50.csv")
    assert len(after) == len(gpd.read_parquet(
        demo_run / "results" / "DEMO01" / "scenario_units" / "spreiden_50.parquet"))



def test_a_demo_code_not_in_its_data_is_a_clear_error(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("seed: 1\nscenarios: false\nfigures: false\nmunicipalities:\n"
                     "  DEMO02: {geometry: data/raw/demo/buurten.gpkg, year: 2024}\n",
                     encoding="utf-8")
    done = snakemake(tmp_path, "--configfile", str(other))
    assert done.returncode == 1
    assert ("mixing: error: municipality DEMO02 has no usable data: no units with this code "
            "in the data in ") in done.stderr and "buurten.gpkg" in done.stderr
    assert not (tmp_path / "results" / "DEMO02" / "indices.csv").exists()

