"""Den Haag 2019 through the policy lab, once per test module: scenario table, the tables
after each scenario, the comparison page and the map with the explorer, written side by
side as the workflow writes them (``scenarios.html`` links to ``map.html#BU...``)."""

from __future__ import annotations

import warnings
from pathlib import Path

from conftest import REPO, SEED

from mixing.scenarios import load_scenarios, run_scenarios, scenario_changes
from mixing.viz.compare import scenario_page
from mixing.viz.explorer import explorer_payload
from mixing.viz.maps import municipality_map


def den_haag_lab(units, folder: Path) -> dict:
    scenarios = load_scenarios(REPO / "config" / "scenarios.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary, after = run_scenarios(units, scenarios, seed=SEED, permutations=19)
    summary.to_csv(folder / "scenarios.csv", index=False)
    changes = scenario_changes(units, after)
    changes.to_csv(folder / "scenario_changes.csv", index=False)
    page = scenario_page(summary, changes, units)
    (folder / "scenarios.html").write_text(page, encoding="utf-8")
    html = municipality_map(units, None, scenarios=after, scenario_table=summary,
                            scenario_changes=changes,
                            explorer=explorer_payload(units, assumptions=scenarios.assumptions))
    (folder / "map.html").write_text(html, encoding="utf-8")
    return {"scenarios": scenarios, "summary": summary, "after": after, "changes": changes,
            "folder": folder}
