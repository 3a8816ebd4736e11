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
