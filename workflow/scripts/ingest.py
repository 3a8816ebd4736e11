"""Read a batch of municipalities' CBS files into canonical units tables, at every level."""

from mixing.tables.batch import read_batch
from mixing.io.files import write_table
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
sources = snakemake.params.sources
tables = read_batch(sources, snakemake.params.levels)
for (code, units), path in zip(tables.items(), snakemake.output.units, strict=True):
    log.info("%s: %s", code, units.groupby("level").size().to_dict())
    write_table(units, path)
