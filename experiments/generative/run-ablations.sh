#!/usr/bin/env bash
# Issue 14's evaluation grid, as run for docs/results/generative-ablations: one queue per shard (run
# `run-ablations.sh 1 OUT` and `run-ablations.sh 2 OUT` side by side, 1 thread each), then
#   dnnmm experiment merge OUT/*-1 OUT/*-2 --out OUT/all
# In order of importance: the no-GAN ablation (the encoder of the defaults, 5 seeds), the full model with the
# reference classifiers (sample purity; its encoder equals the no-GAN one, so one seed), the same with the
# generator and discriminator every second step, and the no-GAN ablation without gradient clipping on CIFAR.
# DNNMM=<command> overrides how dnnmm is called (default: dotnet run of the CLI).
set -euo pipefail
i=${1:?shard 1 or 2}; out=${2:?output folder}
cd "$(dirname "$0")/../.."
B=${DNNMM:-dotnet run -c Release --project src/Dnnmm.Cli --}
refs="--reference-classifier mnist5=refs/mnist5 --reference-classifier cifar10-5-noisy=refs/cifar10-5"
g=experiments/generative
$B experiment --config $g/ablations.json --methods dnnmm-no-gan --shard $i/2 --out $out/no-gan-$i
$B experiment --config $g/ablations.json --methods dnnmm --seeds 1 --shard $i/2 $refs --out $out/full-$i
$B experiment --config $g/ablations.json --methods dnnmm-gan2 --seeds 1 --shard $i/2 $refs --out $out/gan2-$i
$B experiment --config $g/ablations.json --datasets cifar10-5-noisy --methods dnnmm-no-gan-no-clip --shard $i/2 --out $out/no-clip-$i
# 40 epochs, the learning rate decaying over the last 20 (the best capacity variant on the development digits:
# experiments/generative/capacity-dev.json)
$B experiment --config $g/ablations.json --methods dnnmm-no-gan-e40 --shard $i/2 --out $out/e40-$i
# The deeper encoder (--encoder-depth 2; docs/model.md, "A deeper encoder"; an option, not a default)
$B experiment --config $g/ablations.json --methods dnnmm-no-gan-depth2 --shard $i/2 --out $out/depth2-$i
# Forty epochs with a teacher encoder for the E step (--teacher-ema 0.99; chosen on the CIFAR development images:
# experiments/generative/cifar-epochs-dev.json; an option for colour images, not a default)
$B experiment --config $g/ablations.json --datasets cifar10-5-noisy --methods dnnmm-no-gan-e40-teacher --shard $i/2 --out $out/e40-teacher-$i
