"""Stack per-municipality tables into one national summary table.

Rows of municipalities from earlier runs in the same results folder (another config) are
kept (:func:`mixing.workflow_io.recorded_files`), and say so: the first column, ``run``,
is the config hash of the run that wrote each row (``results/runs/{run}.json``).
"""

from pathlib import Path

import pandas as pd

from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.workflow_io import recorded_files, recorded_runs

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("summary", table="indices")


def read(path):
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


with script_log(snakemake.log[0]) as log:
    current = {code: path for code, path in snakemake.params.files.items() if Path(path).exists()}
    name = Path(next(iter(snakemake.params.files.values()))).name
    paths = recorded_files(snakemake.params.runs, name, current)
    runs = recorded_runs(snakemake.params.runs, paths, current, snakemake.params.config_hash)
    table = pd.concat([read(path).assign(run=runs[code]) for code, path in paths.items()],
                      ignore_index=True) if paths else pd.DataFrame({"run": []})
    table = table[["run"] + [c for c in table.columns if c != "run"]]
    log.info("%d rows from %d municipalities (%d of this run, %d runs)", len(table),
             len(paths), len(current), len(set(runs.values())))
    write_table(table, snakemake.output.csv)
    write_table(table, snakemake.output.parquet)
