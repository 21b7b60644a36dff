#!/usr/bin/env bash
# Benchmark of the cache-drop step over real SSH: 1 lab host vs all N lab hosts (.lab/hosts),
# the N drops started concurrently, one ssh per host, exactly as Pulumi runs N independent
# command resources (the program's own drop command line, scripts/drop-caches.sh on stdin).
# 1-host and N-host rounds alternate within one run, so both see the same machine state.
# Prints figures only; it asserts nothing.
#
# usage: bash tools/bench/drop-caches.sh [REPETITIONS]     (default 5; needs bash test/lab/up.sh)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lab="$repo/.lab"
reps=${1:-5}
fill_mib=128
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [REPETITIONS]" >&2; exit 2; }
[[ -s "$lab/hosts" && -f "$lab/ssh_config" ]] || { echo "lab not up: run bash test/lab/up.sh" >&2; exit 1; }
mapfile -t hosts <"$lab/hosts"
n=${#hosts[@]}

# Each measured drop should have a page cache to drop: refill it before every round from a file
# on disk (not tmpfs, whose pages a drop cannot free).
fill_file=$(mktemp /var/tmp/bench-drop-caches.XXXXXX)
trap 'rm -f "$fill_file"' EXIT
dd if=/dev/zero of="$fill_file" bs=1M count="$fill_mib" status=none
fill_cache() { cat "$fill_file" >/dev/null; }

now_us() { echo "${EPOCHREALTIME/./}"; }

# One command resource: its own ssh connection (no multiplexing), the script on stdin.
remote() { # ADDR REMOTE_COMMAND [STDIN_FILE]
  ssh -F "$lab/ssh_config" -o ControlMaster=no -o ControlPath=none "root@$1" "$2" <"${3:-/dev/null}" >/dev/null
}

# The drop command line per host, rendered by the program (lib/scripts.ts dropCachesStep).
drop_lines=()
for ((i = 0; i < n; i++)); do
  drop_lines+=("$(node "$repo/tools/run-ts.js" "$repo/tools/bench/node-step.ts" drop "lab-h$((i + 1))")")
done

step() { # INDEX drop|ssh
  if [[ "$2" == drop ]]; then
    remote "${hosts[$1]}" "${drop_lines[$1]}" "$repo/scripts/drop-caches.sh"
  else
    remote "${hosts[$1]}" "true"
  fi
}

# Runs the step on the first COUNT hosts concurrently; prints the wall time in ms.
round() { # COUNT drop|ssh
  local count=$1 kind=$2 i start pids=() failed=0
  start=$(now_us)
  for ((i = 0; i < count; i++)); do
    step "$i" "$kind" &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  if ((failed > 0)); then
    echo "bench: $failed of $count $kind commands failed" >&2
    exit 1
  fi
  echo $(( ($(now_us) - start) / 1000 ))
}

# For comparison only: the original deployment's ssh loop, one host after another.
loop() { # COUNT
  local i start
  start=$(now_us)
  for ((i = 0; i < $1; i++)); do step "$i" drop; done
  echo $(( ($(now_us) - start) / 1000 ))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Warm-up round, not counted: first connections pay for sshd start-up paths and file caches.
round "$n" ssh >/dev/null

one_drop=() all_drop=() one_ssh=() all_ssh=() loops=()
echo "drop-caches benchmark: $n lab hosts, $reps repetitions, ${fill_mib} MiB re-read into the page cache before each drop round"
printf '%-4s %10s %11s %15s %14s %15s\n' rep "1 host ms" "$n hosts ms" "$n-host loop ms" "ssh 1 host ms" "ssh $n hosts ms"
for ((r = 1; r <= reps; r++)); do
  # Alternate which goes first, so neither side always meets a warmer or colder machine.
  if ((r % 2)); then
    fill_cache; a=$(round 1 drop); fill_cache; b=$(round "$n" drop)
  else
    fill_cache; b=$(round "$n" drop); fill_cache; a=$(round 1 drop)
  fi
  fill_cache; l=$(loop "$n")
  c=$(round 1 ssh); d=$(round "$n" ssh)
  one_drop+=("$a") all_drop+=("$b") loops+=("$l") one_ssh+=("$c") all_ssh+=("$d")
  printf '%-4s %10s %11s %15s %14s %15s\n' "$r" "$a" "$b" "$l" "$c" "$d"
done

m1=$(printf '%s\n' "${one_drop[@]}" | median)
mn=$(printf '%s\n' "${all_drop[@]}" | median)
s1=$(printf '%s\n' "${one_ssh[@]}" | median)
sn=$(printf '%s\n' "${all_ssh[@]}" | median)
ml=$(printf '%s\n' "${loops[@]}" | median)
echo "median drop round: 1 host ${m1} ms, $n hosts ${mn} ms, ratio $n-host/1-host $(ratio "$mn" "$m1")"
echo "median $n-host ssh loop (the original script, for comparison): ${ml} ms, ratio to 1 host $(ratio "$ml" "$m1")"
echo "median ssh-only round (true): 1 host ${s1} ms, $n hosts ${sn} ms, ratio $(ratio "$sn" "$s1")"
echo "note: the lab hosts share this machine's kernel and $(nproc) cores: the N drops hit one page cache, and N sshd/bash start-ups compete for the same CPUs; on real nodes each drop is on its own machine."
