# Measure: segregation indices per municipality, level and dimension; spatial weights and
# autocorrelation; national summaries.


rule weights:
    input:
        units=home("ingest"),
    output:
        directory("results/batches/{batch}/weights"),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        weights=batch_files("weights.npz"),
        kind=config["autocorrelation"]["weights"],
    log:
        "logs/weights/{batch}.log",
    benchmark:
        "logs/weights/{batch}.benchmark.tsv"
    script:
        "../scripts/weights.py"


rule indices:
    input:
        units=home("ingest"),
    output:
        report(
            directory("results/batches/{batch}/indices"),
            patterns=["{municipality}/indices.csv"],
            caption="../report/indices.rst",
            category="Indices",
            subcategory="{municipality}",
            labels={"municipality": "{municipality}", "table": "indices.csv"},
        ),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        csv=batch_files("indices.csv"),
        parquet=batch_files("indices.parquet"),
        local=batch_files("local_indices.csv"),
        seed=config["seed"],
        indices=config["indices"].get("indices"),
        inference=config["indices"].get("inference"),
        permutations=config["indices"]["permutations"],
        replicates=config["indices"]["replicates"],
    log:
        "logs/indices/{batch}.log",
    benchmark:
        "logs/indices/{batch}.benchmark.tsv"
    script:
        "../scripts/indices.py"


rule autocorrelation:
    input:
        units=home("ingest"),
        weights=home("weights"),
        vitality=lambda w: list(vitality_files(members(w)).values()),
    output:
        report(
            directory("results/batches/{batch}/autocorrelation"),
            patterns=["{municipality}/autocorrelation.csv"],
            caption="../report/autocorrelation.rst",
            category="Autocorrelation",
            subcategory="{municipality}",
            labels={"municipality": "{municipality}", "table": "autocorrelation.csv"},
        ),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        weights=batch_files("weights.npz"),
        table=batch_files("autocorrelation.csv"),
        local=batch_files("local.csv"),
        local_parquet=batch_files("local.parquet"),
        scores=lambda w: vitality_files(members(w)),
        vitality=batch_files("vitality.csv"),
        seed=config["seed"],
        permutations=config["autocorrelation"]["permutations"],
        alpha=config["autocorrelation"]["alpha"],
        thresholds=config["autocorrelation"]["thresholds"],
        variables=config["autocorrelation"].get("variables"),
    log:
        "logs/autocorrelation/{batch}.log",
    benchmark:
        "logs/autocorrelation/{batch}.benchmark.tsv"
    script:
        "../scripts/autocorrelation.py"


rule summary:
    input:
        lambda w: batch_dirs(w.table),
    output:
        csv="results/summary/{table}.csv",
        parquet="results/summary/{table}.parquet",
    params:
        files=lambda w: files(SUMMARY_FILES[w.table], MUNICIPALITIES),
        runs="results/runs",
        config_hash=CONFIG_HASH,
    wildcard_constraints:
        table="indices|autocorrelation|scenarios",
    log:
        "logs/summary/{table}.log",
    script:
        "../scripts/summary.py"
