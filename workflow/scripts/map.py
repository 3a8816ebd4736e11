"""Folium maps and static figures for a batch of municipalities: finished tables in.

Per municipality: ``units``, ``indices``, ``local`` (local statistics) and the units after
each scenario (``scenarios``, ``params.scenarios`` names per municipality) in; ``html`` and
the share and LISA figures (PNG + SVG) out, in the order of the batch.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.viz.figures import lisa_figure, save_figure, share_figure
from mixing.io.files import write_text
from mixing.viz.maps import municipality_map
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
language = snakemake.params.language
names = list(snakemake.params.scenarios)
inputs, outputs = snakemake.input, snakemake.output
for i, html_path in enumerate(outputs.html):
    units = gpd.read_parquet(inputs.units[i])
    local = pd.read_csv(inputs.local[i])
    scenario_paths = inputs.scenarios[i * len(names):(i + 1) * len(names)]
    scenarios = {name: gpd.read_parquet(path) for name, path in zip(names, scenario_paths,
                                                                    strict=True)}
    html = municipality_map(units, pd.read_csv(inputs.indices[i]), local=local,
                            scenarios=scenarios, language=language)
    write_text(html_path, html)
    if "share_png" in outputs.keys():  # static figures are optional (config `figures`)
        save_figure(share_figure(units, language=language),
                    Path(outputs.share_png[i]).with_suffix(""))
        save_figure(lisa_figure(units, local, language=language),
                    Path(outputs.lisa_png[i]).with_suffix(""))
    log.info("%s: %d bytes", html_path, len(html))
