"""The policy lab: what-if scenarios for the housing stock and its allocation.

An **accounting model** of "what if the stock or the allocation were different" -- not a
behavioural forecast. Each scenario type is a pure, vectorised function of one
municipality's canonical units table (buurt level) returning a new table and its costs;
assumptions the data lack are explicit (:class:`Assumptions`) and carried on every table
row.

Modules: :mod:`.assumptions` (defaults and sources), :mod:`.spec` (scenario files and
validation), :mod:`.state` (per-tenure accounting), :mod:`.transforms` (differentiate,
spread, add_social, allocation), :mod:`.district` (new_district), :mod:`.optimiser`
(target), :mod:`.types` (one record per scenario type: parameters, transform, words,
duration rule, what it reports), :mod:`.titles` (the types' words in Dutch and English),
:mod:`.tables` (run_scenarios, unit_changes), :mod:`.labels` (a scenario's title).
"""

from mixing.scenarios.assumptions import (
    ASSUMPTION_COLUMNS,
    ASSUMPTION_SOURCES,
    MODEL_NOTE,
    Assumptions,
)
from mixing.scenarios.district import new_district
from mixing.scenarios.labels import scenario_title
from mixing.scenarios.optimiser import target, threshold_rule
from mixing.scenarios.spec import (
    SCENARIO_TYPES,
    Scenario,
    ScenarioError,
    ScenarioSet,
    load_scenarios,
    parse_scenarios,
    scenario,
)
from mixing.scenarios.tables import (
    SUMMARY_COLUMNS,
    apply_scenario,
    run_scenarios,
    scenario_changes,
    summary_columns,
    unit_changes,
)
from mixing.scenarios.transforms import (
    ScenarioCosts,
    ScenarioResult,
    add_social,
    allocation,
    differentiate,
    spread,
)

__all__ = [
    "MODEL_NOTE",
    "Assumptions",
    "ASSUMPTION_COLUMNS",
    "ASSUMPTION_SOURCES",
    "SCENARIO_TYPES",
    "Scenario",
    "ScenarioError",
    "ScenarioSet",
    "ScenarioCosts",
    "ScenarioResult",
    "SUMMARY_COLUMNS",
    "load_scenarios",
    "parse_scenarios",
    "scenario",
    "differentiate",
    "spread",
    "add_social",
    "allocation",
    "new_district",
    "target",
    "threshold_rule",
    "apply_scenario",
    "run_scenarios",
    "unit_changes",
    "scenario_changes",
    "summary_columns",
    "scenario_title",
]
