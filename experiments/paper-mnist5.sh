#!/usr/bin/env bash
# The paper-mnist5 preset as it was run for docs/results/paper-mnist5/: two shards side by side (one thread
# each, the machine has 2 cores), then merged. Rerunning resumes; finished runs are skipped.
#   experiments/paper-mnist5.sh [extra experiment options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dll=$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
out=$root/results/paper-mnist5
for i in 1 2; do
  dotnet "$dll" experiment --preset paper-mnist5 --threads 1 --shard $i/2 --out "$out/s$i" "$@" > "$out-s$i.log" 2>&1 &
done
wait
dotnet "$dll" experiment merge "$out/s1" "$out/s2" --out "$root/docs/results/paper-mnist5"
