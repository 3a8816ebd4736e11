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
# up to the rule that writes the file (rule all does not need this rule).
rule municipality_file:
    input:
        lambda w: batch_dir(FILE_RULE[w.name], BATCH_OF[w.municipality]),
    output:
        update("results/{municipality}/{name}"),
    wildcard_constraints:
        name="|".join(FILE_RULE).replace(".", r"\."),
    log:
        "logs/municipality_file/{municipality}_{name}.log",
    run:
        if not Path(output[0]).exists():
            raise WorkflowError(f"{output[0]} was not written: see the log of rule "
                                f"{FILE_RULE[wildcards.name]} (no data for this municipality?)")
        os.utime(output[0])
