#!/usr/bin/env bash
# The bad inputs of issue 17, run through the real command line. Usage:
#   experiments/reliability/bad-inputs.sh [out-dir]      (default results/bad-inputs)
# Trains one small run, then tries each case and prints a Markdown table: the case, the exit code, the first line of
# the output (its error line where it has one), and whether the earlier run folder (and the other files named) are byte for byte as before.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/results/bad-inputs}
rm -rf "$out"; mkdir -p "$out"; out=$(cd "$out" && pwd)
dll=$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll
[ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
d() { dotnet "$dll" "$@"; }
small=(--data mnist --classes 0,1 --per-class 20 --alpha 0.5 --epochs 2 --width 8 --threads 1)
run=$out/run
d train "${small[@]}" --out "$run" > "$out/run.log" 2>&1 || { echo "the first run failed"; exit 1; }
snap() { (cd "$1" && find . -type f ! -name .lock -print0 | sort -z | xargs -0 sha256sum | sha256sum); }

echo "| case | exit code | first line of the output | earlier files |"
echo "|---|---|---|---|"
# case <description> <folder to check> <command...>
case_() {
  local what=$1 folder=$2; shift 2
  local before; before=$(snap "$folder")
  local log=$out/case.log
  "$@" > "$log" 2>&1; local code=$?
  local first; first=$( (grep -m1 '^error:' "$log" || grep -m1 -v '^\s*$' "$log") | sed "s#$out/##g; s#$out#DIR#g; s#$root/##g; s/|/\\\\|/g" | cut -c1-230)
  local after; after=$(snap "$folder")
  local intact=$([ "$before" = "$after" ] && echo intact || echo CHANGED)
  local extra=""; [ -n "${post:-}" ] && extra=$(eval "$post")
  echo "| $what | $code | \`$first\` | $intact$extra |"
  post=
}

case_ "train --per-class ten" "$run" d train --data mnist --per-class ten --out "$out/x1"
case_ "train --alpha 1e" "$run" d train --data mnist --alpha 1e --out "$out/x1"
case_ "predict --out (an existing folder)" "$run" d predict --model "$run" --data mnist --classes 0,1 --per-class 5 --out "$run"
case_ "sample --out (an existing folder)" "$run" d sample --model "$run" --cluster 0 --out "$out"
case_ "viz curves --out (an existing folder)" "$run" d viz curves --run "$run" --out "$run"
post='[ -e /no ] && echo "; /no CREATED" || echo "; /no not created"'
case_ "predict --out /no/such/dir/x.csv" "$run" d predict --model "$run" --data mnist --classes 0,1 --per-class 5 --out /no/such/dir/x.csv
post='[ -e "$out/one" ] && echo "; its folder CREATED" || echo "; its folder not created"'
case_ "train --classes 0 (K = 1)" "$run" d train --data mnist --classes 0 --per-class 20 --epochs 1 --out "$out/one"
case_ "train --resume RUN --per-class 30 --lr 0.1" "$run" d train --resume "$run" --per-class 30 --lr 0.1
case_ "train --resume RUN --method kmeans" "$run" d train --resume "$run" --method kmeans
case_ "train --resume RUN --epochs 1 (2 done)" "$run" d train --resume "$run" --epochs 1
case_ "train --resume RUN --out (another folder)" "$run" d train --resume "$run" --out "$out/other"

# Damaged files: a copy of the run with one file damaged; the copy is checked.
damaged() { rm -rf "$out/dmg"; cp -r "$run" "$out/dmg"; }
damaged; python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0x5a; open(p,'wb').write(b)" "$out/dmg/checkpoint.bin"
case_ "predict, checkpoint.bin with one byte changed" "$out/dmg" d predict --model "$out/dmg" --data mnist --classes 0,1 --per-class 5 --out "$out/p.csv"
case_ "train --resume, checkpoint.bin with one byte changed" "$out/dmg" d train --resume "$out/dmg" --epochs 3
damaged; head -c 5000 "$run/checkpoint.bin" > "$out/dmg/checkpoint.bin"
case_ "sample, checkpoint.bin cut to 5000 bytes" "$out/dmg" d sample --model "$out/dmg" --cluster 0 --out "$out/s.png"
damaged; printf '\x00\xff garbage \x01' > "$out/dmg/options.json"
case_ "predict, options.json replaced by binary garbage" "$out/dmg" d predict --model "$out/dmg" --data mnist --classes 0,1 --per-class 5 --out "$out/p.csv"
damaged; sed -i 's/"height": 28/"height": 999999/' "$out/dmg/model.json"
case_ "predict, model.json height 999999" "$out/dmg" d predict --model "$out/dmg" --data mnist --classes 0,1 --per-class 5 --out "$out/p.csv"
damaged; sed -i 's/"netWidth": 8/"netWidth": 60000/' "$out/dmg/model.json"
case_ "predict, model.json netWidth 60000 (a network larger than the checkpoint)" "$out/dmg" d predict --model "$out/dmg" --data mnist --classes 0,1 --per-class 5 --out "$out/p.csv"
mkdir -p "$out/idx"; head -c 3000 "$root/data/mnist/train-images-idx3-ubyte.gz" > "$out/idx/train-images-idx3-ubyte.gz"; cp "$root/data/mnist/train-labels-idx1-ubyte.gz" "$out/idx/"
case_ "data info, IDX images file cut to 3000 bytes" "$run" d data info --data "idx:$out/idx"
mkdir -p "$out/cifar"; for b in 1 2 4; do head -c 3073 /dev/zero > "$out/cifar/data_batch_$b.bin"; done
case_ "data info, CIFAR-10 folder with data_batch_1, 2 and 4 only" "$run" d data info --data "cifar10:$out/cifar"
# Data larger than the memory available (set small with DNNMM_MEMORY_LIMIT): an error before any pixel is decoded.
case_ "data info with DNNMM_MEMORY_LIMIT=1000000 (the shipped MNIST subset, 10,000 images)" "$run" env DNNMM_MEMORY_LIMIT=1000000 dotnet "$dll" data info --data mnist
case_ "train --force on RUN with DNNMM_MEMORY_LIMIT=1000000" "$run" env DNNMM_MEMORY_LIMIT=1000000 dotnet "$dll" train "${small[@]}" --out "$run" --force
case_ "data info with DNNMM_MEMORY_LIMIT=4G" "$run" env DNNMM_MEMORY_LIMIT=4G dotnet "$dll" data info --data mnist

# Two processes: a long run holds the folder; a second one (even with --force) and a resume are refused.
long=$out/long
dotnet "$dll" train --data mnist --classes 0,1 --per-class 100 --alpha 0.5 --epochs 200 --width 8 --threads 1 --out "$long" > "$out/long.log" 2>&1 &
pid=$!
for i in $(seq 1 600); do [ -f "$long/options.json" ] && break; sleep 0.1; done
case_ "train --force on a folder that another process is training in (pid $pid)" "$run" d train "${small[@]}" --out "$long" --force
case_ "train --resume on that folder" "$run" d train --resume "$long" --epochs 300
mkdir -p "$out/exp"
dotnet "$dll" experiment --preset quick --per-class 30 --out "$out/exp" > "$out/exp.log" 2>&1 &
epid=$!
for i in $(seq 1 600); do [ -f "$out/exp/experiment.json" ] && break; sleep 0.1; done
case_ "experiment --force on a folder that another experiment runs in (pid $epid)" "$run" d experiment --preset quick --per-class 30 --out "$out/exp" --force
kill -9 $epid 2>/dev/null; wait $epid 2>/dev/null
kill -9 $pid; wait $pid 2>/dev/null
done_epochs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[-1]['epoch'])" "$long/metrics.json" 2>/dev/null || echo 0)
case_ "train --resume after kill -9 of the holder (stale lock; $done_epochs epochs done, --epochs $((done_epochs + 1)))" "$run" d train --resume "$long" --epochs $((done_epochs + 1))
