"""results/index.html: every municipality of the run on one offline page.

Inputs: ``units`` and ``indices`` (lists, one per municipality, in the same order);
optional ``scenarios`` (scenario-effects tables with ``municipality_code, scenario, dimension,
index, change, households_displaced``). Output: ``html``; optional ``effects_png`` (with
``effects_svg``) chart of scenario effects.
"""

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_text
from mixing.viz.overview import overview_page
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
units = gpd.GeoDataFrame(pd.concat([gpd.read_parquet(p) for p in snakemake.input.units],
                                   ignore_index=True), geometry="geometry")
indices = pd.concat([pd.read_csv(p) for p in snakemake.input.indices], ignore_index=True)
files = snakemake.input.get("scenarios") or []
files = [files] if isinstance(files, str) else list(files)
scenarios = pd.concat([pd.read_csv(p) for p in files], ignore_index=True) if files else None
out_dir = Path(snakemake.output.html).parent
links = {}
for path in snakemake.input.units:  # results/{municipality}/units.parquet
    code = Path(path).parent.name
    links[code] = os.path.relpath(Path(path).parent / "map.html", out_dir)
html = overview_page(units, indices, links=links, scenarios=scenarios,
                     language=snakemake.params.language)
write_text(snakemake.output.html, html)
log.info("overview written: %d municipalities, %d bytes", len(links), len(html))

if "effects_png" in snakemake.output.keys() and scenarios is not None:
    from mixing.viz.figures import save_figure, scenario_effects_figure

    save_figure(scenario_effects_figure(scenarios, language=snakemake.params.language),
                Path(snakemake.output.effects_png).with_suffix(""))
