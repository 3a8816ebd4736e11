"""Run the policy-lab scenarios for a batch of municipalities; write before/after tables.

Accounting model, not a behavioural forecast (see config/scenarios.yaml and the tables).
"""

import geopandas as gpd
import pandas as pd

from mixing.io.files import write_table
from mixing.runlog import log_to
from mixing.scenarios import SUMMARY_COLUMNS, load_scenarios, run_scenarios

log = log_to(snakemake.log[0])
scenarios = load_scenarios(snakemake.input.scenarios)
names = list(snakemake.params.names)
after_paths = iter(snakemake.output.units_after)
for units_path, csv, parquet in zip(snakemake.input.units, snakemake.output.table,
                                    snakemake.output.parquet, strict=True):
    units = gpd.read_parquet(units_path)
    buurten = units[units["level"] == units["level"].iloc[0]].reset_index(drop=True)
    if buurten["dwellings_social"].notna().any():
        summary, after = run_scenarios(buurten, scenarios, seed=snakemake.params.seed,
                                       permutations=snakemake.params.permutations)
    else:  # e.g. the 2024 table: population only, nothing for the lab to move
        log.warning("%s: no social-housing counts; scenarios skipped", units_path)
        summary, after = pd.DataFrame(columns=SUMMARY_COLUMNS), {n: buurten for n in names}
    write_table(summary, csv)
    write_table(summary, parquet)
    for name in names:
        write_table(after[name], next(after_paths))
    log.info("%s: %d scenarios, %d rows", units_path, len(names), len(summary))
