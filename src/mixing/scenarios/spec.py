"""Scenario specifications: named, validated overrides (pypsa-eur style).

``config/scenarios.yaml`` holds ``assumptions`` (defaults for every scenario) and
``scenarios`` (name -> ``type`` + parameters). :func:`load_scenarios` checks it twice --
against ``workflow/schemas/scenarios.schema.yaml`` (jsonschema, the same file the
workflow validates with) and semantically in Python -- and returns frozen
:class:`Scenario` objects. Every error names the scenario:
``scenario 'spreiden_50': cap must be in (0, 1], got 1.5``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from mixing.errors import InputError
from mixing.scenarios.assumptions import Assumptions
from mixing.scenarios.optimiser import TARGET_DIMENSIONS

__all__ = [
    "SCENARIO_TYPES",
    "PARAMETERS",
    "SCHEMA_PATH",
    "Scenario",
    "ScenarioError",
    "load_scenarios",
    "parse_scenarios",
    "scenario",
]

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "scenarios.schema.yaml"

_MIX = {"social": 0.3, "private_rent": 0.3, "owner_occupied": 0.4}
_TENURE_TO = ("owner_occupied", "private_rent")

#: Parameters per scenario type, with defaults (None = optional, no default).
PARAMETERS: dict[str, dict[str, object]] = {
    "differentiate": {
        "threshold": 0.7,
        "target": 0.5,
        "method": "sale",
        "convert_to": "owner_occupied",
        "rebuild_ratio": 1.0,
        "rebuild_mix": _MIX,
        "displaced_low_income_share": None,
        "rehouse": True,
        "restrict_to": None,
    },
    "spread": {"cap": 0.5, "capacity": 0.1, "convert_to": "owner_occupied"},
    "add_social": {"n": 500, "rank_by": "social_share", "capacity": 0.1},
    "allocation": {"years": 10, "share": 0.1, "concentration_threshold": 0.5, "turnover": None},
    "new_district": {
        "dwellings": 2750,
        "social_share": 0.35,
        "private_rent_share": 0.3,
        "near": None,
        "geometry_file": None,
        "density": 100.0,
        "unit_name": "Nieuwe wijk (scenario)",
        "migration_western_share": None,
        "migration_nonwestern_share": None,
    },
    "combine": {"steps": None},
    "target": {
        "budget": 1000,
        "budget_unit": "dwellings",
        "method": "sale",
        "convert_to": "owner_occupied",
        "rebuild_ratio": 1.0,
        "rebuild_mix": _MIX,
        "dimension": "social_housing",
        "index": "dissimilarity",
        "step": None,
    },
}
SCENARIO_TYPES = tuple(PARAMETERS)
_COMMON = ("type", "description", "assumptions")


class ScenarioError(InputError):
    """A scenario specification is wrong; the message starts with the scenario's name."""


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


def _freeze(value):
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _fail(name: str, problem: str, fix: str | None = None):
    raise ScenarioError(f"scenario {name!r}: {problem}", fix=fix)


def _number(name, key, value, low, high, *, low_open=False, high_open=False):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(name, f"{key} must be a number, got {value!r}")
    bad = (
        value < low or value > high or (low_open and value == low) or (high_open and value == high)
    )
    if bad:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        _fail(name, f"{key} must be in {left}{low}, {high}{right}, got {value!r}")


def _choice(name, key, value, valid):
    if value not in valid:
        _fail(name, f"{key} must be one of {list(valid)}, got {value!r}")


def _mix(name, key, value):
    if not isinstance(value, Mapping):
        _fail(name, f"{key} must be a mapping of tenure shares, got {value!r}")
    unknown = sorted(set(value) - set(_MIX))
    if unknown:
        _fail(name, f"{key} has unknown tenures {unknown}; valid: {list(_MIX)}")
    for tenure, share in value.items():
        _number(name, f"{key}.{tenure}", share, 0, 1)
    if abs(sum(value.values()) - 1.0) > 1e-6:
        _fail(name, f"{key} shares must add up to 1, got {sum(value.values())!r}")


def _codes(name, key, value):
    if value is None:
        return
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, str) for v in value)
    ):
        _fail(name, f"{key} must be a non-empty list of unit codes, got {value!r}")


