"""Stack per-municipality tables into one national summary table."""

import pandas as pd

from mixing.io.files import write_table
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
def read(path):
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


table = pd.concat([read(path) for path in snakemake.input], ignore_index=True)
log.info("%d rows from %d municipalities", len(table), len(snakemake.input))
write_table(table, snakemake.output.csv)
write_table(table, snakemake.output.parquet)
