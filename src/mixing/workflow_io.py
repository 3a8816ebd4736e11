"""Glue between Snakemake and the workflow scripts.

- :func:`mock_snakemake` builds the ``snakemake`` object of a rule outside Snakemake, so a
  script runs in a plain Python session for debugging (the pypsa-eur pattern).
- :func:`publish` records a per-municipality file in its batch folder (a hard link), which
  is what the batch rules declare as output: Snakemake rules need one wildcard pattern per
  output, and a batch writes a variable number of municipality files.
  :func:`missing_files` lists the recorded files that are gone from ``results/``, so the
  workflow plans the jobs that make them again.
- :func:`strict_yaml` reads a config file refusing duplicate keys, with file and line.
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

import yaml

from mixing.errors import InputError
from mixing.io.download import sha256_file

__all__ = ["mock_snakemake", "publish", "strict_yaml", "check_config", "config_hash",
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


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key twice in one mapping (YAML says keys are unique)."""


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:  # this mapping's own keys: a ``<<: *anchor`` merge may
        if key_node.tag == "tag:yaml.org,2002:merge":  # be overridden, that is no duplicate
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InputError(
                f"key {key!r} appears twice (lines {seen[key] + 1} and "
                f"{key_node.start_mark.line + 1}); the second would silently replace the first",
                file=loader.name, line=key_node.start_mark.line + 1,
                fix="keep one entry per key",
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def strict_yaml(path: str | os.PathLike) -> dict:
    """Read a YAML config file; duplicate keys, syntax errors and an empty file are errors.

    Raises
    ------
    InputError
        Naming the file and the line (1-based line number in the file).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the config file: {error.strerror}", file=path,
                         fix="check the path given to --configfile") from None
    try:
        loader = _StrictLoader(text)
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InputError(f"YAML syntax error: {error.problem or error.context}", file=path,
                         line=None if mark is None else mark.line + 1,
                         fix="compare the line with config/config.yaml") from None
    if not isinstance(data, dict) or not data:
        raise InputError("the config file is empty or not a mapping of keys", file=path,
                         fix="start from config/config.yaml (seed, municipalities, ...)")
    return data


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
