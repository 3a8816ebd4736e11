"""Scenario specifications: named, validated overrides (pypsa-eur style).

``config/scenarios.yaml`` holds ``assumptions`` (defaults for every scenario) and
``scenarios`` (name -> ``type`` + parameters). :func:`load_scenarios` checks it against the
declarations of :mod:`mixing.scenarios.types` -- each parameter's bounds and the rules that
span parameters, then the JSON Schema derived from the same declarations (the workflow
validates with its copy) -- and returns frozen :class:`Scenario` objects. Every error names
the scenario: ``scenario 'spreiden_50': cap must be in (0, 1], got 1.5``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from mixing.errors import InputError
from mixing.io.yamlfile import read_yaml
from mixing.scenarios.assumptions import Assumptions
from mixing.scenarios.types import (
    COMMON,
    SCENARIO_TYPES,
    TYPES,
    ScenarioError,
    assumption_param,
    fail,
    scenario_schema,
)

__all__ = [
    "SCENARIO_TYPES",
    "Scenario",
    "ScenarioSet",
    "ScenarioError",
    "load_scenarios",
    "parse_scenarios",
    "scenario",
]


@dataclass(frozen=True)
class Scenario:
    """One named scenario: a type, its parameters (defaults filled in) and assumptions.

    Attributes
    ----------
    name : str
    type : str
        One of :data:`SCENARIO_TYPES`.
    params : Mapping
        Read-only parameters (lists become tuples, dicts read-only mappings).
    assumptions : Assumptions
    description : str
    """

    name: str
    type: str
    params: Mapping = field(default_factory=lambda: MappingProxyType({}))
    assumptions: Assumptions = field(default_factory=Assumptions)
    description: str = ""

    def kwargs(self) -> dict:
        """Parameters as plain keyword arguments for the transform."""
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.params.items()}


class ScenarioSet(dict):
    """``{name: Scenario}`` in file order, with the file's own assumptions.

    What :func:`load_scenarios` returns: one parse of the scenarios file gives both the
    scenarios and ``assumptions``, the file's top-level assumptions (package defaults
    overridden by its ``assumptions:`` block) -- what a scenario without overrides uses,
    and what the in-map explorer computes with.
    """

    def __init__(self, scenarios: Mapping[str, Scenario] = (), assumptions=None):
        super().__init__(scenarios)
        self.assumptions = assumptions or Assumptions()


def _freeze(value):
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _check_assumptions(name: str, overrides) -> dict:
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        fail(name, f"assumptions must be a mapping, got {overrides!r}")
    unknown = sorted(set(overrides) - set(Assumptions.field_names()))
    if unknown:
        fail(name, f"unknown assumptions {unknown}; valid: {list(Assumptions.field_names())}")
    for key, value in overrides.items():
        assumption_param(key).check(name, key, value)
    return dict(overrides)


def scenario(
    name: str,
    type: str,
    *,
    assumptions: Assumptions | None = None,
    description: str = "",
    all_specs: Mapping | None = None,
    **params,
) -> Scenario:
    """Build and check one :class:`Scenario` from keyword parameters.

    Examples
    --------
    >>> scenario("spreiden_50", "spread", cap=0.5).params["capacity"]
    0.1
    """
    if type not in TYPES:
        fail(name, f"unknown scenario type {type!r}; valid types: {list(SCENARIO_TYPES)}")
    kind = TYPES[type]
    unknown = sorted(set(params) - set(kind.params))
    if unknown:
        fail(name, f"unknown keys {unknown} for type {type!r}; valid: "
                   f"{sorted(kind.params) + list(COMMON)}")
    filled = {**kind.defaults(), **params}
    for key, param in kind.params.items():
        param.check(name, key, filled[key])
    kind.rules(name, filled, all_specs or {name: {"type": type, **params}})
    return Scenario(name, type, _freeze(filled), assumptions or Assumptions(), description)


def _schema_check(document: Mapping, source) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(scenario_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = list(err.absolute_path)
        if len(path) >= 2 and path[0] == "scenarios":
            where = "/".join(str(p) for p in path[2:]) or "(the scenario)"
            raise ScenarioError(f"scenario {path[1]!r}: {where}: {err.message}", file=source)
        raise ScenarioError(f"{'/'.join(map(str, path)) or 'document'}: {err.message}", file=source)


def parse_scenarios(document: Mapping, *, source=None) -> ScenarioSet:
    """Validate a parsed scenarios document and build the scenarios.

    Python checks run first (they give the most precise message: unknown type with the
    valid ones, unknown keys, ranges), then the JSON Schema as the contract shared with
    the workflow.
    """
    if not isinstance(document, Mapping) or "scenarios" not in document:
        raise ScenarioError(
            "the scenarios file needs a top-level 'scenarios' mapping",
            file=source,
            fix="see config/scenarios.yaml",
        )
    unknown = sorted(set(document) - {"assumptions", "scenarios"})
    if unknown:
        raise ScenarioError(
            f"unknown top-level keys {unknown}; valid: ['assumptions', 'scenarios']", file=source
        )
    specs = document["scenarios"]
    if not isinstance(specs, Mapping) or not specs:
        raise ScenarioError(
            "'scenarios' must be a non-empty mapping of name -> scenario", file=source
        )
    base = Assumptions().with_overrides(
        _check_assumptions("(assumptions)", document.get("assumptions"))
    )
    out = {}
    for name, spec in specs.items():
        if not isinstance(spec, Mapping) or "type" not in spec:
            fail(name, f"needs a 'type'; valid types: {list(SCENARIO_TYPES)}")
        params = {k: v for k, v in spec.items() if k not in COMMON}
        assumptions = base.with_overrides(_check_assumptions(name, spec.get("assumptions")))
        out[name] = scenario(
            name,
            spec["type"],
            assumptions=assumptions,
            description=str(spec.get("description", "")),
            all_specs=specs,
            **params,
        )
    _schema_check(document, source)
    return ScenarioSet(out, base)


def load_scenarios(path: str | os.PathLike) -> ScenarioSet:
    """Read and validate a scenarios YAML file.

    Parameters
    ----------
    path : path
        E.g. ``config/scenarios.yaml``.

    Returns
    -------
    ScenarioSet
        ``{name: Scenario}`` in file order; ``.assumptions`` the file's assumptions.

    Raises
    ------
    ScenarioError
        Naming the scenario, the key, the value received and the valid values.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError("the scenarios file is not found", file=path,
                            fix="check the path under 'scenarios:' in the config, or set "
                            "scenarios: false")
    try:
        document = read_yaml(path, what="scenarios file", example="config/scenarios.yaml")
    except InputError as exc:
        raise ScenarioError(exc.problem, file=exc.file, line=exc.line, fix=exc.fix) from None
    try:
        scenarios = parse_scenarios(document, source=path)
        _check_files(scenarios)
    except ScenarioError as exc:
        if exc.file is None:
            raise ScenarioError(exc.problem, file=path, fix=exc.fix) from None
        raise
    return scenarios


def _check_files(scenarios: Mapping[str, Scenario]) -> None:
    """Every ``geometry_file`` exists and is a readable map file (before any work starts)."""
    from mixing.io.readers.geo import read_geometry

    for name, item in scenarios.items():
        given = item.params.get("geometry_file")
        if given is None:
            continue
        if not Path(given).is_file():
            fail(name, f"geometry_file {given!r} is not found (paths are relative to the "
                 f"working directory {Path.cwd()})",
                 fix="correct the path, or place the district with near: [buurt codes]")
        try:
            read_geometry(given)
        except InputError as exc:
            fail(name, f"geometry_file {given!r} cannot be used: {exc}",
                 fix="pass a GeoPackage/GeoJSON with the district's polygon")
