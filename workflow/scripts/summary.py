"""Stack per-municipality tables into one national summary table.

Rows of municipalities from earlier runs in the same results folder (another config) are
kept: see :func:`mixing.workflow_io.recorded_files`.
"""

from pathlib import Path

import pandas as pd

from mixing.io.files import write_table
from mixing.runlog import script_log
from mixing.workflow_io import recorded_files

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("summary", table="indices")


def read(path):
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


with script_log(snakemake.log[0]) as log:
    current = {code: path for code, path in snakemake.params.files.items() if Path(path).exists()}
    name = Path(next(iter(snakemake.params.files.values()))).name
    paths = recorded_files(snakemake.params.runs, name, current)
    table = pd.concat([read(path) for path in paths.values()], ignore_index=True) if paths \
        else pd.DataFrame()
    log.info("%d rows from %d municipalities (%d of this run)", len(table), len(paths),
             len(current))
    write_table(table, snakemake.output.csv)
    write_table(table, snakemake.output.parquet)
