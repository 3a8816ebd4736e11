"""The scenario types of the policy lab, each ONE record: parameters, transform, words, time.

A :class:`ScenarioType` holds everything about a type: its :class:`Param` s (kind,
default, bounds or choices) and, where a rule spans several parameters, one hand-written
``rules`` function; the transform that applies it; its title, short label and description
in Dutch and English (:mod:`mixing.scenarios.titles`); its duration rule (how the years it
takes are known) and what it reports (the cost columns it fills). The parameters are
checked against the transform's signature when this module is imported: a parameter
declared but not accepted (or accepted but not declared) fails at import with the type's
name, never at run time.

Both the Python checks of :mod:`mixing.scenarios.spec` and the JSON Schema the workflow
validates with (:func:`scenario_schema`; its copy ``workflow/schemas/scenarios.schema.yaml``
is tested equal) are derived from these declarations, so the two cannot disagree.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

import yaml

from mixing.dimensions import Label
from mixing.errors import InputError
from mixing.limits import MAX_OPTIMISER_STEPS
from mixing.scenarios import district, optimiser, titles, transforms
from mixing.scenarios.assumptions import REBUILD_MIX, Assumptions
from mixing.scenarios.optimiser import TARGET_DIMENSIONS, TARGET_INDICES

__all__ = ["Param", "ScenarioType", "SCENARIO_TYPES", "TYPES", "ScenarioError",
           "scenario_schema", "write_schema_copy", "fail", "COMMON",
           "SCHEMA_HEADER", "DURATIONS", "EXPLORER", "Bounds"]


class ScenarioError(InputError):
    """A scenario specification is wrong; the message starts with the scenario's name."""


def fail(name: str, problem: str, fix: str | None = None):
    """Raise a :class:`ScenarioError` about scenario ``name``."""
    raise ScenarioError(f"scenario {name!r}: {problem}", fix=fix)


Kind = Literal["number", "choice", "bool", "codes", "mix", "text", "steps"]
_TENURE_TO = ("owner_occupied", "private_rent")


@dataclass(frozen=True)
class Param:
    """One parameter: its kind, default and allowed values.

    ``low``/``high`` bound a number (``low_open``/``high_open`` exclude the end);
    ``choices`` list a choice; ``nullable`` allows ``null`` (no value).
    """

    kind: Kind
    default: object = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()
    nullable: bool = False
    required: bool = False

    def check(self, name: str, key: str, value: object) -> None:
        """Raise a :class:`ScenarioError` naming the scenario unless ``value`` is allowed."""
        if value is None and self.nullable:
            return
        if self.kind == "number":
            _number(name, key, value, self.low, self.high, self.low_open, self.high_open)
        elif self.kind == "choice" and value not in self.choices:
            fail(name, f"{key} must be one of {list(self.choices)}, got {value!r}")
        elif self.kind == "bool" and not isinstance(value, bool):
            fail(name, f"{key} must be true or false, got {value!r}")
        elif self.kind == "codes" and (not isinstance(value, list | tuple) or not value
                                       or not all(isinstance(v, str) for v in value)):
            fail(name, f"{key} must be a non-empty list of unit codes, got {value!r}")
        elif self.kind == "steps" and (not isinstance(value, list | tuple) or not value
                                       or not all(isinstance(v, str) for v in value)):
            fail(name, f"{key} must be a non-empty list of scenario names, got {value!r}")
        elif self.kind == "text" and not isinstance(value, str):
            fail(name, f"{key} must be a text, got {value!r}")
        elif self.kind == "mix":
            _mix(name, key, value)

    def schema(self) -> dict:
        """The parameter as a JSON Schema fragment."""
        if self.kind == "number":
            out: dict = {"type": ["number", "null"] if self.nullable else "number"}
            if self.low is not None:
                out["exclusiveMinimum" if self.low_open else "minimum"] = self.low
            if self.high is not None:
                out["exclusiveMaximum" if self.high_open else "maximum"] = self.high
            return out
        if self.kind == "choice":
            return {"enum": list(self.choices) + ([None] if self.nullable else [])}
        if self.kind == "bool":
            return {"type": "boolean"}
        if self.kind in ("codes", "steps"):
            return {"type": ["array", "null"] if self.nullable else "array", "minItems": 1,
                    "items": {"type": "string"}}
        if self.kind == "text":
            return {"type": ["string", "null"] if self.nullable else "string"}
        return {"type": "object", "additionalProperties": False,
                "properties": {t: {"type": "number", "minimum": 0, "maximum": 1}
                               for t in REBUILD_MIX}}


