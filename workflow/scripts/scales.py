"""The same indices at buurt, wijk, gemeente, 500 m grid and PC4 scale per municipality (MAUP).

One pass per batch: every scale of all usable municipalities is built and measured at once
(:func:`mixing.tables.scales.scale_levels`, :func:`mixing.tables.scales.scale_tables`);
each municipality's table is the one it would get alone. With a ``pc4_geometry`` in the
municipality's config, the buurt counts are carried onto the postcode areas by an
area-weighted crosswalk, so both zonings describe the same people.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.io.cbs import read_units
from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.tables.scales import crosswalk, scale_levels, scale_tables
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
    codes = usable_codes(snakemake.input.units, params.municipalities, log)
    tables = {}
    if codes:
        units = gpd.GeoDataFrame(
            pd.concat([gpd.read_parquet(params.units[c]) for c in codes], ignore_index=True),
            geometry="geometry")
        by_level = scale_levels(units, cell=params.grid_cell)
        postcodes = []
        for code in codes:
            buurten = units[(units["municipality_code"] == code) & (units["level"] == "buurt")]
            if params.pc4.get(code) and len(buurten) and buurten.geometry.notna().all():
                postcodes.append(postcode_units(buurten, params.pc4[code]))
        if postcodes:
            by_level["pc4"] = pd.concat(postcodes, ignore_index=True)
        tables = scale_tables(by_level)
    for code in codes:
        write_table(tables[code], params.scales[code])
        publish(params.scales[code], snakemake.output[0], code)
        log.info("%s: scales %s", code, [c.removeprefix("value_") for c in tables[code]
                                         if c.startswith("value_")])
