#!/usr/bin/env bash
# The paper-mnist5 preset as it was run for docs/results/paper-mnist5/: two shards side by side (one thread
# each, the machine has 2 cores), then merged. Rerunning resumes; finished runs are skipped.
#   experiments/paper-mnist5.sh [extra experiment options...]
exec "$(dirname "$0")/paper-preset.sh" paper-mnist5 "$@"
