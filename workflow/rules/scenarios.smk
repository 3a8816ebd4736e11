# Scenarios: the policy lab. Each configured scenario transforms every municipality's
# buurten; all indices, concentration counts and autocorrelation are recomputed and
# compared with the baseline, with the costs in dwellings and displaced households.


rule scenarios:
    input:
        units=home("ingest"),
        weights=home("weights"),
        scenarios=lambda w: scenarios_file() or [],
    output:
        report(
            directory("results/batches/{batch}/scenarios"),
            patterns=["{municipality}/scenarios.csv"],
            caption="../report/scenarios.rst",
            category="Scenarios",
            subcategory="{municipality}",
            labels={"municipality": "{municipality}", "table": "scenarios.csv"},
        ),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        weights=batch_files("weights.npz"),
        csv=batch_files("scenarios.csv"),
        parquet=batch_files("scenarios.parquet"),
        changes=batch_files("scenario_changes.csv"),
        folder=batch_files("scenario_units"),
        seed=config["seed"],
        names=SCENARIOS,
        permutations=config["autocorrelation"]["permutations"],
        alpha=config["autocorrelation"]["alpha"],
        thresholds=config["autocorrelation"]["thresholds"],
    log:
        "logs/scenarios/{batch}.log",
    benchmark:
        "logs/scenarios/{batch}.benchmark.tsv"
    script:
        "../scripts/scenarios.py"
