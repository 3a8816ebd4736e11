"""Run records: ``results/runs/{config_hash}.json`` and ``results/{municipality}/provenance.json``.

Each holds the package version, the seed, the config hash and the sha256 of every input
file; the run record also the config itself and which municipalities had usable data.
"""

import json

from mixing.io.files import write_text
from mixing.runlog import script_log
from mixing.workflow_io import batch_status, config_hash, provenance

if "snakemake" not in globals():
    from mixing.workflow_io import mock_snakemake

    snakemake = mock_snakemake("run_record")

with script_log(snakemake.log[0]) as log:
    params = snakemake.params
    config = dict(params.config)
    status = {}
    for folder in snakemake.input:
        status.update(batch_status(folder))
    records = {}
    for code, path in zip(params.municipalities, snakemake.output.provenance, strict=True):
        record = provenance(municipality=code, config=config, inputs=params.inputs[code],
                            status="no data" if status.get(code) else "ok",
                            reason=status.get(code))
        write_text(path, json.dumps(record, indent=1))
        records[code] = record
    run = {
        "config_hash": config_hash(config),
        "configfiles": list(params.configfiles),
        "mixing_version": next(iter(records.values()))["mixing_version"],
        "seed": config.get("seed"),
        "municipalities": list(params.municipalities),
        "usable": [c for c in params.municipalities if not status.get(c)],
        "no_data": {c: r for c, r in status.items() if r},
        "inputs": {p: s for r in records.values() for p, s in r["inputs"].items()},
        "config": config,
    }
    write_text(snakemake.output.run, json.dumps(run, indent=1, default=str))
    log.info("run %s: %d municipalities, %d inputs", run["config_hash"],
             len(run["municipalities"]), len(run["inputs"]))
