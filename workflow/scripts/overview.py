"""results/index.html: every municipality of the run (and of earlier runs) on one offline page.

Earlier runs recorded in ``results/runs/`` are listed apart, each under its config's name
(:func:`mixing.workflow_io.run_label`), never mixed into this run's table or map.

Municipalities without usable data are listed with the reason. Optional output
``effects_png`` (with ``effects_svg``): the chart of scenario effects.
"""

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_text
from mixing.runlog import script_log
from mixing.schema import shared_level
from mixing.viz.overview import overview_page
from mixing.workflow_io import batch_status, recorded_files, recorded_runs, run_label

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("overview")

with script_log(snakemake.log[0]) as log:
    params = snakemake.params
    no_data = {}
    for path in params.status:
        no_data.update({c: r for c, r in batch_status(Path(path).parent).items() if r})
    ok = {c: p for c, p in params.indices.items() if c not in no_data}
    indices_files = recorded_files(params.runs, "indices.csv", ok)
    codes = list(indices_files)
    units = gpd.GeoDataFrame(
        pd.concat([gpd.read_parquet(Path(p).parent / "units.parquet")
                   for p in indices_files.values()], ignore_index=True), geometry="geometry")
    indices = pd.concat([pd.read_csv(p) for p in indices_files.values()], ignore_index=True)
    scenario_files = {c: p for c, p in params.scenarios.items() if c not in no_data}
    scenarios = pd.concat([pd.read_csv(p) for p in scenario_files.values()],
                          ignore_index=True) if scenario_files else None
    out_dir = Path(snakemake.output.html).parent
    links = {code: os.path.relpath(Path(path).parent / "map.html", out_dir)
             for code, path in {**indices_files, **params.indices}.items()}
    current = run_label(params.configfiles, params.config_hash)
    labels = {params.config_hash: current}
    for record in Path(params.runs).glob("*.json"):
        run = json.loads(record.read_text(encoding="utf-8"))
        labels.setdefault(run["config_hash"], run_label(run["configfiles"], run["config_hash"]))
    runs = {code: labels.get(run, run) for code, run in recorded_runs(
        params.runs, codes, ok, params.config_hash).items()}
    caveat_files = [Path(p).parent / "caveats.csv" for p in indices_files.values()]
    caveats = pd.concat([pd.read_csv(p) for p in caveat_files if p.is_file()],
                        ignore_index=True) if any(p.is_file() for p in caveat_files) else None
    trends = set(params.trends) | {c for c, p in indices_files.items()
                                   if (Path(p).parent / "trends.html").is_file()}
    # the finest level read (buurt, or pc4 for postcode sources)
    level = shared_level(units)
    html = overview_page(units, indices, links=links, scenarios=scenarios,
                         language=params.language, level=level, no_data=no_data, runs=runs,
                         current_run=current, caveats=caveats, trends=trends)
    write_text(snakemake.output.html, html)
    log.info("overview written: %d municipalities, %d without data, %d bytes", len(codes),
             len(no_data), len(html))

    if "effects_png" in snakemake.output.keys() and scenarios is not None:
        from mixing.viz.figures import save_figure, scenario_effects_figure

        names = units.drop_duplicates("municipality_code").set_index("municipality_code")[
            "municipality_name"].to_dict()
        save_figure(scenario_effects_figure(scenarios, names=names, language=params.language),
                    Path(snakemake.output.effects_png).with_suffix(""))
