# Run records: what produced the results (package version, seed, config hash, sha256 of
# every input file), per municipality and per run. Summaries and the overview merge the
# municipalities of every run recorded in results/runs/, so runs with different configs
# in one folder add to each other instead of overwriting each other's rows.


rule run_record:
    input:
        batch_dirs("ingest"),
    output:
        run=f"results/runs/{CONFIG_HASH}.json",
        provenance=list(files("provenance.json", MUNICIPALITIES).values()),
    params:
        municipalities=MUNICIPALITIES,
        inputs={m: source_files([m]) + (compare_sources(m) if source(m).get("compare_years")
                                        else []) for m in MUNICIPALITIES},
        configfiles=CONFIG_FILES,
        config=config,
    log:
        "logs/run_record/all.log",
    script:
        "../scripts/run_record.py"


localrules:
    municipality_file,


# `snakemake results/GM0518/indices.csv` works as a target: it runs the batch of GM0518
# up to the rule that writes the file, or restores the file from the batch folder's hard
# link if it was deleted (rule all does not need this rule).
rule municipality_file:
    input:
        lambda w: batch_dir(FILE_RULE[w.name], BATCH_OF[w.municipality]),
    output:
        update("results/{municipality}/{name}"),
    wildcard_constraints:
        name="|".join(FILE_RULE).replace(".", r"\."),
    params:
        link=lambda w: f"{batch_dir(FILE_RULE[w.name], BATCH_OF[w.municipality])}/"
        f"{w.municipality}/{w.name}",
    log:
        "logs/municipality_file/{municipality}_{name}.log",
    shell:
        "(test -e {params.link:q} && ln -f {params.link:q} {output:q} && touch {output:q}) || "
        "(echo 'mixing: error: {output} was not written: see the logs of its rule "
        "(no data for {wildcards.municipality}?)' >&2; exit 1)"


onsuccess:
    remove_repair_folders()
    # what a reader of the results should know, as counts (mixing.tables.caveats)
    from mixing.tables.caveats import run_summary

    print(run_summary(files("caveats.csv", MUNICIPALITIES)), file=sys.stderr)


onerror:
    remove_repair_folders()
