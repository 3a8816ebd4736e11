# Maps: folium HTML per municipality for policy staff (computes nothing, styles tables).

for batch, members in BATCHES.items():

    rule:
        name:
            f"map_{batch.replace('-', '_')}"
        input:
            units=per_municipality("results/{municipality}/units.parquet", members),
            indices=per_municipality("results/{municipality}/indices.csv", members),
        output:
            html=[
                report(path, caption="../report/map.rst", category="Maps", subcategory=code)
                for code, path in zip(
                    members, per_municipality("results/{municipality}/map.html", members)
                )
            ],
        params:
            language=config.get("language", "nl"),
        log:
            f"logs/{batch}/map.log",
        script:
            "../scripts/map.py"
