"""Static figures (PNG + SVG) per municipality of a batch: population share and LISA map."""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.runlog import script_log
from mixing.viz.figures import lisa_figure, save_figure, share_figure
from mixing.workflow_io import publish, usable_codes

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("figures", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    language = params.language
    for code in usable_codes(snakemake.input.units, params.municipalities, log):
        units = gpd.read_parquet(params.units[code])
        local = pd.read_csv(params.local[code])
        folder = Path(params.figures[code])
        save_figure(share_figure(units, language=language), folder / "share")
        save_figure(lisa_figure(units, local, language=language), folder / "lisa")
        for path in sorted(folder.glob("*.*")):
            publish(path, Path(snakemake.output[0]) / code, "figures")  # as under results/
        log.info("%s: figures in %s", code, folder)
