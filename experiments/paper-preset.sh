#!/usr/bin/env bash
# One of the paper presets as run for docs/results/paper-<name>/: two shards side by side (one thread each, the
# machine has 2 cores), then merged into docs/results/<preset>. Rerunning resumes (finished runs are skipped, as long
# as the options of the build are the same: use the commit the README of the results names).
#   experiments/paper-preset.sh PRESET [experiment options...]
#   experiments/paper-preset.sh paper-mnist7 --alphas 0.01,0.05,0.1,0.2 --seeds 1,2,3
#   experiments/paper-preset.sh paper-cifar10-noisy --cifar10 folder:<cifar10-5class>/train --alphas 0.01,0.05,0.1,0.2 --seeds 1,2,3
set -euo pipefail
preset=${1:?preset name (paper-mnist5, paper-mnist7, paper-cifar10-noisy, paper-celeba-noisy)}; shift
root=$(cd "$(dirname "$0")/.." && pwd)
dll=$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
out=$root/results/$preset
mkdir -p "$out"
for i in 1 2; do
  dotnet "$dll" experiment --preset "$preset" --threads 1 --shard $i/2 --out "$out/s$i" "$@" > "$out/s$i.log" 2>&1 &
done
wait
dotnet "$dll" experiment merge "$out/s1" "$out/s2" --out "$root/docs/results/$preset"
