# mixing: residential mixing (segregation) in Dutch municipalities from CBS data.
# Stages live in workflow/rules/; see README.md and config/README.md. The demo config
# (config/config.yaml) is the default; a --configfile on the command line replaces it.


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/measure.smk"
include: "workflow/rules/scenarios.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/maps.smk"
include: "workflow/rules/records.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
