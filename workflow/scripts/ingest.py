"""Read one municipality's CBS files into the canonical units table, at every configured level."""

import pandas as pd

from mixing.aggregate import aggregate_units
from mixing.cbs import read_units
from mixing.io import write_table
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
src = snakemake.params.source
municipality = snakemake.wildcards.municipality
tables = snakemake.input.get("table")

units = read_units(
    geometry=snakemake.input.get("geometry"),
    table=tables[0] if isinstance(tables, list) and len(tables) == 1 else tables,
    level=src.get("level", "buurt"),
    year=src.get("year"),
    columns=src.get("columns"),
    municipality=None if municipality.startswith("DEMO") else municipality,
)
base_level = units["level"].iat[0]
frames = [units]
for level in snakemake.params.levels:
    if level != base_level:
        frames.append(aggregate_units(units, level))
result = pd.concat(frames, ignore_index=True)
log.info("%s: %s", municipality, result.groupby("level").size().to_dict())
write_table(result, snakemake.output.units)