def _number(name, key, value, low, high, low_open=False, high_open=False):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        fail(name, f"{key} must be a number, got {value!r}")
    if ((low is not None and (value < low or (low_open and value == low)))
            or (high is not None and (value > high or (high_open and value == high)))):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        fail(name, f"{key} must be in {left}{low}, {high}{right}, got {value!r}")


def _mix(name, key, value):
    if not isinstance(value, Mapping):
        fail(name, f"{key} must be a mapping of tenure shares, got {value!r}")
    unknown = sorted(set(value) - set(REBUILD_MIX))
    if unknown:
        fail(name, f"{key} has unknown tenures {unknown}; valid: {list(REBUILD_MIX)}")
    for tenure, share in value.items():
        _number(name, f"{key}.{tenure}", share, 0, 1)
    if abs(sum(value.values()) - 1.0) > 1e-6:
        fail(name, f"{key} shares must add up to 1, got {sum(value.values())!r}")


#: How the years a scenario needs are known (column ``duration_basis``):
#: ``turnover`` -- sold or converted as social tenants leave (years at ``turnover_social``);
#: ``rule`` -- the years the allocation rule applies; ``building`` -- demolition and new
#: build, years depend on the building project (not modelled); ``immediate`` -- no waiting
#: time in the model (new build on free land); ``steps`` -- a package: its longest step.
DURATIONS = ("turnover", "rule", "building", "immediate", "steps")
_PASSED = ("units", "assumptions")  # every transform takes these besides the parameters


@dataclass(frozen=True)
class ScenarioType:
    """A scenario type: the one record of everything about it.

    Attributes
    ----------
    name : str
    params : mapping
        ``{keyword: Param}``: the transform's keyword arguments besides ``units`` and
        ``assumptions``, exactly (checked at import).
    transform : callable or None
        ``transform(units, *, assumptions, **params) -> ScenarioResult``; None for
        ``combine`` (its steps' transforms in sequence).
    title, short : callable
        ``title(params, language, steps) -> str`` and ``short(params, language) -> str``.
    about : Label
        What the type does, for a scenario without its own description.
    duration : callable
        ``duration(params) -> str``, one of :data:`DURATIONS`.
    reports : tuple of str
        The cost columns (:data:`mixing.scenarios.tables.COST_COLUMNS`) it can fill.
    rules : callable
        ``rules(name, params, specs)``: checks that span several parameters.
    """

    name: str
    params: Mapping[str, Param]
    transform: Callable | None
    title: Callable
    short: Callable
    about: Label
    duration: Callable[[Mapping], str]
    reports: tuple[str, ...]
    rules: Callable[[str, dict, Mapping], None] = field(default=lambda name, p, specs: None)

    def __post_init__(self):
        """Check the parameters against the transform's signature (at import)."""
        if self.transform is None:
            return
        signature = inspect.signature(self.transform).parameters
        accepted = {k for k, p in signature.items()
                    if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)} - set(_PASSED)
        declared = set(self.params)
        if accepted != declared:
            raise TypeError(
                f"scenario type {self.name!r}: parameters declared but not accepted by "
                f"{self.transform.__name__}: {sorted(declared - accepted)}; accepted but not "
                f"declared: {sorted(accepted - declared)}")

    def defaults(self) -> dict:
        """Every parameter's default (None: optional, no default)."""
        return {key: param.default for key, param in self.params.items()}


def _share(default=None, *, nullable=False, low_open=False, high_open=False) -> Param:
    return Param("number", default, 0, 1, low_open=low_open, high_open=high_open,
                 nullable=nullable)


def _restructuring(method="sale") -> dict[str, Param]:
    """Parameters shared by the types that sell or demolish social dwellings."""
    return {
        "method": Param("choice", method, choices=("sale", "demolish_rebuild")),
        "convert_to": Param("choice", "owner_occupied", choices=_TENURE_TO),
        "rebuild_ratio": Param("number", 1.0, 0, 5),
        "rebuild_mix": Param("mix", REBUILD_MIX),
    }


def _differentiate_rules(name: str, p: dict, specs: Mapping) -> None:
    if p["target"] > p["threshold"]:
        fail(name, f"target ({p['target']}) must not exceed threshold ({p['threshold']})")
    if p["method"] == "demolish_rebuild":
        t, r, m = p["target"], p["rebuild_ratio"], p["rebuild_mix"].get("social", 0.0)
        if 1.0 - t + r * (t - m) <= 0:
            fail(name, f"a rebuild of {r} x demolished with social share {m} can never "
                       f"bring a buurt down to target {t}", fix="rebuild less social housing")


