"""Folium maps and scenario pages for a batch of municipalities: finished tables in, HTML out.

Per municipality: units, indices, local statistics, the weights, the scenario tables
(``scenarios.csv``, ``scenario_changes.csv``) and the units after each scenario in;
``map.html`` (with the scenario explorer) and, when scenarios are configured, the
comparison page ``scenarios.html`` out. The pages format table cells; the scenarios file is
read only for the explorer's assumptions (the file's own, as the scenarios used). A
municipality without usable data gets a "no data" page with the reason.
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.geometry.weights import load_weights
from mixing.io.files import write_text
from mixing.runlog import script_log
from mixing.scenarios import load_scenarios
from mixing.schema import analysis_level
from mixing.viz.compare import scenario_page
from mixing.viz.explorer import explorer_payload
from mixing.viz.maps import municipality_map
from mixing.viz.overview import no_data_page
from mixing.viz.pages import municipality_links
from mixing.workflow_io import batch_status, publish

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("map", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    language = params.language
    status = batch_status(snakemake.input.units)
    assumptions = (load_scenarios(snakemake.input.scenario_specs).assumptions if params.names
                   else None)
    for code in params.municipalities:
        links = municipality_links(scenarios=bool(params.names), trends=code in params.trends)
        if status.get(code):
            write_text(params.html[code], no_data_page(code, status[code], language=language,
                                                       links=links))
            publish(params.html[code], snakemake.output[0], code)
            continue
        units = gpd.read_parquet(params.units[code])
        folder = Path(params.scenario_units[code])
        after = {name: gpd.read_parquet(folder / f"{name}.parquet") for name in params.names}
        table = pd.read_csv(params.scenario_table[code]) if params.names else None
        changes = pd.read_csv(params.scenario_changes[code]) if params.names else None
        level = analysis_level(units)
        shown = units[(units["level"] == level) & units.geometry.notna()
                      & ~units.geometry.is_empty].reset_index(drop=True)
        explorer = (explorer_payload(shown, load_weights(params.weights[code]),
                                     assumptions=assumptions, language=language)
                    if len(shown) >= 2 else None)
        vitality = (pd.read_csv(params.vitality[code]) if Path(params.vitality[code]).is_file()
                    else None)
        caveats = pd.read_csv(params.caveats[code])
        html = municipality_map(units, pd.read_csv(params.indices[code]),
                                local=pd.read_csv(params.local[code]), scenarios=after,
                                scenario_table=table, scenario_changes=changes,
                                alpha=params.alpha, language=language, explorer=explorer,
                                vitality=vitality, links=links, caveats=caveats)
        write_text(params.html[code], html)
        publish(params.html[code], snakemake.output[0], code)
        log.info("%s: %d bytes", params.html[code], len(html))
        if params.names:
            buurten = units[units["level"] == level].reset_index(drop=True)
            page = scenario_page(table, changes, buurten, language=language, links=links,
                                 caveats=caveats)
            write_text(params.scenario_page[code], page)
            publish(params.scenario_page[code], snakemake.output[0], code)
            log.info("%s: %d bytes", params.scenario_page[code], len(page))
