#!/usr/bin/env bash
# The DNN-MM targets of issue 3, measured with the CLI. Usage:
#   experiments/targets.sh <name> <seeds> [dnnmm train options...]
# e.g. experiments/targets.sh mnist5-a0.1 "1 2 3" --data mnist --classes 0,1,2,3,4 --per-class 1000 --alpha 0.1
# Writes runs under results/targets/<name>-s<seed>/ (resumed if killed) and prints ACC/ARI/NMI per seed and the mean.
set -euo pipefail
name=$1; seeds=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
dll=$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
out=$root/results/targets
mkdir -p "$out"
for s in $seeds; do
  run=$out/$name-s$s
  if [ -f "$run/summary.json" ]; then :;
  elif [ -f "$run/checkpoint.bin" ]; then dotnet "$dll" train --resume "$run" > "$run.log" 2>&1;
  else dotnet "$dll" train "$@" --seed "$s" --out "$run" --force > "$run.log" 2>&1; fi
done
get() { grep -o "\"$1\": [-0-9.eE]*" "$2" | head -1 | awk '{print $2}'; }
printf "%-28s %8s %8s %8s %8s\n" run ACC ARI NMI seconds
for s in $seeds; do
  f=$out/$name-s$s/summary.json
  printf "%-28s %8.4f %8.4f %8.4f %8.0f\n" "$name-s$s" "$(get acc "$f")" "$(get ari "$f")" "$(get nmi "$f")" "$(get seconds "$f")"
done | tee "$out/$name.txt"
awk '{a+=$2; r+=$3; n+=$4; c++} END {printf "%-28s %8.4f %8.4f %8.4f  (mean of %d)\n", "mean", a/c, r/c, n/c, c}' "$out/$name.txt" | tee -a "$out/$name.txt"
