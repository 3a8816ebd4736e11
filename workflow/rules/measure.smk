# Measure: segregation indices per municipality, level and dimension.


rule indices:
    input:
        units="results/{municipality}/units.parquet",
    output:
        csv=report(
            "results/{municipality}/indices.csv",
            caption="../report/indices.rst",
            category="Indices",
            subcategory="{municipality}",
        ),
        parquet="results/{municipality}/indices.parquet",
    log:
        "logs/{municipality}/indices.log",
    script:
        "../scripts/indices.py"
