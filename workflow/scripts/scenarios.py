"""Run the policy-lab scenarios for a batch of municipalities; write before/after tables.

Accounting model, not a behavioural forecast (see config/scenarios.yaml and the tables).
Per municipality: ``scenarios.csv``/``.parquet`` (effects, costs, titles: every number a
page shows about a scenario), ``scenario_changes.csv`` (per scenario and buurt: counts,
shares and contributions to D before and after) and, per scenario, the buurten after it
in ``scenario_units/{name}.parquet`` and ``.csv`` (without geometry).
"""

from pathlib import Path

import geopandas as gpd
import pandas as pd

from mixing.geometry.weights import load_weights
from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.scenarios import load_scenarios, run_scenarios, scenario_changes, summary_columns
from mixing.schema import analysis_level
from mixing.workflow_io import publish, usable_codes

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("scenarios", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    out_dir = snakemake.output[0]
    names = list(params.names)
    scenarios = load_scenarios(snakemake.input.scenarios) if names else {}
    for code in usable_codes(snakemake.input.units, params.municipalities, log):
        units = gpd.read_parquet(params.units[code])
        buurten = units[units["level"] == analysis_level(units)].reset_index(drop=True)
        if names and buurten["dwellings_social"].notna().any():
            summary, after = run_scenarios(buurten, scenarios, seed=params.seed,
                                           permutations=params.permutations,
                                           alpha=params.alpha, thresholds=params.thresholds,
                                           weights=load_weights(params.weights[code]))
        else:  # e.g. the 2024 table: population only, nothing for the lab to move
            log.warning("%s: no social-housing counts; scenarios skipped", code)
            summary = pd.DataFrame(columns=summary_columns(params.thresholds))
            after = {n: buurten for n in names}
        written = [params.csv[code], params.parquet[code], params.changes[code]]
        write_table(summary, written[0])
        write_table(summary, written[1])
        write_table(scenario_changes(buurten, after), written[2])
        folder = Path(params.folder[code])
        for name in names:
            write_table(after[name], folder / f"{name}.parquet")
            write_table(pd.DataFrame(after[name].drop(columns="geometry")),
                        folder / f"{name}.csv")
        for path in written:
            publish(path, out_dir, code)
        for path in sorted(folder.glob("*")) if names else []:
            publish(path, Path(out_dir) / code, "scenario_units")
        log.info("%s: %d scenarios, %d rows", code, len(names), len(summary))
