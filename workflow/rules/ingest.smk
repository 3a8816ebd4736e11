# Ingest: CBS files (local or downloaded) -> one canonical units table per municipality.


localrules:
    download,


rule download:
    output:
        geometry="data/raw/cbs/{year}/{municipality}_buurt.geojson",
        table="data/raw/cbs/{year}/{municipality}_kerncijfers_{table}.csv",
    log:
        "logs/{municipality}/download_{year}_{table}.log",
    wildcard_constraints:
        year=r"\d{4}",
        table=r"\d{5}NED",
    script:
        "../scripts/download.py"


rule ingest:
    input:
        unpack(ingest_inputs),
    output:
        units="results/{municipality}/units.parquet",
    params:
        source=lambda wc: source(wc.municipality),
        levels=config.get("levels", ["buurt"]),
    log:
        "logs/{municipality}/ingest.log",
    script:
        "../scripts/ingest.py"
