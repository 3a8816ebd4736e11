"""Regions (lists of municipalities): indices for the whole region, decomposed into
between-municipality and within-municipality parts."""

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_table
from mixing.tables.regions import region_indices
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
units = pd.concat([gpd.read_parquet(p) for p in snakemake.input], ignore_index=True)
buurten = units[units["level"] == "buurt"]
result = region_indices(buurten, snakemake.params.regions)
write_table(result.indices, snakemake.output.indices)
write_table(result.decomposition, snakemake.output.decomposition)
write_table(result.municipalities, snakemake.output.municipalities)
log.info("%d regions", len(snakemake.params.regions))
