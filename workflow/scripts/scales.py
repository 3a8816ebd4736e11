"""The same indices at buurt, wijk, gemeente, 500 m grid and PC4 scale per municipality (MAUP).

With a ``pc4_geometry`` in the municipality's config, the buurt counts are carried onto the
postcode areas by an area-weighted crosswalk, so both zonings describe the same people.
"""

from pathlib import Path

import geopandas as gpd

from mixing.geometry.aggregate import aggregate_units
from mixing.io.cbs import read_units
from mixing.io.files import write_table
from mixing.runlog import log_to
from mixing.tables.scales import crosswalk, grid_units, scale_table


def postcode_units(buurten, path):
    """Buurt counts on the postcode areas of ``path`` (only those touching the buurten)."""
    pc4 = read_units(geometry=path, level="pc4", year=int(buurten["year"].iloc[0]),
                     municipality=buurten["municipality_code"].iloc[0])
    moved = crosswalk(buurten, pc4).apply(buurten)
    pc4 = pc4[["unit_code", "unit_name", "level", "municipality_code", "municipality_name",
               "wijk_code", "year", "is_uninhabited", "is_water", "geometry"]].merge(
        moved, on="unit_code")
    return pc4[pc4["population"] > 0].reset_index(drop=True)


log = log_to(snakemake.log[0])
pc4_paths = snakemake.params.pc4
for units_path, out_path in zip(snakemake.input.units, snakemake.output, strict=True):
    units = gpd.read_parquet(units_path)
    code = Path(units_path).parent.name
    buurten = units[units["level"] == "buurt"]
    if buurten.empty:  # a postcode source: its own level is the finest scale
        finest = units["level"].iloc[0]
        by_level = {finest: units[units["level"] == finest]}
    else:
        # the ingest step already aggregated the configured levels: reuse them
        by_level = {level: units[units["level"] == level] if (units["level"] == level).any()
                    else aggregate_units(buurten, level) for level in ("wijk", "gemeente")}
        by_level = {"buurt": buurten, **by_level}
        if buurten.geometry.notna().all():
            cell = snakemake.params.grid_cell
            by_level[f"grid{cell}m"] = grid_units(buurten, cell=cell)
            if pc4_paths.get(code):
                by_level["pc4"] = postcode_units(buurten, pc4_paths[code])
    table = scale_table(by_level)
    write_table(table, out_path)
    log.info("%s: scales %s", out_path, list(by_level))
