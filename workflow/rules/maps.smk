# Maps: folium HTML and static figures per municipality, and the overview page.
# Maps compute nothing: they style the finished tables.

FIGURES = config.get("figures", True)


for batch, members in BATCHES.items():

    rule:
        name:
            f"map_{batch.replace('-', '_')}"
        input:
            units=per_municipality("results/{municipality}/units.parquet", members),
            indices=per_municipality("results/{municipality}/indices.csv", members),
            local=per_municipality("results/{municipality}/local.csv", members),
            scenarios=[
                f"results/{code}/scenario_units/{name}.parquet"
                for code in members
                for name in SCENARIOS
            ],
        output:
            html=[
                report(path, caption="../report/map.rst", category="Maps", subcategory=code)
                for code, path in zip(
                    members, per_municipality("results/{municipality}/map.html", members)
                )
            ],
            **(figure_outputs("share", members) if FIGURES else {}),
            **(figure_outputs("lisa", members) if FIGURES else {}),
        params:
            language=config.get("language", "nl"),
            scenarios=SCENARIOS,
        log:
            f"logs/{batch}/map.log",
        benchmark:
            f"logs/{batch}/map.benchmark.tsv",
        script:
            "../scripts/map.py"


rule overview:
    input:
        units=per_municipality("results/{municipality}/units.parquet", MUNICIPALITIES),
        indices=per_municipality("results/{municipality}/indices.csv", MUNICIPALITIES),
        scenarios=per_municipality("results/{municipality}/scenarios.csv", MUNICIPALITIES)
        if SCENARIOS
        else [],
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
        language=config.get("language", "nl"),
    log:
        "logs/summary/overview.log",
    script:
        "../scripts/overview.py"
