"""The same indices at buurt, wijk, gemeente and 500 m grid scale, per municipality (MAUP)."""

import geopandas as gpd

from mixing.aggregate import aggregate_units
from mixing.io import write_table
from mixing.runlog import log_to
from mixing.scales import grid_units, scale_table

log = log_to(snakemake.log[0])
for units_path, out_path in zip(snakemake.input.units, snakemake.output, strict=True):
    units = gpd.read_parquet(units_path)
    buurten = units[units["level"] == "buurt"]
    if buurten.empty:  # a postcode source: its own level is the finest scale
        finest = units["level"].iloc[0]
        by_level = {finest: units[units["level"] == finest]}
    else:
        by_level = {"buurt": buurten, "wijk": aggregate_units(buurten, "wijk"),
                    "gemeente": aggregate_units(buurten, "gemeente")}
        if buurten.geometry.notna().all():
            cell = snakemake.params.grid_cell
            by_level[f"grid{cell}m"] = grid_units(buurten, cell=cell)
    table = scale_table(by_level)
    write_table(table, out_path)
    log.info("%s: scales %s", out_path, list(by_level))
