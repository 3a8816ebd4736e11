#!/usr/bin/env bash
# A real SLURM run of the workflow on a one-node cluster on this machine, checked against
# a local run of the same configs (issue 15). See benchmarks/cluster/README.md.
#
#   bash benchmarks/cluster/run_slurm.sh            # as root (installs and starts daemons)
#
# Steps: install slurm-wlm + munge if missing (apt-get); write a munge key and a one-node
# slurm.conf (this host, partition "normal" like profiles/slurm) under a temporary state
# directory; start munged, slurmctld, slurmd; wait until the node is idle; run
#   snakemake --profile profiles/slurm          (demo config, three-municipality config)
#   snakemake --cores 2                         (the same configs, locally)
# each into its own output directory; compare every CSV table between SLURM and local runs
# (compare_tables.py); print a report; stop the daemons on exit (trap).
# Exit status: 0 when every table is equal, non-zero on any difference or failed run.
#
# Environment: OUT (output folder, default a new /tmp/mixing-slurm-bench.XXXX), KEEP=1 to
# keep the SLURM state folder, VENV (a venv to activate if snakemake is not on PATH; default
# the repository's .venv; with neither the script stops and says so),
# SLURM_PORT (slurmctld port, default 16817; slurmd uses the next one).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PARTITION=normal   # = default-resources.slurm_partition in profiles/slurm/config.yaml
CPUS=2
CTLD_PORT="${SLURM_PORT:-16817}"
D_PORT=$((CTLD_PORT + 1))

# The Python environment: the one on PATH, else $VENV, else the repository's .venv. No
# developer's path is guessed: without any, say what to do and stop.
if ! command -v snakemake >/dev/null; then
    venv="${VENV:-}"
    if [ -z "$venv" ] && [ -f "$REPO/.venv/bin/activate" ]; then venv="$REPO/.venv"; fi
    if [ -z "$venv" ] || [ ! -f "$venv/bin/activate" ]; then
        echo "run_slurm: error: snakemake is not on PATH${venv:+ and $venv/bin/activate does not exist}." \
            "Fix: activate the environment that has mixing installed (. .venv/bin/activate)," \
            "or pass it: VENV=/path/to/venv bash $0" >&2
        exit 2
    fi
    # shellcheck disable=SC1091
    . "$venv/bin/activate"
fi
# Use this checkout's package, whatever the venv has installed.
export PYTHONPATH="$REPO/src${PYTHONPATH:+:$PYTHONPATH}"

log() { printf '[run_slurm %(%H:%M:%S)T] %s\n' -1 "$*"; }

# --- 1. install ---------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v munged >/dev/null || ! command -v sinfo >/dev/null; then
    log "installing slurm-wlm and munge (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

STATE="$(mktemp -d /tmp/mixing-slurm-state.XXXXXX)"
OUT="${OUT:-$(mktemp -d /tmp/mixing-slurm-bench.XXXXXX)}"
mkdir -p "$OUT"
export SLURM_CONF="$STATE/slurm.conf"   # daemons, sbatch/squeue/sacct read it
# The jobs read /etc/slurm/slurm.conf: inside a job the slurm-jobstep plugin drops every
# SLURM_* variable (SLURM_CONF too) before its nested srun, which then finds no config
# ("srun: fatal: Could not establish a configuration source"). So the rendered config is
# also copied there; a config already in that place is set aside and restored on exit.
ETC_CONF=/etc/slurm/slurm.conf

