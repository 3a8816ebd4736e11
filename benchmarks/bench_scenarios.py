"""Benchmark: the policy lab on real CBS data (Den Haag 2019, Amsterdam 2019, Rotterdam 2017).

Run by hand from the repository root (not collected by pytest)::

    python benchmarks/bench_scenarios.py              # full run
    python benchmarks/bench_scenarios.py --permutations 0   # without inference

Times (best of ``--repeat``): (a) all default scenarios of ``config/scenarios.yaml`` per
municipality through :func:`mixing.scenarios.run_scenarios`, including the recomputed
indices, Moran's I / LISA HH clusters (queen weights) and the two-value test of each change
(``--permutations`` draws); (b) the ``target`` optimiser choosing 1,000 dwellings in
Amsterdam 2019 (goal: < 5 s), with the threshold rule at the same budget. Also prints a few
headline effects. Real data: ``../shared/data/cbs`` (or ``MIXING_SHARED_DATA``).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import pandas as pd

from mixing.io.cbs import read_units
from mixing.io.readers.geo import read_geometry
from mixing.scenarios import load_scenarios, run_scenarios, target

REPO = Path(__file__).resolve().parents[1]
SEED = 20191231
ODATA = "kwb_odata_denhaag_amsterdam_utrecht/data"
CITIES = {
    "Den Haag 2019": (f"{ODATA}/marginal_distributions_TheHague_2019_84583NED.csv", 2019),
    "Amsterdam 2019": (f"{ODATA}/ams_2019/marginal_distributions_84583NED.csv", 2019),
    "Rotterdam 2017": (
        "kwb_statline_rotterdam_2014_2018/Kerncijfers_wijken_en_buurten_2017.csv",
        2017,
    ),
}


def best_of(repeat, fn):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--permutations", type=int, default=199)
    args = parser.parse_args()
    cbs = Path(os.environ.get("MIXING_SHARED_DATA", REPO.parent / "shared" / "data" / "cbs"))
    scenarios = load_scenarios(REPO / "config" / "scenarios.yaml")
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cpus; permutations={args.permutations}"
    )
    warnings.simplefilter("ignore")
    geometry = read_geometry(cbs / "buurt_2019_nl_topojson/buurten.json")
    rows, headline, amsterdam = [], [], None
    for city, (rel, year) in CITIES.items():
        units = read_units(geometry=geometry, table=cbs / rel, year=year)
        if city.startswith("Amsterdam"):
            amsterdam = units
        seconds, (summary, _) = best_of(
            args.repeat,
            lambda u=units: run_scenarios(u, scenarios, seed=SEED, permutations=args.permutations),
        )
        rows.append(
            {
                "task": f"default set ({len(scenarios)} scenarios), {city}",
                "units": len(units),
                "seconds": round(seconds, 2),
            }
        )
        d = summary[
            (summary.dimension == "social_housing") & (summary["index"] == "dissimilarity")
        ].set_index("scenario")
        li = summary.drop_duplicates("scenario").set_index("scenario")
        for name in d.index:
            headline.append(
                {
                    "city": city,
                    "scenario": name,
                    "D_social_before": round(d.loc[name, "baseline"], 4),
                    "D_social_after": round(d.loc[name, "scenario_value"], 4),
                    "p": d.loc[name, "p_value_change"],
                    "converted": round(li.loc[name, "dwellings_converted"]),
                    "demolished": round(li.loc[name, "dwellings_demolished"]),
                    "built": round(li.loc[name, "dwellings_built"]),
                    "displaced": round(li.loc[name, "households_displaced"]),
                    "years": round(li.loc[name, "years_needed"], 1),
                    "low_inc_iso_before": round(li.loc[name, "low_income_isolation_before"], 4),
                    "low_inc_iso_after": round(li.loc[name, "low_income_isolation_after"], 4),
                    "above50": f"{li.loc[name, 'units_above_50_before']}->"
                    f"{li.loc[name, 'units_above_50_after']}",
                }
            )
    seconds, result = best_of(args.repeat, lambda: target(amsterdam, budget=1000))
    rows.append(
        {
            "task": "target: 1,000 dwellings, Amsterdam 2019 (D social housing)",
            "units": len(amsterdam),
            "seconds": round(seconds, 2),
        }
    )
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    print(pd.DataFrame(rows).to_string(index=False))
    print(
        f"\noptimiser: D {result.extra['optimiser_value']:.4f} vs threshold rule "
        f"{result.extra['threshold_rule_value']:.4f} (level "
        f"{result.extra['threshold_rule_level']:.3f}), {result.extra['optimiser_steps']} steps"
    )
    print()
    print(pd.DataFrame(headline).to_string(index=False))


if __name__ == "__main__":
    main()
