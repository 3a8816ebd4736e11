# Maps: folium HTML per municipality for policy staff (computes nothing, styles tables).


rule map:
    input:
        units="results/{municipality}/units.parquet",
        indices="results/{municipality}/indices.csv",
    output:
        html=report(
            "results/{municipality}/map.html",
            caption="../report/map.rst",
            category="Maps",
            subcategory="{municipality}",
        ),
    params:
        language=config.get("language", "nl"),
    log:
        "logs/{municipality}/map.log",
    script:
        "../scripts/map.py"
