#!/usr/bin/env bash
# Cost of --encoder-depth 2 (docs/model.md, "A deeper encoder"): epoch time of the no-GAN ablation and of the full
# model at depth 1 and 2 on the main job's data (MNIST 0-4 x 1000, alpha 0.1), and of the no-GAN ablation on noisy
# CIFAR-10-5; variants interleaved, 3 rounds, 1 thread each, nothing else training. Compare medians.
# DNNMM=<command> overrides how dnnmm is called (default: build, then dotnet run of the CLI).
cd "$(dirname "$0")/.."
if [ -n "${DNNMM:-}" ]; then B=$DNNMM; else B="dotnet run -c Release --project src/Dnnmm.Cli --no-build --"; dotnet build -c Release src/Dnnmm.Cli > /dev/null; fi
mnist="--data mnist --classes 0,1,2,3,4 --per-class 1000 --alpha 0.1 --seed 1 --threads 1"
cifar="--data folder:${CIFAR5_DIR:-../shared/data/cifar10-5class}/train --classes airplane,automobile,bird,cat,deer --per-class 1000 --noise-std 0.1 --alpha 0.1 --seed 1 --threads 1"
for round in 1 2 3; do
  for v in "mnist no-gan depth 1|$mnist --ablation no-gan" "mnist no-gan depth 2|$mnist --ablation no-gan --encoder-depth 2" \
           "mnist full depth 1|$mnist" "mnist full depth 2|$mnist --encoder-depth 2" \
           "cifar no-gan depth 1|$cifar --ablation no-gan" "cifar no-gan depth 2|$cifar --ablation no-gan --encoder-depth 2"; do
    name=${v%%|*}; opts=${v#*|}
    echo "== $name round $round"
    $B bench $opts 2>&1 | grep -E "time per training step|time per epoch"
  done
done
