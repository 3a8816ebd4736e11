# Ingest: CBS files (local or downloaded) -> one canonical units table per municipality.


localrules:
    download_geometry,
    download_kerncijfers,


rule download_geometry:
    output:
        "data/raw/cbs/{year}/{municipality}_buurt.geojson",
    log:
        "logs/{municipality}/download_geometry_{year}.log",
    wildcard_constraints:
        year=r"\d{4}",
    script:
        "../scripts/download.py"


rule download_kerncijfers:
    output:
        "data/raw/cbs/{year}/{municipality}_kerncijfers_{table}.csv",
    log:
        "logs/{municipality}/download_kerncijfers_{year}_{table}.log",
    wildcard_constraints:
        year=r"\d{4}",
        table=r"\d{5}NED",
    script:
        "../scripts/download.py"


for batch, members in BATCHES.items():

    rule:
        name:
            f"ingest_{batch.replace('-', '_')}"
        input:
            source_files(members),
        output:
            units=per_municipality("results/{municipality}/units.parquet", members),
        params:
            sources={m: resolved_source(m) for m in members},
            levels=config.get("levels", ["buurt"]),
        log:
            f"logs/{batch}/ingest.log",
        benchmark:
            f"logs/{batch}/ingest.benchmark.tsv",
        script:
            "../scripts/ingest.py"