def _new_district_rules(name: str, p: dict, specs: Mapping) -> None:
    if p["social_share"] + p["private_rent_share"] > 1 + 1e-9:
        fail(name, "social_share + private_rent_share must be at most 1, got "
                   f"{p['social_share'] + p['private_rent_share']!r}")
    if p["near"] is not None and p["geometry_file"] is not None:
        fail(name, "give either near or geometry_file, not both")


def _combine_rules(name: str, p: dict, specs: Mapping) -> None:
    for step in p["steps"]:
        if step not in specs:
            fail(name, f"step {step!r} is not a scenario; defined: {sorted(specs)}")
        if step == name or specs[step].get("type") in ("combine", "target"):
            fail(name, f"step {step!r} must be a simple scenario (not combine or target)")


def _target_rules(name: str, p: dict, specs: Mapping) -> None:
    if p["budget_unit"] == "households_displaced" and p["method"] != "demolish_rebuild":
        fail(name, "budget_unit 'households_displaced' needs method 'demolish_rebuild' "
                   "(sale displaces nobody)")
    if p["step"] is not None and p["budget"] / p["step"] > MAX_OPTIMISER_STEPS:
        fail(name, f"budget / step = {p['budget'] / p['step']:.0f} greedy steps; at most "
                   f"{MAX_OPTIMISER_STEPS} are run (mixing.limits.MAX_OPTIMISER_STEPS)",
             fix=f"step: {math.ceil(p['budget'] / MAX_OPTIMISER_STEPS)} or more, or leave "
                 "it out (about 100 steps)")


def _by_method(p: Mapping) -> str:
    return "turnover" if p["method"] == "sale" else "building"


def _record(name: str, params: dict, transform, duration, reports, rules=None
            ) -> ScenarioType:
    """A type's record, with its words from :mod:`mixing.scenarios.titles`."""
    extra = {"rules": rules} if rules else {}
    return ScenarioType(name, params, transform, titles.TITLES[name], titles.SHORT[name],
                        titles.ABOUT[name], duration, tuple(reports), **extra)


_DEMOLITION = ("dwellings_demolished", "dwellings_built", "households_displaced",
               "households_rehoused", "low_income_displaced", "households_not_rehoused")

TYPES: dict[str, ScenarioType] = {t.name: t for t in (
    _record("differentiate", {
        "threshold": _share(0.7, low_open=True),
        "target": _share(0.5, high_open=True),
        **_restructuring(),
        "displaced_low_income_share": _share(nullable=True),
        "rehouse": Param("bool", True),
        "restrict_to": Param("codes", nullable=True),
    }, transforms.differentiate, _by_method,
        ("dwellings_converted", *_DEMOLITION, "years_needed"), _differentiate_rules),
    _record("spread", {
        "cap": _share(0.5, low_open=True),
        "capacity": Param("number", 0.1, 0, 10),
        "convert_to": Param("choice", "owner_occupied", choices=_TENURE_TO),
    }, transforms.spread, lambda p: "turnover",
        ("dwellings_converted", "dwellings_built", "dwellings_not_placed", "years_needed")),
    _record("add_social", {
        "n": Param("number", 500, 0, 1e7),
        "rank_by": Param("choice", "social_share",
                         choices=("social_share", "mean_income", "mean_woz")),
        "capacity": Param("number", 0.1, 0, 10),
    }, transforms.add_social, lambda p: "building",
        ("dwellings_built", "dwellings_not_placed")),
    _record("allocation", {
        "years": Param("number", 10, 0, 100, low_open=True),
        "share": _share(0.1),
        "concentration_threshold": _share(0.5, low_open=True),
        "turnover": _share(nullable=True, low_open=True),
    }, transforms.allocation, lambda p: "rule",
        ("households_rehoused", "households_not_rehoused", "years_needed")),
    _record("new_district", {
        "dwellings": Param("number", 2750, 0, 1e6, low_open=True),
        "social_share": _share(0.35),
        "private_rent_share": _share(0.3),
        "near": Param("codes", nullable=True),
        "geometry_file": Param("text", nullable=True),
        "density": Param("number", 100.0, 0, 1000, low_open=True),
        "unit_name": Param("text", "Nieuwe wijk (scenario)"),
        "migration_western_share": _share(nullable=True),
        "migration_nonwestern_share": _share(nullable=True),
    }, district.new_district, lambda p: "building", ("dwellings_built",),
        rules=_new_district_rules),
    _record("combine", {"steps": Param("steps", required=True)}, None, lambda p: "steps",
            ("dwellings_converted", *_DEMOLITION, "dwellings_not_placed", "years_needed"),
            _combine_rules),
    _record("target", {
        "budget": Param("number", 1000, 0, 1e7),
        "budget_unit": Param("choice", "dwellings",
                             choices=("dwellings", "households_displaced")),
        **_restructuring(),
        "dimension": Param("choice", "social_housing", choices=TARGET_DIMENSIONS),
        "index": Param("choice", "dissimilarity", choices=TARGET_INDICES),
        "step": Param("number", None, 0, 1e6, low_open=True, nullable=True),
    }, optimiser.target, _by_method,
        ("dwellings_converted", *_DEMOLITION, "dwellings_not_placed", "years_needed"),
        _target_rules),
)}
SCENARIO_TYPES = tuple(TYPES)


