"""results/{municipality}/trends.html: D and isolation over the comparison years."""

import pandas as pd

from mixing.io.files import write_text
from mixing.runlog import script_log
from mixing.viz.trends import trend_page

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("trends_page", municipality="GM0599",
                               configfile="config/examples/shared-cbs.yaml")

with script_log(snakemake.log[0]) as log:
    params = snakemake.params
    units = pd.read_parquet(params.units, columns=["municipality_name", "municipality_code",
                                                    "year"])
    names = units["municipality_name"].dropna()
    name = str(names.iat[0]) if len(names) else str(units["municipality_code"].iat[0])
    page = trend_page(pd.read_csv(snakemake.input.trends), name=name,
                      base_year=int(units["year"].iat[0]), language=params.language,
                      links=params.links, caveats=pd.read_csv(params.caveats))
    write_text(snakemake.output[0], page)
    log.info("%s: %d bytes", snakemake.output[0], len(page))
