#!/usr/bin/env bash
# Wall time and CPU busy fraction of one small grid submitted with `reproduce --slurm` as 1, 2 and
# 3 shards to a one-node cluster on this machine (scripts/slurm-local; root, slurm-wlm and munge).
# Prints one JSON object. Usage: benchmark/slurm-throughput.sh [shards…]   (default: 1 2 3)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d)
trap 'scripts/slurm-local stop "$root/cluster" >/dev/null 2>&1 || true; rm -rf "$root"' EXIT
eval "$(scripts/slurm-local start "$root/cluster")"
grid=(--tasks parallel_scaling_law,sparsity_scaling_law,farseer_scaling_law --methods cheapest,random,mspe --repeats 2 --restarts 16)

# user+nice+system and total jiffies of all CPUs
cpu() { awk '/^cpu /{print $2+$3+$4, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }

echo '{'
echo "  \"cpus\": $(nproc), \"grid\": \"${grid[*]}\","
echo '  "runs": ['
first=1
for n in "${@:-1 2 3}"; do
  for shards in $n; do
    out="$root/out-$shards"
    read -r busy0 total0 < <(cpu)
    start=$(date +%s.%N)
    ids=$(node dist/cli/main.js reproduce "${grid[@]}" --slurm --shards "$shards" --cpus-per-task 1 --out "$out" | sed -n 's/^submitted \(array\|merge\) job \([0-9]*\).*/\2/p' | paste -sd, -)
    while [ -n "$(squeue -h -j "$ids" 2>/dev/null)" ]; do sleep 0.5; done
    end=$(date +%s.%N)
    read -r busy1 total1 < <(cpu)
    [ "$first" = 1 ] || echo ','
    first=0
    awk -v s="$shards" -v w="$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" -v b="$((busy1 - busy0))" -v t="$((total1 - total0))" \
      'BEGIN{printf "    { \"shards\": %d, \"wallSeconds\": %.1f, \"cpuBusy\": %.2f }", s, w, b/t}'
  done
done
echo
echo '  ]'
echo '}'
