# Ingest: CBS files (local or downloaded) -> one canonical units table per municipality.


rule download:
    output:
        geometry="data/raw/cbs/{year}/{municipality}_buurt.geojson",
        table="data/raw/cbs/{year}/{municipality}_kerncijfers.csv",
    log:
        "logs/{municipality}/download_{year}.log",
    retries: 2
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
