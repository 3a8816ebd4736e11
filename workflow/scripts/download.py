"""Fetch one municipality's CBS geometry (PDOK) or kerncijfers (CBS OData) into the cache.

The cache is checksummed: a verified file is reused without any network traffic.
"""

from mixing.io.download import download_kerncijfers, download_wijkenbuurten
from mixing.runlog import script_log

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("download_geometry", municipality="GM0518", year="2023",
                               configfile="config/examples/download.yaml")

with script_log(snakemake.log[0]) as log:
    year = int(snakemake.wildcards.year)
    municipality = snakemake.wildcards.municipality
    if snakemake.rule == "download_geometry":
        path = download_wijkenbuurten(year, municipality, level="buurt",
                                      cache_dir="data/raw/cbs")
    else:
        path = download_kerncijfers(year, municipality, cache_dir="data/raw/cbs",
                                    table_id=snakemake.wildcards.table)
    log.info("downloaded %s", path)
