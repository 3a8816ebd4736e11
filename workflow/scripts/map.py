"""Folium maps for a batch of municipalities: finished tables in, one offline HTML each.

Per municipality: units, indices, local statistics and the units after each scenario in;
``map.html`` out. A municipality without usable data gets a "no data" page with the reason.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_text
from mixing.runlog import script_log
from mixing.viz.maps import municipality_map
from mixing.viz.overview import no_data_page
from mixing.workflow_io import batch_status, publish

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("map", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    language = params.language
    status = batch_status(snakemake.input.units)
    for code in params.municipalities:
        if status.get(code):
            html = no_data_page(code, status[code], language=language)
        else:
            units = gpd.read_parquet(params.units[code])
            folder = Path(params.scenario_units[code])
            scenarios = {name: gpd.read_parquet(folder / f"{name}.parquet")
                         for name in params.names}
            html = municipality_map(units, pd.read_csv(params.indices[code]),
                                    local=pd.read_csv(params.local[code]),
                                    scenarios=scenarios, language=language)
        write_text(params.html[code], html)
        publish(params.html[code], snakemake.output[0], code)
        log.info("%s: %d bytes", params.html[code], len(html))
