#!/usr/bin/env bash
# Issue 15 item 2: DNN-MM without labels on all ten MNIST digits (K = 10): the shipped 10,000 training
# images (--data mnist, 1000 per digit), scored there and on the whole MNIST test set (--test-split test,
# 10,000 images training never sees), with --variant unsupervised (docs/model.md, "Unsupervised, K = 10").
# Usage:
#   experiments/unsupervised-k10.sh [out-dir] [extra train options...]
#   SEEDS="1 2 3" THREADS=1 experiments/unsupervised-k10.sh results/unsupervised-k10
# Development runs (other images: the second thousand of each digit of the full MNIST training set):
#   DATA="idx:<mnist-idx-folder> --offset 1000 --per-class 1000" TEST= experiments/unsupervised-k10.sh results/unsup-dev
# Writes <out-dir>/seed<S>/ (a run folder each, train.log, wall.txt) and <out-dir>/results.csv
# (seed, ACC/ARI/NMI on the training images and on the test set, wall seconds).
set -euo pipefail
out=${1:-results/unsupervised-k10}; shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
dll=${DNNMM_DLL:-$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll}  # DNNMM_DLL: a copy of the build, so that rebuilding does not disturb the runs
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
seeds=${SEEDS:-1 2 3}
threads=${THREADS:-1}
data=${DATA:-mnist}
test=${TEST-"--test-split test"}
mkdir -p "$out"
for s in $seeds; do
  dir=$out/seed$s
  start=$(date +%s)
  # shellcheck disable=SC2086 # DATA and TEST hold several words on purpose
  dotnet "$dll" train --variant unsupervised --data $data --alpha 0 --seed "$s" $test --threads "$threads" \
    "$@" --out "$dir" --force 2>&1 | tee "$out/seed$s.log"
  echo $(( $(date +%s) - start )) > "$out/seed$s.wall"
done
python3 - "$out" $seeds <<'PY'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
rows = ["seed,acc,ari,nmi,acc_test,ari_test,nmi_test,wall_seconds"]
f = lambda v: "" if v is None else f"{v:.4f}"
for s in seeds:
    j = json.load(open(f"{out}/seed{s}/summary.json"))
    wall = open(f"{out}/seed{s}.wall").read().strip()
    rows.append(",".join([s, f(j["acc"]), f(j["ari"]), f(j["nmi"]), f(j["accTest"]), f(j["ariTest"]), f(j["nmiTest"]), wall]))
open(f"{out}/results.csv", "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
