"""Spatial weights, global and local autocorrelation for a batch of municipalities.

Weights are built once per municipality and saved (reused by later steps); the statistics
for the whole batch are computed in one vectorised pass over block-diagonal weights.
"""

import geopandas as gpd
import pandas as pd

from mixing.tables.batch import split_by_municipality
from mixing.tables.clusters import analysis_units, autocorrelation_tables, unit_weights
from mixing.io.files import write_table
from mixing.runlog import log_to
from mixing.geometry.weights import block_diagonal, save_weights

log = log_to(snakemake.log[0])
params = snakemake.params
units = analysis_units(
    pd.concat([gpd.read_parquet(path) for path in snakemake.input.units], ignore_index=True))
codes = [path.split("/")[-2] for path in snakemake.output.weights]
parts = split_by_municipality(units, codes)
weights = {}
for code, path in zip(codes, snakemake.output.weights, strict=True):
    weights[code] = unit_weights(parts[code], kind=params.weights)
    save_weights(weights[code], path)
    log.info("%s: %d units in the weights, %d islands joined to their nearest neighbour",
             code, weights[code].n, weights[code].n_islands_joined)
    if weights[code].n == 0:
        log.warning("%s: no unit has a geometry (codes not in the boundary file); no spatial "
                    "statistics for it", code)
global_table, local_table = autocorrelation_tables(
    units, weights=block_diagonal([weights[c] for c in codes if weights[c].n > 0]),
    variables=params.variables, permutations=params.permutations, seed=params.seed,
    alpha=params.alpha, thresholds=tuple(params.thresholds),
)
global_parts = split_by_municipality(global_table, codes)
local_parts = split_by_municipality(local_table, codes)
outputs = zip(codes, snakemake.output.table, snakemake.output.local,
              snakemake.output.local_parquet, strict=True)
for code, table_path, local_path, parquet_path in outputs:
    write_table(global_parts[code], table_path)
    write_table(local_parts[code], local_path)
    shapes = parts[code][["unit_code", "geometry"]]
    write_table(gpd.GeoDataFrame(local_parts[code].merge(shapes, on="unit_code", how="left"),
                                 geometry="geometry", crs=units.crs), parquet_path)
    log.info("%s: %d global and %d local rows", code, len(global_parts[code]),
             len(local_parts[code]))
