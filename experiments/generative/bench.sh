#!/usr/bin/env bash
# Issue 14 item 4: epoch time of the full model against the no-GAN ablation, interleaved, 3 rounds, 1 thread each, nothing else training.
# With --gan-every 2 the step times alternate (G and D every second step): compare the epoch times.
# DNNMM=<command> overrides how dnnmm is called (default: build, then dotnet run of the CLI).
cd "$(dirname "$0")/../.."
if [ -n "${DNNMM:-}" ]; then B=$DNNMM; else B="dotnet run -c Release --project src/Dnnmm.Cli --no-build --"; dotnet build -c Release src/Dnnmm.Cli > /dev/null; fi
common="--data mnist --classes 0,1,2,3,4 --per-class 1000 --alpha 0.1 --seed 1 --threads 1"
for round in 1 2 3; do
  for v in "default|" "no-gan|--ablation no-gan" "fake32|--fake-batch-size 32" "gan2|--gan-every 2" "gan2-fake32|--gan-every 2 --fake-batch-size 32"; do
    name=${v%%|*}; opts=${v#*|}
    echo "== $name round $round"
    $B bench $common $opts 2>&1 | grep -E "time per training step|time per epoch"
  done
done