def _check(name: str, kind: str, p: dict, all_specs: Mapping) -> None:
    """Semantic checks of one scenario's parameters (defaults already filled in)."""
    if kind in ("differentiate", "target"):
        _choice(name, "method", p["method"], ("sale", "demolish_rebuild"))
        _choice(name, "convert_to", p["convert_to"], _TENURE_TO)
        _number(name, "rebuild_ratio", p["rebuild_ratio"], 0, 5)
        _mix(name, "rebuild_mix", p["rebuild_mix"])
    if kind == "differentiate":
        _number(name, "threshold", p["threshold"], 0, 1, low_open=True)
        _number(name, "target", p["target"], 0, 1, high_open=True)
        if p["target"] > p["threshold"]:
            _fail(name, f"target ({p['target']}) must not exceed threshold ({p['threshold']})")
        if p["displaced_low_income_share"] is not None:
            _number(name, "displaced_low_income_share", p["displaced_low_income_share"], 0, 1)
        if not isinstance(p["rehouse"], bool):
            _fail(name, f"rehouse must be true or false, got {p['rehouse']!r}")
        _codes(name, "restrict_to", p["restrict_to"])
        if p["method"] == "demolish_rebuild":
            t, r, m = p["target"], p["rebuild_ratio"], p["rebuild_mix"].get("social", 0.0)
            if 1.0 - t + r * (t - m) <= 0:
                _fail(
                    name,
                    f"a rebuild of {r} x demolished with social share {m} can never "
                    f"bring a buurt down to target {t}",
                    fix="rebuild less social housing",
                )
    elif kind == "spread":
        _number(name, "cap", p["cap"], 0, 1, low_open=True)
        _number(name, "capacity", p["capacity"], 0, 10)
        _choice(name, "convert_to", p["convert_to"], _TENURE_TO)
    elif kind == "add_social":
        _number(name, "n", p["n"], 0, 1e7)
        _choice(name, "rank_by", p["rank_by"], ("social_share", "mean_income", "mean_woz"))
        _number(name, "capacity", p["capacity"], 0, 10)
    elif kind == "allocation":
        _number(name, "years", p["years"], 0, 100, low_open=True)
        _number(name, "share", p["share"], 0, 1)
        _number(name, "concentration_threshold", p["concentration_threshold"], 0, 1, low_open=True)
        if p["turnover"] is not None:
            _number(name, "turnover", p["turnover"], 0, 1, low_open=True)
    elif kind == "new_district":
        _number(name, "dwellings", p["dwellings"], 0, 1e6, low_open=True)
        _number(name, "social_share", p["social_share"], 0, 1)
        _number(name, "private_rent_share", p["private_rent_share"], 0, 1)
        if p["social_share"] + p["private_rent_share"] > 1 + 1e-9:
            _fail(
                name,
                "social_share + private_rent_share must be at most 1, got "
                f"{p['social_share'] + p['private_rent_share']!r}",
            )
        _number(name, "density", p["density"], 0, 1000, low_open=True)
        _codes(name, "near", p["near"])
        if p["near"] is not None and p["geometry_file"] is not None:
            _fail(name, "give either near or geometry_file, not both")
        for key in ("migration_western_share", "migration_nonwestern_share"):
            if p[key] is not None:
                _number(name, key, p[key], 0, 1)
    elif kind == "combine":
        steps = p["steps"]
        if not isinstance(steps, list | tuple) or not steps:
            _fail(name, f"steps must be a non-empty list of scenario names, got {steps!r}")
        for step in steps:
            if step not in all_specs:
                _fail(name, f"step {step!r} is not a scenario; defined: {sorted(all_specs)}")
            if step == name or all_specs[step].get("type") in ("combine", "target"):
                _fail(name, f"step {step!r} must be a simple scenario (not combine or target)")
    elif kind == "target":
        _number(name, "budget", p["budget"], 0, 1e7)
        _choice(name, "budget_unit", p["budget_unit"], ("dwellings", "households_displaced"))
        if p["budget_unit"] == "households_displaced" and p["method"] != "demolish_rebuild":
            _fail(
                name,
                "budget_unit 'households_displaced' needs method 'demolish_rebuild' "
                "(sale displaces nobody)",
            )
        _choice(name, "dimension", p["dimension"], TARGET_DIMENSIONS)
        from mixing.kernels import aspatial as indices

        _choice(
            name,
            "index",
            p["index"],
            ("dissimilarity", "isolation", "gini", "entropy", "correlation_ratio", "atkinson"),
        )
        assert callable(getattr(indices, p["index"]))
        if p["step"] is not None:
            _number(name, "step", p["step"], 0, 1e6, low_open=True)


def _check_assumptions(name: str, overrides) -> dict:
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        _fail(name, f"assumptions must be a mapping, got {overrides!r}")
    unknown = sorted(set(overrides) - set(Assumptions.field_names()))
    if unknown:
        _fail(name, f"unknown assumptions {unknown}; valid: {list(Assumptions.field_names())}")
    for key, value in overrides.items():
        if key == "low_income_concentration":
            _number(name, key, value, 1, 100)
        else:
            _number(name, key, value, 0, 1, low_open=key.startswith(("occupancy", "turnover")))
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
    if type not in PARAMETERS:
        _fail(name, f"unknown scenario type {type!r}; valid types: {list(SCENARIO_TYPES)}")
    unknown = sorted(set(params) - set(PARAMETERS[type]))
    if unknown:
        _fail(
            name,
            f"unknown keys {unknown} for type {type!r}; valid: "
            f"{sorted(PARAMETERS[type]) + list(_COMMON)}",
        )
    filled = {**PARAMETERS[type], **params}
    _check(name, type, filled, all_specs or {name: {"type": type, **params}})
    return Scenario(name, type, _freeze(filled), assumptions or Assumptions(), description)


def _schema_check(document: Mapping, source) -> None:
    import jsonschema

    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = list(err.absolute_path)
        if len(path) >= 2 and path[0] == "scenarios":
            where = "/".join(str(p) for p in path[2:]) or "(the scenario)"
            raise ScenarioError(f"scenario {path[1]!r}: {where}: {err.message}", file=source)
        raise ScenarioError(f"{'/'.join(map(str, path)) or 'document'}: {err.message}", file=source)


def parse_scenarios(document: Mapping, *, source=None) -> dict[str, Scenario]:
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
            _fail(name, f"needs a 'type'; valid types: {list(SCENARIO_TYPES)}")
        params = {k: v for k, v in spec.items() if k not in _COMMON}
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
    return out


def load_scenarios(path: str | os.PathLike) -> dict[str, Scenario]:
    """Read and validate a scenarios YAML file.

    Parameters
    ----------
    path : path
        E.g. ``config/scenarios.yaml``.

    Returns
    -------
    dict
        ``{name: Scenario}`` in file order.

    Raises
    ------
    ScenarioError
        Naming the scenario, the key, the value received and the valid values.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError("file not found", file=path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return parse_scenarios(document, source=path)
    except ScenarioError as exc:
        if exc.file is None:
            raise ScenarioError(exc.problem, file=path, fix=exc.fix) from None
        raise
