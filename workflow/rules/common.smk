# Shared set-up: validate the config, resolve input paths, list the outputs.
import os
from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

from mixing.tables.batch import make_batches

REPO = Path(workflow.basedir)
MUNICIPALITIES = sorted(config["municipalities"])
# Jobs work on batches of municipalities so start-up costs are paid once per batch.
BATCHES = make_batches(MUNICIPALITIES, config.get("batch_size", 1))


wildcard_constraints:
    municipality=r"GM\d{4}|DEMO\d{2}",


def repo_path(path):
    """Input paths in the config are relative to the repository, not the working directory."""
    p = Path(path)
    return os.path.normpath(p if p.is_absolute() else REPO / p)


def source(municipality):
    return config["municipalities"][municipality]


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
    src = dict(source(municipality))
    if src.pop("download", False):
        src.update(download_outputs(municipality))
        return src
    if src.get("geometry"):
        src["geometry"] = repo_path(src["geometry"])
    if src.get("table"):
        tables = src["table"] if isinstance(src["table"], list) else [src["table"]]
        src["table"] = [repo_path(t) for t in tables]
    return src


def source_files(members):
    """Every input file of a batch, each once."""
    files = []
    for municipality in members:
        src = resolved_source(municipality)
        for key in ("geometry", "table"):
            value = src.get(key)
            for path in value if isinstance(value, list) else [value]:
                if path and path not in files:
                    files.append(path)
    return files


def per_municipality(pattern, members):
    return expand(pattern, municipality=members)


def figure_outputs(name, members):
    return {
        f"{name}_{ext}": per_municipality(f"results/{{municipality}}/figures/{name}.{ext}", members)
        for ext in ("png", "svg")
    }


def compare_members(members):
    return [m for m in members if source(m).get("compare_years")]


def compare_sources(members):
    """Every extra year's files of the batch, resolved."""
    files = []
    for m in compare_members(members):
        for other in source(m)["compare_years"].values():
            for key in ("geometry", "table"):
                value = other.get(key)
                for path in value if isinstance(value, list) else [value]:
                    if path and repo_path(path) not in files:
                        files.append(repo_path(path))
    return files


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


def all_outputs():
    per_code = expand(
        "results/{municipality}/{name}",
        municipality=MUNICIPALITIES,
        name=["units.parquet", "indices.csv", "autocorrelation.csv", "local.csv", "map.html"],
    )
    summaries = ["results/summary/indices.csv", "results/summary/autocorrelation.csv"]
    if SCENARIOS:
        per_code += expand("results/{municipality}/scenarios.csv", municipality=MUNICIPALITIES)
        summaries.append("results/summary/scenarios.csv")
    per_code += expand("results/{municipality}/scales.csv", municipality=MUNICIPALITIES)
    per_code += [f"results/{m}/change/trends.csv" for m in compare_members(MUNICIPALITIES)]
    if REGIONS:
        summaries.append("results/summary/regions.csv")
    return per_code + summaries + ["results/index.html"]


def scenario_names():
    """Scenario names of the configured scenarios file (validated by mixing.scenarios)."""
    if not config.get("scenarios", True):
        return []
    from mixing.scenarios import load_scenarios

    return sorted(load_scenarios(scenarios_file()))


def scenarios_file():
    return repo_path(config.get("scenarios") or "config/scenarios.yaml")
