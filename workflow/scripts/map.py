"""Folium maps for a batch of municipalities: finished tables in, HTML out."""

import geopandas as gpd
import pandas as pd

from mixing.io import write_text
from mixing.maps import social_housing_map
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
for units_path, indices_path, html_path in zip(
    snakemake.input.units, snakemake.input.indices, snakemake.output.html, strict=True
):
    html = social_housing_map(gpd.read_parquet(units_path), pd.read_csv(indices_path),
                              language=snakemake.params.language)
    write_text(html_path, html)
    log.info("%s: %d bytes", html_path, len(html))
