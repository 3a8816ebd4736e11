"""Global and local spatial autocorrelation for a batch of municipalities.

Reads the weights the ``weights`` step saved; the statistics for the whole batch are
computed in one vectorised pass over block-diagonal weights. A municipality with a vitality
screening in the config also gets ``vitality.csv``: the screening crossed with the LISA HH
clusters of social housing.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.geometry.weights import block_diagonal, load_weights
from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.tables.batch import split_by_municipality
from mixing.tables.clusters import analysis_units, autocorrelation_tables
from mixing.tables.vitality import vitality_table
from mixing.workflow_io import publish, usable_codes

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("autocorrelation", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    out_dir = snakemake.output[0]
    codes = usable_codes(snakemake.input.units, params.municipalities, log)
    if codes:
        units = analysis_units(pd.concat([gpd.read_parquet(params.units[c]) for c in codes],
                                         ignore_index=True))
        parts = split_by_municipality(units, codes)
        weights = {c: load_weights(params.weights[c]) for c in codes}
        global_table, local_table = autocorrelation_tables(
            units, weights=block_diagonal([weights[c] for c in codes if weights[c].n > 0]),
            variables=params.variables, permutations=params.permutations, seed=params.seed,
            alpha=params.alpha, thresholds=tuple(params.thresholds),
        )
        global_parts = split_by_municipality(global_table, codes)
        local_parts = split_by_municipality(local_table, codes)
    for code in codes:
        write_table(global_parts[code], params.table[code])
        write_table(local_parts[code], params.local[code])
        shapes = parts[code][["unit_code", "geometry"]]
        write_table(gpd.GeoDataFrame(local_parts[code].merge(shapes, on="unit_code", how="left"),
                                     geometry="geometry", crs=units.crs),
                    params.local_parquet[code])
        for path in (params.table[code], params.local[code], params.local_parquet[code]):
            publish(path, out_dir, code)
        if code in params.scores:
            vitality = vitality_table(params.scores[code], parts[code], local_parts[code])
            write_table(vitality, params.vitality[code])
            publish(params.vitality[code], out_dir, code)
            log.info("%s: %d buurten screened, %d for a closer look, %d of them in an HH "
                     "cluster", code, len(vitality), vitality["closer_look"].sum(),
                     vitality["closer_look_and_hh"].sum())
        log.info("%s: %d global and %d local rows", code, len(global_parts[code]),
                 len(local_parts[code]))
