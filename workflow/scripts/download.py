"""Fetch one municipality's CBS geometry and kerncijfers (PDOK + CBS OData), cached."""

import shutil

from mixing.download import download_kerncijfers, download_wijkenbuurten
from mixing.runlog import log_to

log = log_to(snakemake.log[0])
year = int(snakemake.wildcards.year)
municipality = snakemake.wildcards.municipality
geometry = download_wijkenbuurten(year, municipality, level="buurt", cache_dir="data/raw/cbs")
table = download_kerncijfers(year, municipality, cache_dir="data/raw/cbs")
for got, wanted in ((geometry, snakemake.output.geometry), (table, snakemake.output.table)):
    if str(got) != str(wanted):
        shutil.copyfile(got, wanted)
log.info("downloaded %s and %s", geometry, table)
