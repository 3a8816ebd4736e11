# Shared set-up: read and validate the config, map batches to municipalities, list outputs.
#
# Every rule has a {batch} wildcard (a batch of municipalities, named by its first and last
# code; start-up and shared reads are paid once per batch) or a {municipality} wildcard.
# A batch rule declares one folder, results/batches/{batch}/{rule}/, holding a hard link of
# every per-municipality file it wrote (results/{municipality}/...), so the set of rules is
# the same for 1 or 342 municipalities. A recorded file that is gone from results/ is
# asked for by the target `all` through the folder of that municipality's repair batch
# (GM0518-GM0518), so `snakemake -n` plans the job that writes the file again, for that
# municipality only; the repair folders are removed when the run ends.
import json
import os
import shutil
import sys
from pathlib import Path

import yaml
from snakemake.utils import validate

from mixing.errors import InputError
from mixing.tables.batch import batch_members, home_batch, make_batches, repair_batch
from mixing.tables.regions import COUNTRY
from mixing.viz.pages import municipality_links
from mixing.workflow_io import config_hash, missing_files, preflight, strict_yaml

REPO = Path(workflow.basedir)
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
CONFIG_FILES = [str(p) for p in workflow.overwrite_configfiles] or [
    str(REPO / "config" / "config.yaml")
]