def _explorer_rules(name: str, p: dict, specs: Mapping) -> None:
    if p.get("cap") is not None:  # a cap is differentiate with threshold = target = cap
        _differentiate_rules(name, {**p, "threshold": p["cap"], "target": p["cap"]}, specs)


#: The intervention of the in-map explorer (:mod:`mixing.viz.explorer`): sell or demolish
#: ``share`` of the social homes of the chosen buurten, or bring every chosen buurt down to
#: a ``cap`` on its social share (:func:`~mixing.scenarios.transforms.differentiate` with
#: threshold = target = cap, so the cap lies inside both their ranges). Not a scenario type
#: of the file; the page's script refuses a spec outside these bounds, read from its payload.
@dataclass(frozen=True)
class Bounds:
    """Parameters and the rules across them of an intervention that is no scenario type
    (no transform, title or duration of its own): the in-map explorer's spec."""

    name: str
    params: Mapping[str, Param]
    rules: Callable[[str, dict, Mapping], None] = field(default=lambda name, p, specs: None)


EXPLORER = Bounds("explorer", {
    "share": _share(0.3),
    "cap": _share(0.5, low_open=True, high_open=True),
    **_restructuring(),
    "rehouse": Param("bool", True),
}, _explorer_rules)

#: Assumption -> its range (``low``, ``high``, ``low_open``), declared with the field.
_ASSUMPTION_RANGES = {f.name: f.metadata for f in fields(Assumptions)}

#: Keys every scenario may have besides its type's parameters.
COMMON = ("type", "description", "assumptions")


def assumption_param(key: str) -> Param:
    """The allowed values of one assumption, as its field in :class:`Assumptions` declares."""
    return Param("number", **_ASSUMPTION_RANGES[key])


#: First lines of the generated copy of the schema in ``workflow/schemas``.
SCHEMA_HEADER = ("# GENERATED from mixing.scenarios.types by `python -m mixing.scenarios`"
                 " -- do not edit.\n# tests/test_scenarios_spec.py keeps it equal to "
                 "mixing.scenarios.types.scenario_schema().\n")


def scenario_schema() -> dict:
    """The JSON Schema of a scenarios file, derived from :data:`TYPES` and the assumptions."""
    assumptions = {"type": "object", "additionalProperties": False,
                   "properties": {key: assumption_param(key).schema()
                                  for key in Assumptions.field_names()}}
    branches = []
    for t in TYPES.values():
        then = {"additionalProperties": False,
                "properties": {**{key: True for key in COMMON},
                               **{key: p.schema() for key, p in t.params.items()}}}
        required = [key for key, p in t.params.items() if p.required]
        if required:
            then["required"] = required
        branches.append({"if": {"properties": {"type": {"const": t.name}}}, "then": then})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "description": "Scenarios of the policy lab (config/scenarios.yaml). Generated from "
                       "mixing.scenarios.types; rules that span several parameters are "
                       "checked in Python by mixing.scenarios.load_scenarios.",
        "type": "object", "additionalProperties": False, "required": ["scenarios"],
        "properties": {
            "assumptions": {"$ref": "#/$defs/assumptions"},
            "scenarios": {"type": "object", "minProperties": 1,
                          "propertyNames": {"pattern": "^[A-Za-z0-9_]+$"},
                          "additionalProperties": {"$ref": "#/$defs/scenario"}},
        },
        "$defs": {
            "assumptions": assumptions,
            "scenario": {"type": "object", "required": ["type"],
                         "properties": {"type": {"enum": list(SCENARIO_TYPES)},
                                        "description": {"type": "string"},
                                        "assumptions": {"$ref": "#/$defs/assumptions"}},
                         "allOf": branches},
        },
    }



def write_schema_copy(target: str | Path = "workflow/schemas/scenarios.schema.yaml") -> None:
    """Write the schema (YAML) for editors and the workflow: ``python -m mixing.scenarios``."""
    text = SCHEMA_HEADER + yaml.safe_dump(scenario_schema(), sort_keys=False, width=100)
    Path(target).write_text(text, encoding="utf-8")
