#!/usr/bin/env bash
# Issue 15 item 3: the standard semi-supervised benchmarks at full scale, inductive (trained on the training split with
# N labels drawn from the seed, scored on the official test split), DNN-MM side by side with its no-GAN ablation and
# the labelled-only encoder on the same labels. One experiment folder per benchmark; rerunning resumes (finished runs
# are kept, an interrupted run restarts from its checkpoint with --resume semantics of the runner).
#
#   experiments/fullscale/run.sh mnist-100|mnist-1000|cifar10-5-400|cifar10-4000 <out-dir> [extra experiment options]
#
# Data (set to your copies): MNIST_DIR (IDX files, default ../shared/data/mnist), CIFAR5_DIR (class folders train/ and
# test/, default ../shared/data/cifar10-5class), CIFAR10_DIR (the CIFAR-10 binary batches, cifar-10-batches-bin).
# Each run's peak memory is measured with GNU time (-v) into <out-dir>/time.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=${1:?benchmark: mnist-100, mnist-1000, cifar10-5-400 or cifar10-4000}; out=${2:?output folder}; shift 2
cfg=$root/experiments/fullscale/$bench.json
[ -f "$cfg" ] || { echo "error: no benchmark '$bench' (experiments/fullscale/*.json)" >&2; exit 2; }
MNIST_DIR=${MNIST_DIR:-$root/../shared/data/mnist}
CIFAR5_DIR=${CIFAR5_DIR:-$root/../shared/data/cifar10-5class}
CIFAR10_DIR=${CIFAR10_DIR:-}
case $bench in
  mnist-*) [ -d "$MNIST_DIR" ] || { echo "error: MNIST_DIR $MNIST_DIR: not found" >&2; exit 2; } ;;
  cifar10-5-*) [ -d "$CIFAR5_DIR" ] || { echo "error: CIFAR5_DIR $CIFAR5_DIR: not found" >&2; exit 2; } ;;
  cifar10-4000) [ -n "$CIFAR10_DIR" ] && [ -d "$CIFAR10_DIR" ] || { echo "error: set CIFAR10_DIR to the CIFAR-10 binary batches" >&2; exit 2; } ;;
esac
dll=${DNNMM_DLL:-$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll}  # DNNMM_DLL: a copy of the build, so rebuilding does not disturb a long run
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
mkdir -p "$out"
sed -e "s|@MNIST@|$(cd "$MNIST_DIR" 2>/dev/null && pwd || echo "$MNIST_DIR")|g" \
    -e "s|@CIFAR5@|$(cd "$CIFAR5_DIR" 2>/dev/null && pwd || echo "$CIFAR5_DIR")|g" \
    -e "s|@CIFAR10@|$CIFAR10_DIR|g" "$cfg" > "$out/config.json"
timer=(); [ -x /usr/bin/time ] && timer=(/usr/bin/time -v -a -o "$out/time.log")
"${timer[@]}" dotnet "$dll" experiment --config "$out/config.json" --out "$out/experiment" "$@"
