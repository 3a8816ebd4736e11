"""Compare years of a municipality: harmonise to the baseline geometry, then trends, tests,
per-unit change and the decomposition of the change in M (Elbers 2023)."""

import geopandas as gpd

from mixing.geometry.harmonise import harmonise
from mixing.io.cbs import read_units
from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.schema import analysis_level
from mixing.tables.change import compare_years

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("change", municipality="GM0599",
                               configfile="config/examples/shared-cbs.yaml")

with script_log(snakemake.log[0]) as log:
    params = snakemake.params
    code = snakemake.wildcards.municipality
    base = gpd.read_parquet(params.units)
    base = base[base["level"] == analysis_level(base)]
    target_year = int(base["year"].iloc[0])
    by_year = {target_year: base}
    for year, src in params.years.items():
        tables = src.get("table")
        by_year[int(year)] = read_units(
            geometry=src.get("geometry"), table=tables[0] if tables and len(tables) == 1
            else tables, level=src["level"], year=int(year), columns=src.get("columns"),
            municipality=code)
    stacked, report = harmonise(by_year, target_year=target_year)
    years = {int(y): part for y, part in stacked.groupby("year")}
    result = compare_years(years, seed=params.seed)
    tables = {"trends": result.trends, "tests": result.tests, "units": result.units,
              "decomposition": result.decomposition, "harmonisation": report.summary}
    for name, table in tables.items():
        write_table(table, snakemake.output[name])
    log.info("%s: years %s on the %d geometry; %s", code, sorted(years), target_year,
             "; ".join(result.notes) or "all inference available")
