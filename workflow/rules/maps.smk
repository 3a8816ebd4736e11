# Maps: folium HTML and static figures per municipality, and the overview page.
# Maps compute nothing: they style the finished tables.


rule map:
    input:
        units=home("ingest"),
        indices=home("indices"),
        local=home("autocorrelation"),
        weights=home("weights"),
        scenarios=scenario_inputs,
        scenario_specs=lambda w: scenarios_file() or [],
    output:
        report(
            directory("results/batches/{batch}/map"),
            patterns=["{municipality}/{page}.html"],
            caption="../report/map.rst",
            category="Maps",
            subcategory="{municipality}",
            labels={"municipality": "{municipality}", "page": "{page}.html"},
        ),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        caveats=batch_files("caveats.csv"),
        indices=batch_files("indices.csv"),
        local=batch_files("local.csv"),
        weights=batch_files("weights.npz"),
        scenario_units=batch_files("scenario_units"),
        scenario_table=batch_files("scenarios.csv"),
        scenario_changes=batch_files("scenario_changes.csv"),
        html=batch_files("map.html"),
        scenario_page=batch_files("scenarios.html"),
        vitality=batch_files("vitality.csv"),
        alpha=config["autocorrelation"]["alpha"],
        names=SCENARIOS,
        trends=lambda w: compare_members(members(w)),
        language=config["language"],
    log:
        "logs/map/{batch}.log",
    benchmark:
        "logs/map/{batch}.benchmark.tsv"
    script:
        "../scripts/map.py"


rule figures:
    input:
        units=home("ingest"),
        local=home("autocorrelation"),
    output:
        report(
            directory("results/batches/{batch}/figures"),
            patterns=["{municipality}/figures/{figure}.png"],
            caption="../report/figures.rst",
            category="Figures",
            subcategory="{municipality}",
            labels={"municipality": "{municipality}", "figure": "{figure}"},
        ),
    params:
        municipalities=members,
        units=batch_files("units.parquet"),
        local=batch_files("local.csv"),
        figures=batch_files("figures"),
        language=config["language"],
    log:
        "logs/figures/{batch}.log",
    benchmark:
        "logs/figures/{batch}.benchmark.tsv"
    script:
        "../scripts/figures.py"


rule trends_page:
    input:
        trends="results/{municipality}/change/trends.csv",
        units=lambda w: batch_dir("ingest", BATCH_OF[w.municipality]),
    output:
        "results/{municipality}/trends.html",
    params:
        units="results/{municipality}/units.parquet",
        caveats="results/{municipality}/caveats.csv",
        links=lambda w: municipality_links(scenarios=bool(SCENARIOS), trends=True),
        language=config["language"],
    log:
        "logs/trends_page/{municipality}.log",
    script:
        "../scripts/trends_page.py"


rule overview:
    input:
        units=batch_dirs("ingest"),
        indices=batch_dirs("indices"),
        scenarios=batch_dirs("scenarios") if SCENARIOS else [],
    output:
        html=report("results/index.html", caption="../report/overview.rst", category="Overview"),
        **(
            {
                "effects_png": "results/figures/scenario_effects.png",
                "effects_svg": "results/figures/scenario_effects.svg",
            }
            if SCENARIOS
            else {}
        ),
    params:
        status=[f"{d}/status.json" for d in batch_dirs("ingest")],
        units=files("units.parquet", MUNICIPALITIES),
        indices=files("indices.csv", MUNICIPALITIES),
        scenarios=files("scenarios.csv", MUNICIPALITIES) if SCENARIOS else {},
        runs="results/runs",
        config_hash=CONFIG_HASH,
        configfiles=CONFIG_FILES,
        trends=compare_members(MUNICIPALITIES),
        language=config["language"],
    log:
        "logs/overview/all.log",
    script:
        "../scripts/overview.py"
