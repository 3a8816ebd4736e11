"""Read a batch of municipalities' CBS files into canonical units tables, at every level.

Each municipality's caveats (hidden values, lower bounds, names, geometry) are written
beside its units as ``caveats.csv`` (:func:`mixing.tables.caveats.caveat_table`).

A municipality whose units have no usable data (none with its code, or no known population or
dwellings: :func:`mixing.io.plausible.usable`)
stops the run with one line naming it and the reason; with ``on_bad_municipality: skip`` it
is recorded as "no data" in the batch's ``status.json`` and left out of every later step.
"""

import json
from pathlib import Path

from mixing.errors import InputError
from mixing.io.files import write_table, write_text
from mixing.io.plausible import usable
from mixing.runlog import script_log
from mixing.tables.batch import read_batch
from mixing.tables.caveats import caveat_table
from mixing.workflow_io import publish

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("ingest", batch="DEMO01")

with script_log(snakemake.log[0]) as log:
    Path(snakemake.output[0]).mkdir(parents=True, exist_ok=True)  # also when nothing is usable
    params = snakemake.params
    out_dir = snakemake.output[0]
    tables = read_batch(params.sources, params.levels, allow_unusable=True)
    status = {}
    for code in params.municipalities:
        units = tables[code]
        source = params.sources[code]
        finest = units[units["level"] == source.get("level", "buurt")]
        if finest.empty:  # e.g. a demo code that is not in the demo file
            files = [source.get("geometry"), *(source.get("table") or [])]
            reason = "no units with this code in the data in " + ", ".join(
                str(f) for f in files if f)
        else:
            reason = usable(finest)
        status[code] = reason
        if reason and params.on_bad_municipality == "stop":
            raise InputError(
                f"municipality {code} has no usable data: {reason}",
                fix="check its files in the config, or set on_bad_municipality: skip to "
                    "continue with the other municipalities")
        if reason:
            log.warning("%s: no data: %s (skipped, on_bad_municipality: skip)", code, reason)
        else:
            log.info("%s: %s", code, units.groupby("level").size().to_dict())
        repaired = units.attrs.pop("repaired_geometries", 0)
        path = params.units[code]
        write_table(units, path)
        publish(path, out_dir, code)
        caveats = Path(path).with_name("caveats.csv")
        write_table(caveat_table(units, source_level=source.get("level", "buurt"),
                                 repaired=repaired), caveats)
        publish(caveats, out_dir, code)
    write_text(f"{out_dir}/status.json", json.dumps(status, indent=1, sort_keys=True))
