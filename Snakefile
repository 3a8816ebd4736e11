# mixing: residential mixing (segregation) in Dutch municipalities from CBS data.
# Stages live in workflow/rules/; see README.md and config/README.md.

configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/measure.smk"
include: "workflow/rules/maps.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
