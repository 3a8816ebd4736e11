# Scenarios: the policy lab. Each configured scenario transforms every municipality's
# buurten; all indices, concentration counts and autocorrelation are recomputed and
# compared with the baseline, with the costs in dwellings and displaced households.

SCENARIOS = scenario_names()

if SCENARIOS:

    for batch, members in BATCHES.items():

        rule:
            name:
                f"scenarios_{batch.replace('-', '_')}"
            input:
                units=per_municipality("results/{municipality}/units.parquet", members),
                scenarios=scenarios_file(),
            output:
                table=[
                    report(
                        path,
                        caption="../report/scenarios.rst",
                        category="Scenarios",
                        subcategory=code,
                    )
                    for code, path in zip(
                        members, per_municipality("results/{municipality}/scenarios.csv", members)
                    )
                ],
                parquet=per_municipality("results/{municipality}/scenarios.parquet", members),
                units_after=[
                    f"results/{code}/scenario_units/{name}.parquet"
                    for code in members
                    for name in SCENARIOS
                ],
            params:
                seed=config["seed"],
                names=SCENARIOS,
                permutations=config.get("autocorrelation", {}).get("permutations", 999),
            log:
                f"logs/{batch}/scenarios.log",
            benchmark:
                f"logs/{batch}/scenarios.benchmark.tsv",
            script:
                "../scripts/scenarios.py"

    rule summary_scenarios:
        input:
            per_municipality("results/{municipality}/scenarios.parquet", MUNICIPALITIES),
        output:
            csv="results/summary/scenarios.csv",
            parquet="results/summary/scenarios.parquet",
        log:
            "logs/summary/scenarios.log",
        script:
            "../scripts/summary.py"
