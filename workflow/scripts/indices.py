"""Segregation indices for one municipality: canonical units in, tidy index table out."""

import geopandas as gpd

from mixing.frames import index_table
from mixing.io import write_table
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
units = gpd.read_parquet(snakemake.input.units)
table = index_table(units)
log.info("%d index values for %s", len(table), snakemake.wildcards.municipality)
write_table(table, snakemake.output.csv)
write_table(table, snakemake.output.parquet)
