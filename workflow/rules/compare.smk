# Compare: across years (harmonised to one geometry), across scales (buurt, wijk, gemeente,
# 500 m grid, PC4) and across a region's municipalities (between / within).


CHANGE_TABLES = ["trends", "tests", "units", "decomposition", "harmonisation"]

for batch, members in BATCHES.items():
    changing = compare_members(members)

    rule:
        name:
            f"scales_{batch.replace('-', '_')}"
        input:
            units=per_municipality("results/{municipality}/units.parquet", members),
            pc4=[repo_path(source(m)["pc4_geometry"]) for m in members
                 if source(m).get("pc4_geometry")],
        output:
            per_municipality("results/{municipality}/scales.csv", members),
        params:
            grid_cell=config.get("grid_cell", 500),
            pc4={m: repo_path(source(m)["pc4_geometry"]) for m in members
                 if source(m).get("pc4_geometry")},
        log:
            f"logs/{batch}/scales.log",
        benchmark:
            f"logs/{batch}/scales.benchmark.tsv",
        script:
            "../scripts/scales.py"

    if changing:

        rule:
            name:
                f"change_{batch.replace('-', '_')}"
            input:
                units=per_municipality("results/{municipality}/units.parquet", changing),
                sources=compare_sources(changing),
            output:
                [f"results/{m}/change/{t}.csv" for m in changing for t in CHANGE_TABLES],
            params:
                members=changing,
                years={m: resolved_years(m) for m in changing},
                tables=CHANGE_TABLES,
                seed=config["seed"],
            log:
                f"logs/{batch}/change.log",
            benchmark:
                f"logs/{batch}/change.benchmark.tsv",
            script:
                "../scripts/change.py"


REGIONS = config.get("regions", {})

if REGIONS:

    rule regions:
        input:
            per_municipality(
                "results/{municipality}/units.parquet",
                sorted({m for codes in REGIONS.values() for m in codes}),
            ),
        output:
            indices="results/summary/regions.csv",
            decomposition="results/summary/regions_decomposition.csv",
            municipalities="results/summary/regions_municipalities.csv",
        params:
            regions=REGIONS,
        log:
            "logs/summary/regions.log",
        script:
            "../scripts/regions.py"
