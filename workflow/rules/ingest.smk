# Ingest: CBS files (local or downloaded) -> one canonical units table per municipality.


localrules:
    download_geometry,
    download_kerncijfers,


rule download_geometry:
    output:
        "data/raw/cbs/{year}/{municipality}_buurt.geojson",
    log:
        "logs/download_geometry/{municipality}_{year}.log",
    wildcard_constraints:
        year=r"\d{4}",
    script:
        "../scripts/download.py"


rule download_kerncijfers:
    output:
        "data/raw/cbs/{year}/{municipality}_kerncijfers_{table}.csv",
    log:
        "logs/download_kerncijfers/{municipality}_{year}_{table}.log",
    wildcard_constraints:
        year=r"\d{4}",
        table=r"\d{5}NED",
    script:
        "../scripts/download.py"


rule ingest:
    input:
        lambda w: source_files(members(w)),
    output:
        directory("results/batches/{batch}/ingest"),
    params:
        municipalities=members,
        sources=lambda w: {m: resolved_source(m) for m in members(w)},
        levels=config["levels"],
        on_bad_municipality=config["on_bad_municipality"],
        units=batch_files("units.parquet"),
    log:
        "logs/ingest/{batch}.log",
    benchmark:
        "logs/ingest/{batch}.benchmark.tsv"
    script:
        "../scripts/ingest.py"
