"""Segregation indices for a batch of municipalities: canonical units in, tidy tables out.

All municipalities of the batch are computed in one vectorised call per index.
"""

import geopandas as gpd
import pandas as pd

from mixing.batch import split_by_municipality
from mixing.frames import index_table
from mixing.io import write_table
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
units = pd.concat([gpd.read_parquet(path) for path in snakemake.input.units], ignore_index=True)
table = index_table(units)
codes = [path.split("/")[-2] for path in snakemake.output.parquet]
for code, csv, parquet in zip(codes, snakemake.output.csv, snakemake.output.parquet, strict=True):
    part = split_by_municipality(table, [code])[code]
    log.info("%s: %d index values", code, len(part))
    write_table(part, csv)
    write_table(part, parquet)
