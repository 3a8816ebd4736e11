"""The same indices at buurt, wijk, gemeente, 500 m grid and PC4 scale per municipality (MAUP).

With a ``pc4_geometry`` in the municipality's config, the buurt counts are carried onto the
postcode areas by an area-weighted crosswalk, so both zonings describe the same people.
"""

from pathlib import Path

import geopandas as gpd

from mixing.geometry.aggregate import aggregate_units
from mixing.io.cbs import read_units
from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.tables.scales import crosswalk, grid_units, scale_table
from mixing.workflow_io import publish, usable_codes

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("scales", batch="DEMO01")


def postcode_units(buurten, path):
    """Buurt counts on the postcode areas of ``path`` (only those touching the buurten)."""
    pc4 = read_units(geometry=path, level="pc4", year=int(buurten["year"].iloc[0]),
                     municipality=buurten["municipality_code"].iloc[0])
    moved = crosswalk(buurten, pc4).apply(buurten)
    pc4 = pc4[["unit_code", "unit_name", "level", "municipality_code", "municipality_name",
               "wijk_code", "year", "is_uninhabited", "is_water", "geometry"]].merge(
        moved, on="unit_code")
    return pc4[pc4["population"] > 0].reset_index(drop=True)


with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    for code in usable_codes(snakemake.input.units, params.municipalities, log):
        units = gpd.read_parquet(params.units[code])
        buurten = units[units["level"] == "buurt"]
        if buurten.empty:  # a postcode source: its own level is the finest scale
            finest = units["level"].iloc[0]
            by_level = {finest: units[units["level"] == finest]}
        else:
            # the ingest step already aggregated the configured levels: reuse them
            by_level = {level: units[units["level"] == level]
                        if (units["level"] == level).any()
                        else aggregate_units(buurten, level) for level in ("wijk", "gemeente")}
            by_level = {"buurt": buurten, **by_level}
            if buurten.geometry.notna().all():
                cell = params.grid_cell
                by_level[f"grid{cell}m"] = grid_units(buurten, cell=cell)
                if params.pc4.get(code):
                    by_level["pc4"] = postcode_units(buurten, params.pc4[code])
        write_table(scale_table(by_level), params.scales[code])
        publish(params.scales[code], snakemake.output[0], code)
        log.info("%s: scales %s", code, list(by_level))
