#!/usr/bin/env bash
# Issue 14 item 4: the full model's epoch against its no-GAN epoch, for several builds of dnnmm, interleaved
# (3 rounds, 1 thread, nothing else running; an epoch after the warm-up, as newer builds measure anyway). Usage: bench-builds.sh NAME=DIR [NAME=DIR ...], DIR holding dnnmm.dll.
# DATA overrides the data options (default: MNIST 0-4 x 1000, alpha 0.1); the CIFAR figures use
# DATA="--data folder:../shared/data/cifar10-5class/train --classes airplane,automobile,bird,cat,deer --per-class 1000 --noise-std 0.1 --alpha 0.1".
cd "$(dirname "$0")/../.."
common="${DATA:---data mnist --classes 0,1,2,3,4 --per-class 1000 --alpha 0.1} --seed 1 --threads 1 --warmup-epochs 0"
for round in 1 2 3; do
  for build in "$@"; do
    name=${build%%=*}; dir=${build#*=}
    for v in "default|" "no-gan|--ablation no-gan"; do
      variant=${v%%|*}; opts=${v#*|}
      echo "== $name $variant round $round"
      dotnet "$dir/dnnmm.dll" bench $common $opts 2>&1 | grep -E "time per training step|time per epoch"
    done
  done
done
