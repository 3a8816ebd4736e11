"""Regions (lists of municipalities): indices for the whole region, decomposed into
between-municipality and within-municipality parts."""

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.tables.regions import region_indices

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("regions", configfile="config/examples/nl-2024.yaml")

with script_log(snakemake.log[0]) as log:
    params = snakemake.params
    units = pd.concat([gpd.read_parquet(p) for p in params.units.values()], ignore_index=True)
    buurten = units[units["level"] == "buurt"]
    result = region_indices(buurten, params.regions)
    write_table(result.indices, snakemake.output.indices)
    write_table(result.decomposition, snakemake.output.decomposition)
    write_table(result.municipalities, snakemake.output.municipalities)
    log.info("%d regions", len(params.regions))
