# Shared set-up: validate the config, resolve input paths, list the outputs.
import os
from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

REPO = Path(workflow.basedir)
MUNICIPALITIES = sorted(config["municipalities"])


wildcard_constraints:
    municipality=r"GM\d{4}|DEMO\d{2}",


def repo_path(path):
    """Input paths in the config are relative to the repository, not the working directory."""
    p = Path(path)
    return os.path.normpath(p if p.is_absolute() else REPO / p)


def source(municipality):
    return config["municipalities"][municipality]


def download_outputs(municipality):
    """The cache files `mixing.download` writes for a municipality's configured year."""
    from mixing.download import KERNCIJFERS_TABLES

    year = source(municipality)["year"]
    table = KERNCIJFERS_TABLES[year]
    return {
        "geometry": f"data/raw/cbs/{year}/{municipality}_buurt.geojson",
        "table": f"data/raw/cbs/{year}/{municipality}_kerncijfers_{table}.csv",
    }


def ingest_inputs(wildcards):
    src = source(wildcards.municipality)
    if src.get("download"):
        return download_outputs(wildcards.municipality)
    inputs = {}
    if src.get("geometry"):
        inputs["geometry"] = repo_path(src["geometry"])
    if src.get("table"):
        tables = src["table"] if isinstance(src["table"], list) else [src["table"]]
        inputs["table"] = [repo_path(t) for t in tables]
    return inputs


def all_outputs():
    return expand(
        "results/{municipality}/{name}",
        municipality=MUNICIPALITIES,
        name=["units.parquet", "indices.csv", "map.html"],
    )
