"""Scenario files: the default set loads; every error names the scenario."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest
import yaml
from conftest import REPO

from mixing.scenarios import SCENARIO_TYPES, Assumptions, ScenarioError, load_scenarios
from mixing.scenarios.spec import parse_scenarios
from mixing.scenarios.types import SCHEMA_HEADER, scenario_schema

SCHEMA_COPY = REPO / "workflow" / "schemas" / "scenarios.schema.yaml"

CONFIG = REPO / "config" / "scenarios.yaml"


def test_default_set_loads_and_covers_every_type():
    scenarios = load_scenarios(CONFIG)
    assert list(scenarios) == [
        "herstructurering_verkoop",
        "herstructurering_sloop",
        "spreiden_50",
        "sociaal_in_duur_500",
        "passend_toewijzen_10jr",
        "nieuwe_wijk_35",
        "combinatie",
        "optimaal_1000",
    ]
    assert {s.type for s in scenarios.values()} == set(SCENARIO_TYPES)
    sc = scenarios["spreiden_50"]
    assert sc.params["cap"] == 0.5 and sc.assumptions == Assumptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        sc.name = "x"
    with pytest.raises(TypeError):
        sc.params["cap"] = 0.3
    assert "NOT A BEHAVIOURAL FORECAST" in CONFIG.read_text()


def test_default_set_is_valid_against_the_schema():
    jsonschema.validate(yaml.safe_load(CONFIG.read_text()), scenario_schema())


def test_the_workflow_copy_of_the_schema_is_the_generated_one():
    text = SCHEMA_COPY.read_text()
    assert text.startswith(SCHEMA_HEADER), "regenerate: python -m mixing.scenarios"
    assert yaml.safe_load(text) == scenario_schema(), "regenerate: python -m mixing.scenarios"


def doc(**scenarios):
    return {"scenarios": scenarios}


@pytest.mark.parametrize(
    "spec, match",
    [
        ({"type": "spread", "cap": 1.5}, r"scenario 'bad': cap must be in \(0, 1\], got 1.5"),
        ({"type": "spread", "cap": 0}, r"scenario 'bad': cap must be in \(0, 1\]"),
        (
            {"type": "spreading"},
            r"scenario 'bad': unknown scenario type 'spreading'; valid types: "
            r"\['differentiate', 'spread'",
        ),
        (
            {"type": "spread", "cpa": 0.5, "foo": 1},
            r"scenario 'bad': unknown keys \['cpa', 'foo'\]",
        ),
        (
            {"type": "differentiate", "threshold": 0.5, "target": 0.6},
            r"scenario 'bad': target \(0.6\) must not exceed threshold",
        ),
        ({"type": "differentiate", "method": "burn"}, r"scenario 'bad': method must be one of"),
        (
            {
                "type": "differentiate",
                "method": "demolish_rebuild",
                "rebuild_mix": {"social": 0.5, "owner_occupied": 0.4},
            },
            r"scenario 'bad': rebuild_mix shares must add up to 1",
        ),
        (
            {
                "type": "differentiate",
                "method": "demolish_rebuild",
                "target": 0.2,
                "rebuild_ratio": 3,
                "rebuild_mix": {"social": 1.0},
            },
            r"scenario 'bad': a rebuild of 3",
        ),
        ({"type": "add_social", "n": -5}, r"scenario 'bad': n must be in"),
        ({"type": "add_social", "rank_by": "income"}, r"scenario 'bad': rank_by must be one of"),
        ({"type": "allocation", "share": 2}, r"scenario 'bad': share must be in \[0, 1\]"),
        (
            {"type": "new_district", "social_share": 0.8, "private_rent_share": 0.3},
            r"scenario 'bad': social_share \+ private_rent_share must be at most 1",
        ),
        (
            {"type": "new_district", "near": "BU03630000"},
            r"scenario 'bad': near must be a non-empty",
        ),
        ({"type": "combine", "steps": ["nope"]}, r"scenario 'bad': step 'nope' is not a scenario"),
        ({"type": "combine", "steps": ["bad"]}, r"scenario 'bad': step 'bad' must be a simple"),
        (
            {"type": "target", "budget_unit": "households_displaced"},
            r"scenario 'bad': budget_unit 'households_displaced' needs method 'demolish_rebuild'",
        ),
        ({"type": "target", "index": "moran"}, r"scenario 'bad': index must be one of"),
        (
            {"type": "spread", "assumptions": {"turnover_social": 0}},
            r"scenario 'bad': turnover_social must be in \(0, 1\]",
        ),
        (
            {"type": "spread", "assumptions": {"occupancy": 1}},
            r"scenario 'bad': unknown assumptions",
        ),
        ({"cap": 0.5}, r"scenario 'bad': needs a 'type'"),
    ],
)
def test_errors_name_the_scenario(spec, match):
    with pytest.raises(ScenarioError, match=match):
        parse_scenarios(doc(bad=spec))


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "spread", "cap": 1.5},
        {"type": "spreading"},
        {"type": "spread", "cpa": 0.5},
        {"type": "allocation", "share": 2},
        {"type": "target", "index": "moran"},
    ],
)
def test_schema_rejects_what_python_rejects(spec):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc(bad=spec), scenario_schema())


def test_file_errors_name_file_and_scenario(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scenarios:\n  spreiden_50:\n    type: spread\n    cap: 1.5\n")
    with pytest.raises(ScenarioError, match=r"s.yaml: scenario 'spreiden_50': cap must be"):
        load_scenarios(path)
    path.write_text("scenarios: {}\nextra: 1\n")
    with pytest.raises(ScenarioError, match=r"unknown top-level keys \['extra'\]"):
        load_scenarios(path)
    with pytest.raises(ScenarioError, match="the scenarios file is not found"):
        load_scenarios(tmp_path / "missing.yaml")


def test_assumption_overrides_apply_per_scenario():
    out = parse_scenarios(
        {
            "assumptions": {"turnover_social": 0.05},
            "scenarios": {
                "a": {"type": "spread"},
                "b": {"type": "spread", "assumptions": {"turnover_social": 0.08}},
            },
        }
    )
    assert out["a"].assumptions.turnover_social == 0.05
    assert out["b"].assumptions.turnover_social == 0.08


def _transform(units, *, cap=0.5, assumptions=None):
    return units


@pytest.mark.parametrize(("params", "message"), [
    ({"cap": "number", "extra": "number"}, r"declared but not accepted by _transform: \['extra'\]"),
    ({}, r"accepted but not declared: \['cap'\]"),
])
def test_a_type_whose_parameters_differ_from_its_transform_fails_when_declared(params, message):
    from mixing.scenarios.types import TYPES, Param, ScenarioType

    record = TYPES["spread"]
    with pytest.raises(TypeError, match=r"scenario type 'capped': parameters " + ".*" + message):
        ScenarioType("capped", {k: Param(v) for k, v in params.items()}, _transform,
                     record.title, record.short, record.about, record.duration, ())


def test_every_type_is_one_complete_record():
    import inspect

    from mixing.scenarios.tables import COST_COLUMNS
    from mixing.scenarios.types import DURATIONS, TYPES

    for name, record in TYPES.items():
        example = record.defaults() | ({"steps": ["a"]} if name == "combine" else {})
        assert record.duration(example) in DURATIONS, name
        assert set(record.reports) <= set(COST_COLUMNS), name
        for language in ("nl", "en"):
            assert record.title(example, language, ()), name
            assert record.short(example, language), name
            assert record.about(language), name
        if record.transform is not None:
            accepted = set(inspect.signature(record.transform).parameters)
            assert accepted - {"units", "assumptions"} == set(record.params), name


def test_load_scenarios_returns_the_file_assumptions_with_the_scenarios(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("assumptions: {turnover_social: 0.05}\nscenarios:\n"
                    "  a: {type: spread}\n"
                    "  b: {type: spread, assumptions: {turnover_social: 0.1}}\n",
                    encoding="utf-8")
    loaded = load_scenarios(path)
    assert list(loaded) == ["a", "b"]
    assert loaded.assumptions == Assumptions(turnover_social=0.05)
    assert loaded["a"].assumptions.turnover_social == 0.05
    assert loaded["b"].assumptions.turnover_social == 0.1