def stop(message):
    """One line on the console, no traceback: the workflow cannot start with this config."""
    print(f"mixing: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# --configfile files are parsed by Snakemake before this runs (a syntax error there is
# Snakemake's message); re-read them strictly, so a duplicate key is an error, not the
# silent winner. The default config is read strictly before Snakemake loads it.
try:
    for _path in CONFIG_FILES:
        strict_yaml(_path)
except InputError as error:
    stop(error)
if not workflow.overwrite_configfiles:

    configfile: CONFIG_FILES[0]


try:  # schema, names, input files, vitality, scenarios: one line each (as check-config)
    preflight(config, yaml.safe_load(SCHEMA.read_text(encoding="utf-8")), CONFIG_FILES,
              base=REPO)
except InputError as error:
    stop(error)


def stale_lock_hint():
    """Say what to do when a killed run left Snakemake's lock (its LockException says little).

    Snakemake locks the working directory in .snakemake/locks while it runs; a run killed
    with SIGKILL (or an out-of-memory kill) cannot remove the lock, and the next run stops.
    """
    locks = Path(".snakemake") / "locks"
    if workflow.is_main_process and locks.is_dir() and any(locks.iterdir()):
        print("mixing: note: .snakemake/locks holds a lock. If no other snakemake runs in this "
              "folder (e.g. the last run was killed), the next line will be a LockException: "
              "run `snakemake --unlock` (same options, e.g. --configfile), then start again",
              file=sys.stderr, flush=True)


stale_lock_hint()
# defaults live in the schema only: fill them in here
validate(config, schema="../schemas/config.schema.yaml", set_default=True)
CONFIG_HASH = config_hash(config)

MUNICIPALITIES = sorted(config["municipalities"])
BATCHES = make_batches(MUNICIPALITIES, config["batch_size"])
BATCH_OF = {m: batch for batch, members in BATCHES.items() for m in members}
REGIONS = config.get("regions", {})
FIGURES = config["figures"]


wildcard_constraints:
    municipality=r"GM\d{4}|DEMO\d{2}",
    batch=r"(GM\d{4}|DEMO\d{2})(-(GM\d{4}|DEMO\d{2}))?",


def repo_path(path):
    """Input paths in the config are relative to the repository, not the working directory."""
    p = Path(path)
    return os.path.normpath(p if p.is_absolute() else REPO / p)


def source(municipality):
    return config["municipalities"][municipality]


def members(wildcards):
    """The municipalities of a batch (from the config; scripts get them as params)."""
    try:
        return batch_members(wildcards.batch, BATCHES)
    except InputError as error:
        stop(error)


def home(rule):
    """Input function: the folder of `rule` for the job's batch. A repair batch reads its
    home batch's folder, unless `rule` is being repaired for the same municipality too."""

    def folder(wildcards):
        batch = wildcards.batch
        if batch not in BATCHES and not any((rule, m) in GONE for m in members(wildcards)):
            batch = home_batch(batch, BATCHES)
        return batch_dir(rule, batch)

    return folder


def download_outputs(municipality):
    """The cache files `mixing.io.download` writes for a municipality's configured year."""
    from mixing.io.download import KERNCIJFERS_TABLES

    year = source(municipality)["year"]
    table = KERNCIJFERS_TABLES[year]
    return {
        "geometry": f"data/raw/cbs/{year}/{municipality}_buurt.geojson",
        "table": f"data/raw/cbs/{year}/{municipality}_kerncijfers_{table}.csv",
    }


def resolved_source(municipality):
    """The municipality's source with every path resolved (downloads: the cache files)."""
    src = {k: v for k, v in source(municipality).items()
           if k not in ("compare_years", "pc4_geometry")}
    if src.pop("download", False):
        src.update(download_outputs(municipality))
    else:
        for key in ("geometry", "regions"):
            if src.get(key):
                src[key] = repo_path(src[key])
        if src.get("table"):
            tables = src["table"] if isinstance(src["table"], list) else [src["table"]]
            src["table"] = [repo_path(t) for t in tables]
    return src | name_sources(municipality, src)


def name_sources(municipality, own):
    """Where unit names come from besides the municipality's own files (mixing.io.names):
    its other years' files, nearest year first, then the config's `names:` files."""
    mine = {own.get("geometry"), *(own.get("table") or [])}
    inputs = []
    year = source(municipality).get("year", 0)
    others = source(municipality).get("compare_years") or {}
    for other in sorted(others, key=lambda y: (abs(int(y) - year), int(y))):
        for key in ("table", "geometry"):
            value = others[other].get(key) or []
            for path in [value] if isinstance(value, str) else value:
                path = repo_path(path)
                if path not in mine and path not in inputs:
                    inputs.append(path)
    return {"name_inputs": inputs, "names": [repo_path(p) for p in config.get("names", [])]}


def source_files(codes):
    """Every input file of some municipalities, each once."""
    files = []
    for municipality in codes:
        src = resolved_source(municipality)
        for key in ("geometry", "table", "regions", "name_inputs", "names"):
            value = src.get(key)
            for path in value if isinstance(value, list) else [value]:
                if path and path not in files:
                    files.append(path)
    return files


def batch_dir(rule, batch):
    return f"results/batches/{batch}/{rule}"


def batch_dirs(rule, codes=None):
    """The output folders of `rule` for every batch holding one of `codes` (default all)."""
    batches = BATCHES if codes is None else sorted({BATCH_OF[m] for m in codes})
    return [batch_dir(rule, b) for b in batches]


def files(name, codes):
    """{municipality: results/{municipality}/{name}} for the given codes."""
    return {m: f"results/{m}/{name}" for m in codes}


def batch_files(name):
    """Params function: {municipality: path} of `name` for the job's batch."""
    return lambda wildcards: files(name, members(wildcards))


def compare_members(codes):
    return [m for m in codes if source(m).get("compare_years")]


def resolved_years(municipality):
    """The extra years of a municipality with resolved paths; geometry defaults to its own."""
    base = resolved_source(municipality)
    years = {}
    for year, other in source(municipality)["compare_years"].items():
        entry = {"year": int(year), "level": base.get("level", "buurt")}
        for key in ("geometry", "table"):
            value = other.get(key)
            if value:
                entry[key] = [repo_path(v) for v in value] if isinstance(value, list) else [
                    repo_path(value)]
        entry.setdefault("geometry", base.get("geometry"))
        if isinstance(entry["geometry"], list):
            entry["geometry"] = entry["geometry"][0]
        entry["columns"] = other.get("columns", base.get("columns"))
        years[int(year)] = entry
    return years


def compare_sources(municipality):
    """Every extra year's files of a municipality, resolved."""
    found = []
    for entry in resolved_years(municipality).values():
        for key in ("geometry", "table"):
            value = entry.get(key)
            for path in value if isinstance(value, list) else [value]:
                if path and path not in found:
                    found.append(path)
    return found


def vitality_files(codes):
    """{municipality: path} of the vitality screenings the config names."""
    return {m: repo_path(source(m)["vitality"]) for m in codes if source(m).get("vitality")}


def scenarios_file():
    return repo_path(config["scenarios"]) if config["scenarios"] else None


def scenario_names():
    """Scenario names of the configured scenarios file (validated by mixing.scenarios)."""
    if not config["scenarios"]:
        return []
    from mixing.scenarios import load_scenarios

    try:
        return sorted(load_scenarios(scenarios_file()))
    except InputError as error:
        stop(error)


SCENARIOS = scenario_names()


SUMMARIES = ["indices", "autocorrelation"] + (["scenarios"] if SCENARIOS else [])
BATCH_RULES = ["ingest", "weights", "indices", "autocorrelation", "scales", "map"]
BATCH_RULES += (["scenarios"] if SCENARIOS else []) + (["figures"] if FIGURES else [])
# {(rule, municipality): files}: recorded by a batch that ran, but gone from results/
GONE = missing_files("results", BATCHES, BATCH_RULES)


def scenario_inputs(wildcards):
    return [home("scenarios")(wildcards)] if SCENARIOS else []


def all_outputs():
    targets = [batch_dir(rule, b) for rule in BATCH_RULES for b in BATCHES]
    # a file gone from results/: its rule runs again for that municipality alone
    targets += [batch_dir(rule, repair_batch(m)) for rule, m in GONE]
    # every output of the other rules, not one of each: Snakemake plans a job again for a
    # missing output only when that output is asked for
    members = compare_members(MUNICIPALITIES)
    targets += expand(list(rules.change.output), municipality=members)
    targets += expand(list(rules.trends_page.output), municipality=members)
    targets += list(rules.run_record.output)
    targets += expand(list(rules.summary.output), table=SUMMARIES)
    targets += list(rules.regions.output) if REGIONS else []
    targets += list(rules.national.output) if config["national"]["enabled"] else []
    return targets + list(rules.overview.output)


# the per-municipality file each summary table stacks
SUMMARY_FILES = {"indices": "indices.parquet", "autocorrelation": "autocorrelation.csv",
                 "scenarios": "scenarios.parquet"}
# the rule that writes each per-municipality file (for per-file targets)
FILE_RULE = {
    "units.parquet": "ingest", "weights.npz": "weights", "indices.csv": "indices",
    "indices.parquet": "indices", "local_indices.csv": "indices",
    "autocorrelation.csv": "autocorrelation", "local.csv": "autocorrelation",
    "local.parquet": "autocorrelation", "scenarios.csv": "scenarios",
    "scenarios.parquet": "scenarios", "scenario_changes.csv": "scenarios",
    "scales.csv": "scales", "map.html": "map",
}


def remove_repair_folders():
    """A repair batch's folders have done their work once the run ends: remove them, so a
    file gone again is planned again (its home batch keeps the record of every file)."""
    for rule, municipality in GONE:
        folder = Path(batch_dir(rule, repair_batch(municipality)))
        shutil.rmtree(folder, ignore_errors=True)
        if folder.parent.is_dir() and not any(folder.parent.iterdir()):
            folder.parent.rmdir()

