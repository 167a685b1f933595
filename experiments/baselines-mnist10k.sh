#!/usr/bin/env bash
# Issue 4's unsupervised baseline targets: ClusterGAN and DynAE on the full MNIST test set
# (10,000 images, K = 10), each given about 30 minutes on 2 CPU cores. Usage:
#   experiments/baselines-mnist10k.sh <mnist-idx-folder> <clustergan|dynae> [extra train options...]
# Writes results/baselines-mnist10k/<method>/ (metrics.csv holds the per-epoch curve, progress.png the ACC
# against cumulative epoch time) and prints the ACC reached within 30 minutes.
set -euo pipefail
data=$1; method=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
dll=$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
out=$root/results/baselines-mnist10k/$method
case $method in
  clustergan) budget=(--epochs 45) ;;          # ~40 s per epoch on 10k images, 2 threads
  dynae) budget=(--dynae-pretrain-epochs 100 --epochs 300 --dynae-batch-size 64 --dynae-pretrain-lr 1e-3) ;;  # the short-run setting (docs/baselines.md)
  *) echo "error: method must be clustergan or dynae" >&2; exit 2 ;;
esac
dotnet "$dll" train --method "$method" --data "idx:$data" --split test --alpha 0 --seed 1 \
  "${budget[@]}" "$@" --out "$out" --force
case $method in clustergan) target=0.85 ;; dynae) target=0.9 ;; esac
# the curve against cumulative epoch time, and the ACC reached within the 30-minute budget
dotnet "$dll" viz progress --run "$out" --label "$method" --budget-minutes 30 --target "$target" \
  --title "$method, MNIST test set (10,000 images, K = 10), unsupervised" --out "$out/progress.png"
