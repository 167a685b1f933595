#!/usr/bin/env bash
# Kills and resumes (issue 17). Usage:
#   experiments/reliability/kill-resume.sh [kills] [out-dir]      (default 10 kills, results/reliability)
# 1. train: an uninterrupted reference run, then the same run killed (kill -9) `kills` times at random moments and
#    resumed each time (train --resume) until it finishes; the final figures and every metrics row must equal the
#    reference's (all but the seconds), with one row per epoch.
# 2. experiment: a small grid (2 methods x 2 alphas x 2 seeds on the shipped MNIST) uninterrupted, then killed `kills`
#    times and rerun until it finishes; results.csv must hold the reference's rows (all but the seconds), each once.
# 3. every JSON file of both parts parses.
# 4. a disk that fills up (a 4 MiB tmpfs, where this machine lets us mount one): the resume fails with a one-line
#    error and exit code 4, and the earlier checkpoint and summary stay byte for byte.
# Environment: DNNMM (the command; default: dotnet the built dnnmm.dll), SEED (of the random kill moments, default 17).
# Prints the figures and writes them to <out-dir>/figures.txt. Exit code 0 when everything matched.
set -uo pipefail
kills=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$root/results/reliability}
mkdir -p "$out"; out=$(cd "$out" && pwd)
dll=$root/src/Dnnmm.Cli/bin/Release/net10.0/dnnmm.dll
if [ -z "${DNNMM:-}" ]; then
  [ -f "$dll" ] || dotnet build -c Release "$root/src/Dnnmm.Cli" >/dev/null
  DNNMM="dotnet $dll"
fi
RANDOM=${SEED:-17}
figures=$out/figures.txt
: > "$figures"
say() { echo "$@" | tee -a "$figures"; }
failed=0

# The train job: 3 digits, 100 images each, 8 epochs, one thread (so that runs are reproducible to the last digit).
train_args=(--data mnist --classes 0,1,2 --per-class 100 --alpha 0.1 --seed 1 --epochs 8 --warmup-epochs 2 --threads 1)

# Runs "$@" in the background and kills it after a random 0.5 .. $2 s; echoes "killed" or the exit code.
kill_at_random() {
  local max_ms=$1; shift
  "$@" > /dev/null 2>&1 &
  local pid=$! ms=$((500 + RANDOM % max_ms))
  local waited=0
  while [ $waited -lt $ms ]; do
    sleep 0.1; waited=$((waited + 100))
    if ! kill -0 $pid 2>/dev/null; then wait $pid; echo $?; return; fi
  done
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  echo killed
}

# ---- 1. train ----
ref=$out/train-ref; run=$out/train-killed
rm -rf "$ref" "$run"
t0=$(date +%s.%N)
$DNNMM train "${train_args[@]}" --out "$ref" > "$out/train-ref.log" 2>&1 || { say "reference train run failed"; exit 1; }
t1=$(date +%s.%N)
ref_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", (b - a) * 1000}')
say "train: reference run ${ref_ms} ms"
done_kills=0; resumes=0; starts=0
first=($DNNMM train "${train_args[@]}" --out "$run")
cmd=("${first[@]}")
while :; do
  if [ $done_kills -ge "$kills" ]; then r=$("${cmd[@]}" > /dev/null 2>&1; echo $?); else r=$(kill_at_random $((ref_ms / 3)) "${cmd[@]}"); fi
  starts=$((starts + 1))
  if [ "$r" = killed ]; then
    done_kills=$((done_kills + 1))
    # Killed before options.json was written: nothing to resume, start it again.
    if [ -f "$run/options.json" ]; then cmd=($DNNMM train --resume "$run"); resumes=$((resumes + 1)); else cmd=("${first[@]}"); fi
    continue
  fi
  if [ "$r" != 0 ]; then say "train: a start ended with exit code $r"; failed=1; fi
  break
done
say "train: $done_kills kills, $resumes resumes, $starts starts"
python3 - "$ref" "$run" <<'EOF' | tee -a "$figures" || failed=1
import json, sys
ref, run = sys.argv[1], sys.argv[2]
def load(d, f): return json.load(open(f"{d}/{f}"))
a, b = load(ref, "summary.json"), load(run, "summary.json")
keys = ["epochs", "acc", "ari", "nmi", "logLikelihood", "accUnlabelled", "omega"]
same = all(a[k] == b[k] for k in keys)
ma, mb = load(ref, "metrics.json"), load(run, "metrics.json")
epochs = [r["epoch"] for r in mb]
rows_ok = epochs == list(range(1, len(ma) + 1))
strip = lambda rows: [(r["epoch"], r["values"], r["omega"]) for r in rows]
metrics_same = strip(ma) == strip(mb)
print(f"train: final ACC {b['acc']:.4f} ARI {b['ari']:.4f} NMI {b['nmi']:.4f} (reference {a['acc']:.4f} {a['ari']:.4f} {a['nmi']:.4f}): "
      f"{'identical' if same else 'DIFFERENT'}; metrics rows {epochs} {'one per epoch' if rows_ok else 'WRONG'}, "
      f"{'identical to the reference' if metrics_same else 'DIFFERENT from the reference'}")
sys.exit(0 if same and rows_ok and metrics_same else 1)
EOF

