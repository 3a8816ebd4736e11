"""Folium map of one municipality: finished tables in, HTML out."""

import geopandas as gpd
import pandas as pd

from mixing.io import write_text
from mixing.maps import social_housing_map
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
units = gpd.read_parquet(snakemake.input.units)
indices = pd.read_csv(snakemake.input.indices)
html = social_housing_map(units, indices, language=snakemake.params.language)
write_text(snakemake.output.html, html)
log.info("map written: %d bytes", len(html))
