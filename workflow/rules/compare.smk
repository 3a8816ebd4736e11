# Compare: across years (harmonised to one geometry), across scales (buurt, wijk, gemeente,
# 500 m grid, PC4) and across a region's municipalities (between / within).


rule scales:
    input:
        units=home("ingest"),
        pc4=lambda w: [repo_path(source(m)["pc4_geometry"]) for m in members(w)
                       if source(m).get("pc4_geometry")],
    output:
        directory("results/batches/{batch}/scales"),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        scales=batch_files("scales.csv"),
        grid_cell=config["grid_cell"],
        pc4=lambda w: {m: repo_path(source(m)["pc4_geometry"]) for m in members(w)
                       if source(m).get("pc4_geometry")},
    log:
        "logs/scales/{batch}.log",
    benchmark:
        "logs/scales/{batch}.benchmark.tsv"
    script:
        "../scripts/scales.py"


rule change:
    input:
        units=lambda w: batch_dir("ingest", BATCH_OF[w.municipality]),
        sources=lambda w: compare_sources(w.municipality),
    output:
        trends="results/{municipality}/change/trends.csv",
        tests="results/{municipality}/change/tests.csv",
        units="results/{municipality}/change/units.csv",
        decomposition="results/{municipality}/change/decomposition.csv",
        harmonisation="results/{municipality}/change/harmonisation.csv",
    params:
        units="results/{municipality}/units.parquet",
        years=lambda w: resolved_years(w.municipality),
        seed=config["seed"],
    log:
        "logs/change/{municipality}.log",
    benchmark:
        "logs/change/{municipality}.benchmark.tsv"
    script:
        "../scripts/change.py"


rule regions:
    input:
        lambda w: batch_dirs("ingest", sorted({m for c in REGIONS.values() for m in c})),
    output:
        indices="results/summary/regions.csv",
        decomposition="results/summary/regions_decomposition.csv",
        municipalities="results/summary/regions_municipalities.csv",
    params:
        regions=REGIONS,
        units=lambda w: files("units.parquet",
                              sorted({m for c in REGIONS.values() for m in c})),
    log:
        "logs/regions/all.log",
    script:
        "../scripts/regions.py"


# The country as one area (CBS code NL00): autocorrelation across municipal borders, one
# national map, and every dimension split between and within municipalities.
rule national:
    input:
        units=batch_dirs("ingest"),
    output:
        directory(f"results/{COUNTRY}"),
    params:
        code=COUNTRY,
        municipalities=MUNICIPALITIES,
        units=files("units.parquet", MUNICIPALITIES),
        kind=config["autocorrelation"]["weights"],
        seed=config["seed"],
        permutations=config["autocorrelation"]["permutations"],
        alpha=config["autocorrelation"]["alpha"],
        thresholds=config["autocorrelation"]["thresholds"],
        variables=config["autocorrelation"].get("variables"),
        language=config["language"],
        tolerance=config["national"]["tolerance"],
    log:
        f"logs/national/{COUNTRY}.log",
    benchmark:
        f"logs/national/{COUNTRY}.benchmark.tsv"
    script:
        "../scripts/national.py"