# ---- 2. experiment ----
grid=$out/grid.json
cat > "$grid" <<'EOF'
{
  "name": "kill-resume",
  "datasets": [{"name": "mnist2", "data": {"data": "mnist", "classes": ["0", "1"], "perClass": 40}}],
  "methods": [
    {"name": "dnnmm", "options": {"method": "dnnmm", "dnnmm": {"epochs": 3, "width": 8, "batchSize": 16, "labelledBatchSize": 4, "warmupEpochs": 1}}},
    {"name": "kmeans", "options": {"method": "kmeans", "kMeans": {"restarts": 2}}}
  ],
  "alphas": [0.1, 0.5],
  "seeds": [1, 2],
  "threads": 1
}
EOF
eref=$out/exp-ref; erun=$out/exp-killed
rm -rf "$eref" "$erun"
t0=$(date +%s.%N)
$DNNMM experiment --config "$grid" --out "$eref" > "$out/exp-ref.log" 2>&1 || { say "reference experiment failed"; exit 1; }
t1=$(date +%s.%N)
eref_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", (b - a) * 1000}')
say "experiment: reference run ${eref_ms} ms"
done_kills=0; reruns=0; starts=0
while :; do
  if [ $done_kills -ge "$kills" ]; then r=$($DNNMM experiment --config "$grid" --out "$erun" > /dev/null 2>&1; echo $?)
  else r=$(kill_at_random $((eref_ms / 3)) $DNNMM experiment --config "$grid" --out "$erun"); fi
  starts=$((starts + 1))
  if [ "$r" = killed ]; then done_kills=$((done_kills + 1)); reruns=$((reruns + 1)); continue; fi
  if [ "$r" != 0 ]; then say "experiment: a start ended with exit code $r"; failed=1; fi
  break
done
say "experiment: $done_kills kills, $reruns reruns, $starts starts"
python3 - "$eref" "$erun" <<'EOF' | tee -a "$figures" || failed=1
import csv, sys
def rows(d):
    with open(f"{d}/results.csv") as f:
        r = list(csv.DictReader(f))
    return [{k: v for k, v in x.items() if k != "seconds"} for x in r]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
key = lambda x: (x["dataset"], x["method"], x["alpha"], x["seed"])
keys = [key(x) for x in b]
dup = len(keys) - len(set(keys))
missing = len({key(x) for x in a} - set(keys))
same = sorted(a, key=key) == sorted(b, key=key)
print(f"experiment: results.csv {len(b)} rows (reference {len(a)}), {dup} duplicate, {missing} missing, "
      f"{'identical to the reference' if same else 'DIFFERENT from the reference'} (all columns but seconds)")
sys.exit(0 if same and dup == 0 and missing == 0 else 1)
EOF

# ---- 3. every JSON file parses ----
python3 - "$out" <<'EOF' | tee -a "$figures" || failed=1
import json, pathlib, sys
files = [p for p in pathlib.Path(sys.argv[1]).rglob("*.json") if p.name != "grid.json"]
bad = []
for p in files:
    try: json.load(open(p))
    except Exception as e: bad.append(f"{p}: {e}")
print(f"json: {len(files)} files, {len(bad)} that do not parse" + "".join("\n  " + b for b in bad))
tmp = [p for p in pathlib.Path(sys.argv[1]).rglob("*.tmp")] + [p for p in pathlib.Path(sys.argv[1]).rglob(".lock")]
print(f"leftovers: {len(tmp)} temporary or lock files" + "".join("\n  " + str(t) for t in tmp))
sys.exit(0 if not bad else 1)
EOF

# ---- 4. a full disk ----
mnt=$out/tmpfs
mkdir -p "$mnt"
if mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null; then
  small=(--data mnist --classes 0,1 --per-class 8 --alpha 0.5 --epochs 1 --width 4 --batch-size 8 --labelled-batch-size 4 --warmup-epochs 0 --threads 1)
  $DNNMM train "${small[@]}" --out "$mnt/run" > /dev/null 2>&1
  before=$(sha256sum "$mnt/run/checkpoint.bin" "$mnt/run/summary.json")
  free_kb=$(df -k --output=avail "$mnt" | tail -1)
  # Fill the disk, leaving less than a checkpoint needs.
  dd if=/dev/zero of="$mnt/fill" bs=1k count=$((free_kb > 16 ? free_kb - 16 : 0)) 2>/dev/null
  $DNNMM train --resume "$mnt/run" --epochs 2 > "$out/full-disk.log" 2>&1; code=$?
  after=$(sha256sum "$mnt/run/checkpoint.bin" "$mnt/run/summary.json")
  lines=$(wc -l < "$out/full-disk.log")
  intact=$([ "$before" = "$after" ] && echo "intact" || echo "CHANGED")
  say "full disk: exit code $code, last line: $(grep '^error:' "$out/full-disk.log" | head -1); checkpoint.bin and summary.json $intact"
  [ "$code" = 4 ] && [ "$intact" = intact ] || failed=1
  umount "$mnt"
else
  say "full disk: no tmpfs could be mounted here (mount needs CAP_SYS_ADMIN); the test suite simulates the failing write (AtomicFile.SimulateFullDisk)"
fi
rmdir "$mnt" 2>/dev/null

say "result: $([ $failed = 0 ] && echo "all matched" || echo "MISMATCH (see above)")"
exit $failed
