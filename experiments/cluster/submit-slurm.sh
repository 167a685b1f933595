#!/usr/bin/env bash
# Submits a dnnmm experiment grid to Slurm: an array job of N shards (slurm-shards.sbatch, one shard per array task,
# --threads from --cpus-per-task) and a merge job (slurm-merge.sbatch) that starts once every shard has succeeded.
# Usage:
#   experiments/cluster/submit-slurm.sh N OUT GRID-OPTIONS...
#   e.g. experiments/cluster/submit-slurm.sh 8 /shared/$USER/mnist7 --preset paper-mnist7 --mnist idx:/shared/data/mnist
# OUT must be on a file system that every node sees; shard i writes OUT/shard-i, the merge OUT/merged, logs go to OUT/logs.
# Environment: DNNMM, the dnnmm program on the compute nodes (default: dnnmm on PATH; passed on by sbatch's default
# --export=ALL); SBATCH_ARGS, more sbatch options for both jobs (e.g. "--partition=cpu --account=lab"); options given
# there override the #SBATCH lines of the two scripts (--cpus-per-task=8 gives every shard 8 threads).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: submit-slurm.sh N OUT GRID-OPTIONS... (e.g. 8 results/m7 --preset paper-mnist7)"
[ $# -ge 3 ] || { echo "error: $usage" >&2; exit 2; }
n=$1 out=$2
shift 2
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "error: the shard count '$n' is not a positive integer; $usage" >&2; exit 2; }
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
read -r -a extra <<< "${SBATCH_ARGS:-}"
# --parsable prints "jobid" or "jobid;cluster".
shards=$(sbatch --parsable --array="1-$n" --output="$out/logs/shard-%a.log" "${extra[@]}" \
  "$here/slurm-shards.sbatch" "$n" "$out" "$@")
shards=${shards%%;*}
merge=$(sbatch --parsable --dependency="afterok:$shards" --output="$out/logs/merge.log" "${extra[@]}" \
  "$here/slurm-merge.sbatch" "$out")
merge=${merge%%;*}
echo "submitted: shards job $shards (array 1-$n), merge job $merge after all of them; results in $out/merged"
