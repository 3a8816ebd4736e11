# Measure: segregation indices per municipality, level and dimension; a national summary.

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
        params:
            seed=config["seed"],
        log:
            f"logs/{batch}/indices.log",
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
