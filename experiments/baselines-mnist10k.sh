#!/usr/bin/env bash
# Issue 4's unsupervised baseline targets: ClusterGAN and DynAE on the full MNIST test set
# (10,000 images, K = 10), each given about 30 minutes on 2 CPU cores. Usage:
#   experiments/baselines-mnist10k.sh <mnist-idx-folder> <clustergan|dynae> [extra train options...]
# Writes results/baselines-mnist10k/<method>/ (metrics.csv holds the per-epoch curve with the
# cumulative seconds) and prints the last epoch reached within 1800 s.
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
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { t += $c["seconds"]; if (t <= 1800) { e = $c["epoch"]; a = $c["acc"]; r = $c["ari"]; n = $c["nmi"]; s = t } }
  END { printf "within 1800 s: epoch %d at %.0f s: ACC %.4f ARI %.4f NMI %.4f\n", e, s, a, r, n }' "$out/metrics.csv"
