"""Glue between Snakemake and the workflow scripts.

- :func:`mock_snakemake` builds the ``snakemake`` object of a rule outside Snakemake, so a
  script runs in a plain Python session for debugging (the pypsa-eur pattern).
- :func:`publish` records a per-municipality file in its batch folder (a hard link), which
  is what the batch rules declare as output: Snakemake rules need one wildcard pattern per
  output, and a batch writes a variable number of municipality files.
  :func:`missing_files` lists the recorded files that are gone from ``results/``, so the
  workflow plans the jobs that make them again.
- :func:`strict_yaml` reads a config file refusing duplicate keys, with file and line.
- :func:`preflight` runs every check the workflow runs before work starts (the schema, the
  input files, vitality screenings, the scenarios file); ``common.smk`` and
  ``mixing check-config`` both call it.
- :func:`config_hash` and :func:`provenance` make the run records (input checksums by
  :func:`mixing.io.download.sha256_file`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mixing.errors import InputError
from mixing.io.download import sha256_file
from mixing.io.yamlfile import read_yaml

__all__ = ["mock_snakemake", "publish", "strict_yaml", "check_config", "preflight",
           "FILE_KEYS", "config_hash",
           "provenance", "read_status", "batch_status",
           "usable_codes", "recorded_files", "missing_files", "recorded_runs", "run_label"]

REPO = Path(__file__).resolve().parents[2]


def mock_snakemake(rule: str, configfile: str | os.PathLike | None = None, **wildcards):
    """The ``snakemake`` object a script gets from Snakemake, built for ``rule``.

    Run a workflow script in a Python session (from the directory the workflow runs in)::

        if "snakemake" not in globals():
            from mixing.workflow_io import mock_snakemake
            snakemake = mock_snakemake("indices", batch="DEMO01")

    Parameters
    ----------
    rule : str
        Rule name (``snakemake --list-rules``).
    configfile : path, optional
        Config file; default the Snakefile's own (``config/config.yaml``).
    **wildcards
        The job's wildcards (``batch=...``, ``municipality=...``).
    """
    import snakemake as sm
    from snakemake.api import Workflow
    from snakemake.logging import LoggerManager, logger
    from snakemake.script import Snakemake
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        ResourceSettings,
        StorageSettings,
        WorkflowSettings,
    )

    configfiles = [Path(configfile).resolve()] if configfile else []
    workflow = Workflow(
        config_settings=ConfigSettings(configfiles=configfiles),
        resource_settings=ResourceSettings(), workflow_settings=WorkflowSettings(),
        logger_manager=LoggerManager(logger, OutputSettings()),
        storage_settings=StorageSettings(), dag_settings=DAGSettings(rerun_triggers=[]),
        storage_provider_settings={},
    )
    workflow.include(str(REPO / "Snakefile"))
    workflow.global_resources = {}
    job_rule = workflow.get_rule(rule)
    job = sm.jobs.Job(job_rule, sm.dag.DAG(workflow, rules=[job_rule]), wildcards)
    mock = Snakemake(job.input, job.output, job.params, job.wildcards, job.threads,
                     job.resources, job.log, workflow.config, job_rule.name, None)
    for path in list(mock.log) + list(mock.output):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return mock


def publish(path: str | os.PathLike, batch_dir: str | os.PathLike, municipality: str) -> Path:
    """Record ``path`` (a municipality's result file) in the batch's output folder.

    A hard link ``{batch_dir}/{municipality}/{name}``: no second copy on disk, and the batch
    folder lists exactly the files the job wrote (what ``snakemake --report`` shows).
    """
    path = Path(path)
    link = Path(batch_dir) / municipality / path.name
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists():
        link.unlink()
    try:
        os.link(path, link)
    except OSError:  # another file system: a copy
        shutil.copy2(path, link)
    return link


def missing_files(results: str | os.PathLike, batches: Mapping[str, Sequence[str]],
                  rules: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """The per-municipality files a batch recorded that are gone from ``results/``.

    A batch job records every file it writes as ``results/{municipality}/{path}`` by a hard
    link ``results/batches/{batch}/{rule}/{municipality}/{path}`` (:func:`publish`), the same
    relative path. A record whose file is missing names the rule and the municipality to
    run again; folders of batches that have not run yet are skipped (their jobs are planned
    anyway).

    Parameters
    ----------
    results : path
        The ``results`` folder.
    batches : mapping
        Configured batch name -> its municipality codes.
    rules : iterable of str
        The batch rules (the folder names under ``results/batches/{batch}/``).

    Returns
    -------
    dict
        ``{(rule, municipality): [missing paths under results/]}``, sorted.
    """
    results = Path(results)
    found: dict[tuple[str, str], list[str]] = {}
    for batch, codes in sorted(batches.items()):
        for rule in rules:
            folder = results / "batches" / batch / rule
            if not folder.is_dir():
                continue
            for code in codes:
                record = folder / code
                gone = sorted(str(results / code / path.relative_to(record))
                              for path in record.rglob("*") if path.is_file()
                              and not (results / code / path.relative_to(record)).exists())
                if gone:
                    found[(rule, code)] = gone
    return found


def strict_yaml(path: str | os.PathLike) -> dict:
    """Read a YAML config file; duplicate keys, syntax errors and an empty file are errors.

    Raises
    ------
    InputError
        Naming the file and the line (1-based line number in the file).
    """
    return read_yaml(path, what="config file", example="config/config.yaml")


def config_hash(config: Mapping) -> str:
    """First 12 hex digits of the sha256 of the validated config (keys sorted)."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def provenance(*, municipality: str, config: Mapping, inputs: Iterable[str],
               status: str = "ok", reason: str | None = None) -> dict:
    """The run record of one municipality's results folder.

    Package version, seed, config hash, the sha256 of every input file, and whether the
    municipality had usable data (``status`` ``ok`` or ``no data`` with the ``reason``).
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        package_version = version("mixing")
    except PackageNotFoundError:  # a source tree on PYTHONPATH, not installed
        package_version = "unknown"
    return {
        "municipality": municipality,
        "mixing_version": package_version,
        "seed": config.get("seed"),
        "config_hash": config_hash(config),
        "inputs": {str(p): sha256_file(p) for p in inputs},
        "status": status,
        "reason": reason,
    }


def read_status(provenance_path: str | os.PathLike) -> str | None:
    """The ``no data`` reason recorded by the ingest step, or None when the data is usable."""
    record = json.loads(Path(provenance_path).read_text(encoding="utf-8"))
    return record.get("reason") if record.get("status") != "ok" else None


def batch_status(ingest_dir: str | os.PathLike) -> dict[str, str | None]:
    """{municipality: no-data reason or None} that the ingest step wrote for its batch."""
    path = Path(ingest_dir) / "status.json"
    return json.loads(path.read_text(encoding="utf-8"))


def usable_codes(ingest_dir: str | os.PathLike, codes: Iterable[str], log=None) -> list[str]:
    """The codes of a batch whose units have data (``on_bad_municipality: skip`` leaves the
    others out of every later step; their map is a "no data" page)."""
    status = batch_status(ingest_dir)
    keep = []
    for code in codes:
        if status.get(code):
            if log is not None:
                log.warning("%s skipped: no data: %s", code, status[code])
        else:
            keep.append(code)
    return keep


def recorded_files(runs_dir: str | os.PathLike, name: str,
                   current: Mapping[str, str]) -> dict[str, str]:
    """The per-municipality files of this run plus those of earlier runs in the same folder.

    Summaries and the overview *merge* runs: every run writes ``results/runs/{hash}.json``
    listing its usable municipalities; a later run with another config adds its own rows
    instead of overwriting the earlier ones. A municipality's files are its latest run's.

    Parameters
    ----------
    runs_dir : path
        ``results/runs``.
    name : str
        File name under ``results/{municipality}/`` (``indices.parquet``).
    current : mapping
        ``{municipality: path}`` of this run (always included, even before its run record
        is written).
    """
    found = dict(current)
    for record in sorted(Path(runs_dir).glob("*.json")):
        run = json.loads(record.read_text(encoding="utf-8"))
        for code in run.get("usable", []):
            path = Path(runs_dir).parent / code / name
            if code not in found and path.exists():
                found[code] = str(path)
    return {code: found[code] for code in sorted(found)}


def run_label(configfiles: Sequence[str], config_hash: str) -> str:
    """How a page names a run: its config file name(s) and the start of its config hash.

    >>> run_label(["/x/config/examples/shared-cbs.yaml"], "3f2a1b9c0d")
    'shared-cbs.yaml (3f2a1b9c)'
    """
    names = ", ".join(Path(f).name for f in configfiles) or "config"
    return f"{names} ({config_hash[:8]})"


def recorded_runs(runs_dir: str | os.PathLike, codes: Iterable[str], current: Iterable[str],
                  current_hash: str) -> dict[str, str]:
    """The config hash of the run whose files each municipality in ``codes`` has.

    ``current`` are this run's municipalities (``current_hash``); any other one's run is the
    ``config_hash`` in its ``results/{code}/provenance.json`` (written by the run that
    wrote its files), so summaries and the overview can say which rows came from which run
    (:func:`recorded_files` merges them).
    """
    current = set(current)
    found = {}
    for code in codes:
        record = Path(runs_dir).parent / code / "provenance.json"
        if code in current:
            found[code] = current_hash
        elif not record.is_file():
            found[code] = ""  # files from before run records existed
        else:
            found[code] = json.loads(record.read_text(encoding="utf-8"))["config_hash"]
    return found


def check_config(config: Mapping, schema: Mapping, files: Sequence[str]) -> None:
    """Check a workflow config: the schema, then the names the schema cannot list.

    Raises
    ------
    InputError
        One line: the config file(s), the key path and what is allowed (the first
        schema error, not the whole schema), an index name outside the catalogue, or a
        region naming a municipality that is not configured.
    """
    import jsonschema

    from mixing import catalogue

    where_files = ", ".join(map(str, files))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(config))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        where = ".".join(str(p) for p in error.absolute_path) or "top level"
        message = error.message
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            message += f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        elif error.validator in ("oneOf", "anyOf") and len(message) > 200:
            message = message[:200] + "..."
        raise InputError(f"config {where_files}: {where}: {message} (see config/README.md)")
    indices = config.get("indices") or {}
    for key, valid in (("indices", list(catalogue.INDICES)),
                       ("inference", list(catalogue.testable()))):
        unknown = [n for n in indices.get(key) or [] if n not in valid]
        if unknown:
            raise InputError(f"config {where_files}: indices.{key}: unknown "
                             f"{', '.join(map(repr, unknown))}; valid: {', '.join(valid)}")
    municipalities = set(config.get("municipalities") or {})
    for region, codes in (config.get("regions") or {}).items():
        unknown = sorted(set(codes) - municipalities)
        if unknown:
            raise InputError(f"config {where_files}: regions.{region} names "
                             f"{', '.join(unknown)}, which is not under municipalities; add "
                             "it there or remove it from the region")


#: The per-municipality keys of the config that name input files (a list for ``table``).
FILE_KEYS = ("geometry", "table", "vitality", "pc4_geometry", "regions")


def _input_files(config: Mapping) -> list[tuple[str, str]]:
    """``(key path, file)`` of every input file the config names (downloads excluded)."""
    found = [(f"names[{i}]", str(path)) for i, path in enumerate(config.get("names") or [])]
    for code, source in (config.get("municipalities") or {}).items():
        if not isinstance(source, Mapping) or source.get("download"):
            continue
        entries = [(f"municipalities.{code}", source)]
        for year, other in (source.get("compare_years") or {}).items():
            entries.append((f"municipalities.{code}.compare_years.{year}", other or {}))
        for where, entry in entries:
            for key in FILE_KEYS:
                value = entry.get(key)
                for i, path in enumerate(value if isinstance(value, list) else [value]):
                    if path:
                        suffix = f"[{i}]" if isinstance(value, list) else ""
                        found.append((f"{where}.{key}{suffix}", str(path)))
    return found


def preflight(config: Mapping, schema: Mapping, files: Sequence[str],
              base: str | os.PathLike) -> dict:
    """Every check the workflow runs before work starts, in the order it runs them.

    ``common.smk`` and ``mixing check-config`` both call this, so "valid" from the command
    means the workflow starts: the schema, index names and regions (:func:`check_config`);
    every ``columns:`` mapping (:func:`mixing.io.columns.check_column_spec`); every input
    file the config names exists and is not a kind no reader takes (a spreadsheet, a web
    page: :mod:`mixing.io.readers.sniff`); every vitality screening reads
    (:func:`mixing.tables.vitality.read_scores`); the scenarios file parses and validates,
    including each ``geometry_file`` (:func:`mixing.scenarios.load_scenarios`).

    Parameters
    ----------
    config : mapping
        The merged config (defaults not yet filled in).
    schema : mapping
        ``workflow/schemas/config.schema.yaml``.
    files : sequence of str
        The config files, named in messages.
    base : path
        Relative paths in the config are relative to this folder (the repository).

    Returns
    -------
    dict
        ``{name: Scenario}`` of the scenarios file (empty with ``scenarios: false``).

    Raises
    ------
    InputError
        One line naming the config file, the key and the file, and the fix.
    """
    from mixing.io.columns import check_column_spec
    from mixing.io.readers.sniff import REFUSED_KINDS, refuse, sniff
    from mixing.scenarios import load_scenarios
    from mixing.tables.vitality import read_scores

    check_config(config, schema, files)
    where_files = ", ".join(map(str, files))
    for code, source in (config.get("municipalities") or {}).items():
        entries = [(f"municipalities.{code}", source)] + [
            (f"municipalities.{code}.compare_years.{year}", other or {})
            for year, other in (source.get("compare_years") or {}).items()]
        for where, entry in entries:
            if entry.get("layer") is not None and not entry.get("geometry"):
                raise InputError(f"config {where_files}: {where}.layer names a layer, but the "
                                 "entry has no geometry: map file",
                                 fix="add geometry: <the GeoPackage>, or remove layer:")
            if entry.get("columns") is not None:
                try:
                    check_column_spec(entry["columns"])
                except InputError as exc:
                    raise InputError(f"config {where_files}: {where}.{exc}",
                                     fix=exc.fix) from None
    base = Path(base)
    for where, name in _input_files(config):
        path = Path(name) if Path(name).is_absolute() else base / name
        if not path.is_file():
            raise InputError(
                f"config {where_files}: {where}: {name} "
                f"{'is a folder, not a file' if path.is_dir() else 'does not exist'}", file=path,
                fix=f"correct the path (relative paths are relative to {base})")
        if where.endswith(".vitality"):
            read_scores(path)
            continue
        if path.stat().st_size == 0:
            raise InputError(f"config {where_files}: {where}: the file is empty", file=path,
                             fix="download it again")
        kind = sniff(path)
        if kind in REFUSED_KINDS:
            raise refuse(kind, path, f"a CBS table or map file for {where}")
    scenarios = config.get("scenarios", schema["properties"]["scenarios"].get("default"))
    if not scenarios:
        return {}
    path = Path(scenarios) if Path(scenarios).is_absolute() else base / scenarios
    return load_scenarios(path)
