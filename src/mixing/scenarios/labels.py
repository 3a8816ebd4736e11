"""Plain-language titles of scenarios, in Dutch (default) and English, from their parameters.

A scenario in ``config/scenarios.yaml`` has an id (``spreiden_50``) and a free-text
``description``; policy staff need a title that says what the scenario does to the stock.
The title is written by the scenario's type record (:data:`mixing.scenarios.types.TYPES`,
words in :mod:`mixing.scenarios.titles`) from its parameters, so it is right for every
scenario a user defines and can never disagree with what was computed:
``scenario_title(s)`` -> "Spreiden: hoogstens 50 % sociale huur per buurt". The scenario
table carries the titles (:func:`mixing.scenarios.run_scenarios`); pages read them there.
"""

from __future__ import annotations

from collections.abc import Mapping

from mixing.scenarios.spec import Scenario
from mixing.scenarios.titles import TENURE_WORDS
from mixing.scenarios.types import TYPES

__all__ = ["scenario_title", "short_title", "scenario_about", "TENURE_WORDS"]


def _check(language: str) -> None:
    if language not in ("nl", "en"):
        raise ValueError(f"language must be 'nl' or 'en', got {language!r}")


def scenario_title(
    scenario: Scenario, language: str = "nl", scenarios: Mapping[str, Scenario] | None = None
) -> str:
    """A one-line title of what ``scenario`` does, written from its type and parameters.

    Parameters
    ----------
    scenario : Scenario
    language : {"nl", "en"}
    scenarios : mapping, optional
        All scenarios, to name the steps of a ``combine`` scenario by what they do.

    Returns
    -------
    str

    Examples
    --------
    >>> from mixing.scenarios import scenario
    >>> scenario_title(scenario("s", "spread", cap=0.5))
    'Spreiden: hoogstens 50 % sociale huur per buurt, de rest elders bijbouwen'
    >>> scenario_title(scenario("s", "differentiate", method="demolish_rebuild"), "en")
    'Demolish and rebuild: neighbourhoods above 70 % social housing down to 50 %'
    """
    _check(language)
    steps = ()
    if scenario.type == "combine" and scenarios:
        steps = tuple(scenarios[s].type if s in scenarios else s
                      for s in scenario.params["steps"])
    return TYPES[scenario.type].title(scenario.params, language, steps)


def short_title(scenario: Scenario, language: str = "nl") -> str:
    """A label of a few words for charts.

    Examples
    --------
    >>> from mixing.scenarios import scenario
    >>> short_title(scenario("s", "add_social", n=500))
    '500 sociale huur bijbouwen'
    """
    _check(language)
    return TYPES[scenario.type].short(scenario.params, language)


def scenario_about(scenario: Scenario, language: str = "nl") -> str:
    """The scenario's own description (Dutch, from the scenarios file) or its type's."""
    _check(language)
    if scenario.description and language == "nl":
        return scenario.description
    return TYPES[scenario.type].about(language)
