"""Segregation indices for a batch of municipalities: canonical units in, tidy tables out.

All municipalities of the batch are computed in one vectorised call per index; random
draws are keyed by municipality, so batching does not change any number.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.tables.batch import split_by_municipality
from mixing.tables.frames import index_table, local_index_table
from mixing.workflow_io import publish, usable_codes

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("indices", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    codes = usable_codes(snakemake.input.units, params.municipalities, log)
    if codes:
        units = gpd.GeoDataFrame(
            pd.concat([gpd.read_parquet(params.units[c]) for c in codes], ignore_index=True),
            geometry="geometry")
        table = index_table(units, indices=params.indices,
                            inference_indices=(None if params.inference is None
                                               else tuple(params.inference)),
                            permutations=params.permutations, replicates=params.replicates,
                            seed=params.seed)
        parts = split_by_municipality(table, codes)
        local_parts = split_by_municipality(local_index_table(units), codes)
    for code in codes:
        log.info("%s: %d index values, %d local values", code, len(parts[code]),
                 len(local_parts[code]))
        for frame, path in ((parts[code], params.csv[code]), (parts[code], params.parquet[code]),
                            (local_parts[code], params.local[code])):
            write_table(frame, path)
            publish(path, snakemake.output[0], code)
