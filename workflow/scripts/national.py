"""results/NL00/: the country as one area (CBS's code for the Netherlands).

Every usable municipality's finest units, stacked: global and local autocorrelation
(Moran's I, LISA, Gi*) over one contiguity graph that crosses municipal borders, the indices
of the country as a whole, every dimension split between and within municipalities
(``decomposition.csv``, ``municipalities.csv``), and one map of concentrations and clusters.
"""

from pathlib import Path

import pandas as pd

from mixing.io.files import read_units_tables, write_table, write_text
from mixing.runlog import script_log
from mixing.schema import shared_level
from mixing.tables.clusters import analysis_units, autocorrelation_tables, unit_weights
from mixing.tables.frames import index_table
from mixing.tables.regions import as_one_area, country_decomposition, country_indices
from mixing.viz.maps import municipality_map
from mixing.workflow_io import batch_status

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("national")

with script_log(snakemake.log[0]) as log:
    params = snakemake.params
    out = Path(snakemake.output[0])
    out.mkdir(parents=True, exist_ok=True)
    status = {}  # each batch's ingest step says which of its municipalities have no data
    for folder in snakemake.input.units:
        status.update(batch_status(folder))
    codes = [c for c in params.municipalities if not status.get(c)]
    for code in sorted(set(params.municipalities) - set(codes)):
        log.warning("%s left out of %s: no data: %s", code, params.code, status[code])
    units = read_units_tables([params.units[c] for c in codes])
    level = shared_level(units)
    units = units[units["level"] == level].reset_index(drop=True)
    log.info("%d municipalities, %d %s units, %.0f residents", len(codes), len(units), level,
             units["population"].sum())

    parts = country_decomposition(units, code=params.code)
    write_table(parts.indices, out / "region_indices.csv")
    write_table(parts.decomposition, out / "decomposition.csv")
    write_table(parts.municipalities, out / "municipalities.csv")

    country = as_one_area(units, code=params.code)
    write_table(country, out / "units.parquet")
    indices = index_table(country, indices=country_indices(), inference_indices=(),
                          seed=params.seed)
    write_table(indices, out / "indices.csv")
    shown = analysis_units(country)
    weights = unit_weights(shown, kind=params.kind)
    log.info("weights: %d units, %d islands joined to their nearest neighbour", weights.n,
             weights.n_islands_joined)
    global_table, local_table = autocorrelation_tables(
        shown, weights=weights, variables=params.variables, permutations=params.permutations,
        seed=params.seed, alpha=params.alpha, thresholds=tuple(params.thresholds))
    write_table(global_table, out / "autocorrelation.csv")
    write_table(local_table, out / "local.csv")
    html = municipality_map(country, indices, local=local_table, alpha=params.alpha,
                            language=params.language, tolerance=params.tolerance)
    write_text(out / "map.html", html)
    log.info("%s: %d bytes; between-municipality share of M: %s", out / "map.html", len(html),
             pd.Series(parts.decomposition.query("component == 'between'").set_index(
                 "dimension")["share"]).round(3).to_dict())
