# Measure: segregation indices per municipality, level and dimension; a national summary.

INDICES = config.get("indices", {})

for batch, members in BATCHES.items():

    rule:
        name:
            f"indices_{batch.replace('-', '_')}"
        input:
            units=per_municipality("results/{municipality}/units.parquet", members),
        output:
            csv=[
                report(
                    path,
                    caption="../report/indices.rst",
                    category="Indices",
                    subcategory=code,
                )
                for code, path in zip(
                    members, per_municipality("results/{municipality}/indices.csv", members)
                )
            ],
            parquet=per_municipality("results/{municipality}/indices.parquet", members),
            local=per_municipality("results/{municipality}/local_indices.csv", members),
        params:
            seed=config["seed"],
            indices=INDICES.get("indices"),
            inference=INDICES.get("inference", ["dissimilarity", "gini", "entropy",
                                                "isolation", "exposure"]),
            permutations=INDICES.get("permutations", 999),
            replicates=INDICES.get("replicates", 999),
        log:
            f"logs/{batch}/indices.log",
        benchmark:
            f"logs/{batch}/indices.benchmark.tsv",
        script:
            "../scripts/indices.py"


rule summary_indices:
    input:
        per_municipality("results/{municipality}/indices.parquet", MUNICIPALITIES),
    output:
        csv="results/summary/indices.csv",
        parquet="results/summary/indices.parquet",
    log:
        "logs/summary/indices.log",
    script:
        "../scripts/summary.py"


AUTOCORRELATION = config.get("autocorrelation", {})

for batch, members in BATCHES.items():

    rule:
        name:
            f"autocorrelation_{batch.replace('-', '_')}"
        input:
            units=per_municipality("results/{municipality}/units.parquet", members),
        output:
            weights=per_municipality("results/{municipality}/weights.npz", members),
            table=[
                report(
                    path,
                    caption="../report/autocorrelation.rst",
                    category="Autocorrelation",
                    subcategory=code,
                )
                for code, path in zip(
                    members,
                    per_municipality("results/{municipality}/autocorrelation.csv", members),
                )
            ],
            local=per_municipality("results/{municipality}/local.csv", members),
            local_parquet=per_municipality("results/{municipality}/local.parquet", members),
        params:
            seed=config["seed"],
            weights=AUTOCORRELATION.get("weights", "queen"),
            permutations=AUTOCORRELATION.get("permutations", 999),
            alpha=AUTOCORRELATION.get("alpha", 0.05),
            thresholds=AUTOCORRELATION.get("thresholds", [0.5, 0.7]),
            variables=AUTOCORRELATION.get("variables"),
        log:
            f"logs/{batch}/autocorrelation.log",
        benchmark:
            f"logs/{batch}/autocorrelation.benchmark.tsv",
        script:
            "../scripts/autocorrelation.py"


rule summary_autocorrelation:
    input:
        per_municipality("results/{municipality}/autocorrelation.csv", MUNICIPALITIES),
    output:
        csv="results/summary/autocorrelation.csv",
        parquet="results/summary/autocorrelation.parquet",
    log:
        "logs/summary/autocorrelation.log",
    script:
        "../scripts/summary.py"
