"""Segregation indices for a batch of municipalities: canonical units in, tidy tables out.

All municipalities of the batch are computed in one vectorised call per index; random
draws are keyed by municipality, so batching does not change any number.
"""

import geopandas as gpd
import pandas as pd

from mixing.tables.batch import split_by_municipality
from mixing.tables.frames import index_table, local_index_table
from mixing.io.files import write_table
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
params = snakemake.params
units = gpd.GeoDataFrame(
    pd.concat([gpd.read_parquet(path) for path in snakemake.input.units], ignore_index=True),
    geometry="geometry")
table = index_table(units, indices=params.indices, inference_indices=tuple(params.inference),
                    permutations=params.permutations, replicates=params.replicates,
                    seed=params.seed)
local_table = local_index_table(units)
codes = [path.split("/")[-2] for path in snakemake.output.parquet]
parts = split_by_municipality(table, codes)
local_parts = split_by_municipality(local_table, codes)
outputs = zip(codes, snakemake.output.csv, snakemake.output.parquet, snakemake.output.local,
              strict=True)
for code, csv, parquet, local_csv in outputs:
    log.info("%s: %d index values, %d local values", code, len(parts[code]),
             len(local_parts[code]))
    write_table(parts[code], csv)
    write_table(parts[code], parquet)
    write_table(local_parts[code], local_csv)
