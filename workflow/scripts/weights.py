"""Spatial weights (contiguity or k nearest neighbours) per municipality of a batch.

Built once and saved as ``results/{municipality}/weights.npz``; the autocorrelation step
reads them instead of building the graph again.
"""

from pathlib import Path

import geopandas as gpd

from mixing.geometry.weights import save_weights
from mixing.runlog import script_log
from mixing.tables.clusters import analysis_units, unit_weights
from mixing.workflow_io import publish, usable_codes

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("weights", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    for code in usable_codes(snakemake.input.units, params.municipalities, log):
        units = analysis_units(gpd.read_parquet(params.units[code]))
        weights = unit_weights(units, kind=params.kind)
        save_weights(weights, params.weights[code])
        publish(params.weights[code], snakemake.output[0], code)
        log.info("%s: %d units in the weights, %d islands joined to their nearest neighbour",
                 code, weights.n, weights.n_islands_joined)
        if weights.n == 0:
            log.warning("%s: no unit has a geometry (codes not in the boundary file); no "
                        "spatial statistics for it", code)
