#!/usr/bin/env bash
# Issue 13: omega learned by default. The development grid (digits 5-9, imbalanced) chose the defaults; the evaluation
# grids (digits 0-4, imbalanced and balanced, with the MNIST test split) report them unchanged. Two shards side by side
# (one thread each), then one merged report per grid:
#   experiments/omega/run.sh dev|eval-imb|eval-imb0|eval-bal <out-dir>
set -euo pipefail
cd "$(dirname "$0")/../.."
grid=$1; out=$2
dnnmm() { dotnet run -c Release --project src/Dnnmm.Cli --no-build -- "$@"; }
dotnet build -c Release src/Dnnmm.Cli > /dev/null
for s in 1 2; do dnnmm experiment --config "experiments/omega/$grid.json" --out "$out/part$s" --shard "$s/2" > "$out.part$s.log" 2>&1 & done
wait
dnnmm experiment merge "$out/part1" "$out/part2" --out "$out/all"