stop_daemons() {
    local rc=$?
    set +e
    if [ -f "$STATE/slurmctld.pid" ]; then
        squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null
    fi
    for name in slurmd slurmctld; do
        if [ -f "$STATE/$name.pid" ]; then kill "$(cat "$STATE/$name.pid")" 2>/dev/null; fi
    done
    sleep 1
    if [ -f "$STATE/etc-slurm.conf.orig" ]; then
        mv -f "$STATE/etc-slurm.conf.orig" "$ETC_CONF"
    elif [ -f "$STATE/etc-slurm.conf.ours" ]; then
        rm -f "$ETC_CONF"
    fi
    if [ -f "$STATE/munge/munged.pid" ]; then kill "$(cat "$STATE/munge/munged.pid")" 2>/dev/null; fi
    if [ "${KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
        log "SLURM state and daemon logs kept in $STATE"
    else
        rm -rf "$STATE"
    fi
    exit "$rc"
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# --- munge --------------------------------------------------------------------------------
mkdir -p "$STATE/munge" "$STATE/ctld" "$STATE/slurmd"
chmod 700 "$STATE" "$STATE/munge"
dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$STATE/munge/munge.key"
munged --key-file="$STATE/munge/munge.key" --socket="$STATE/munge/munge.socket" \
    --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munge/munged.log" \
    --seed-file="$STATE/munge/munged.seed" --force
munge -S "$STATE/munge/munge.socket" -n | unmunge -S "$STATE/munge/munge.socket" >/dev/null
log "munged up"

# --- slurm.conf ---------------------------------------------------------------------------
HOST="$(hostname -s)"
# RealMemory as slurmd sees it, less 10% for the system (a node that reports less memory
# than configured is drained).
MEM="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"
MEM=$((MEM * 9 / 10))
sed -e "s|@HOST@|$HOST|g" -e "s|@STATE@|$STATE|g" -e "s|@MEM@|$MEM|g" \
    -e "s|@CPUS@|$CPUS|g" -e "s|@PARTITION@|$PARTITION|g" \
    -e "s|@CTLD_PORT@|$CTLD_PORT|g" -e "s|@D_PORT@|$D_PORT|g" \
    "$HERE/slurm.conf.in" >"$SLURM_CONF"
mkdir -p "$(dirname "$ETC_CONF")"
if [ -e "$ETC_CONF" ]; then mv "$ETC_CONF" "$STATE/etc-slurm.conf.orig"; fi
cp "$SLURM_CONF" "$ETC_CONF"
touch "$STATE/etc-slurm.conf.ours"

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
    state="$(sinfo -h -N -n "$HOST" -o %t 2>/dev/null || true)"
    [ "$state" = idle ] && break
    sleep 1
done
if [ "$state" != idle ]; then
    log "node $HOST is not idle after 60 s (state: '${state}')"
    sinfo -N -l || true
    tail -20 "$STATE/slurmctld.log" "$STATE/slurmd.log" || true
    exit 1
fi
log "SLURM up: node $HOST ($CPUS CPUs, ${MEM} MB), partition $PARTITION"
sinfo

# --- 2./3. runs ---------------------------------------------------------------------------
cd "$REPO"
declare -A WALL JOBS SUBMITTED RETRIED
run() {  # run NAME MODE [snakemake args...]
    local name=$1 mode=$2; shift 2
    local dir="$OUT/$mode/$name" t0 t1
    mkdir -p "$dir"
    local args=(--directory "$dir" "$@")
    if [ "$mode" = slurm ]; then
        # Cluster-specific, so on the command line and not in the profile: job status via
        # squeue (finished jobs stay visible for MinJobAge=600 s; there is no slurmdbd for
        # sacct) and a 5 s first status poll instead of 40 s. No account is set: the plugin
        # fails to guess one with sacct and submits without (its --slurm-no-account flag
        # is not used by plugin 2.8.0).
        args+=(--profile profiles/slurm --slurm-status-command squeue
               --slurm-init-seconds-before-status-checks 5)
    else
        args+=(--profile profiles/default --cores "$CPUS")
    fi
    log "$mode/$name: snakemake ${args[*]}"
    t0=$(date +%s.%N)
    if ! snakemake "${args[@]}" >"$dir.log" 2>&1; then
        log "$mode/$name FAILED; last lines of $dir.log:"
        tail -40 "$dir.log"
        exit 1
    fi
    t1=$(date +%s.%N)
    WALL[$mode/$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
    JOBS[$mode/$name]=$(grep -o '[0-9]* of [0-9]* steps (100%) done' "$dir.log" | tail -1 | cut -d' ' -f1)
    SUBMITTED[$mode/$name]=$(grep -c 'has been submitted with SLURM jobid' "$dir.log" || true)
    RETRIED[$mode/$name]=$(grep -c 'Trying to restart job' "$dir.log" || true)
    log "$mode/$name: ${JOBS[$mode/$name]} jobs in ${WALL[$mode/$name]} s"
    if [ "$mode" = slurm ] && [ "${SUBMITTED[$mode/$name]}" = 0 ]; then
        log "$mode/$name submitted no job to SLURM"
        exit 1
    fi
}

CONFIGS=(demo three)
declare -A CONFIG_ARGS=(
    [demo]=""   # config/config.yaml, the synthetic demo city DEMO01
    [three]="--configfile benchmarks/cluster/three-municipalities.yaml"
)
for name in "${CONFIGS[@]}"; do
    # shellcheck disable=SC2086
    run "$name" slurm ${CONFIG_ARGS[$name]}
    # shellcheck disable=SC2086
    run "$name" local ${CONFIG_ARGS[$name]}
done


# --- report -------------------------------------------------------------------------------
status=0
echo
echo "== SLURM vs local: $(snakemake --version) on $HOST, $(sinfo -V)"
echo "(jobs: snakemake steps incl. the local rule 'all'; sbatch: jobs submitted to SLURM)"
printf '%-8s %-6s %6s %6s %8s %9s\n' config mode jobs sbatch retried wall_s
for name in "${CONFIGS[@]}"; do
    for mode in slurm local; do
        printf '%-8s %-6s %6s %6s %8s %9s\n' "$name" "$mode" "${JOBS[$mode/$name]}" \
            "${SUBMITTED[$mode/$name]}" "${RETRIED[$mode/$name]}" "${WALL[$mode/$name]}"
    done
done
for name in "${CONFIGS[@]}"; do
    echo "-- tables of $name: $OUT/slurm/$name vs $OUT/local/$name"
    python "$HERE/compare_tables.py" "$OUT/slurm/$name" "$OUT/local/$name" || status=1
done
if [ "$status" = 0 ]; then
    echo "RESULT: all tables equal between SLURM and local runs"
else
    echo "RESULT: DIFFERENCES between SLURM and local runs"
fi
echo "outputs and run logs: $OUT"
exit "$status"
