#!/usr/bin/env bash
# Thread scaling on a many-core machine, with nothing to build there:
#
#   benches/cores.sh [BINARY] [MB]
#
# BINARY is a release build of factmine (default target/release/factmine;
# its rules are built in), MB the dump's size (default 128). The script
# writes a JSON-lines dump of about MB megabytes from corpus/ (python3),
# runs `factmine extract` on it with 1, 2, 4, 8, 16 … threads (up to the
# cores there are), checks that facts.jsonl and documents.jsonl are byte
# for byte the same at every count, and prints one table row a count: wall
# seconds, speed-up over one thread, user and system CPU seconds, peak
# memory, start-up (loading the rules) and the CPU seconds of the main
# thread, which writes every line (the two parts of a run more cores do not
# share out; `--stats` reports both). Two more rows run one thread and all of them with transparent
# huge pages off for the process (MIMALLOC_ALLOW_THP=0): with them on,
# each first touch of a 2 MB region has the kernel clear all of it, which
# shows as system time (docs/performance.md, December eighth pass). Two
# more run them with the allocator keeping the pages it frees
# (MIMALLOC_PURGE_DELAY=-1) instead of handing them back after a second:
# each hand-back flushes the TLB of every core the process runs on, and
# the next touch faults again (ninth pass). Two more run them with
# --batch 256, the default before documents were analysed in groups (the
# default is 256 per thread, two groups of 128 a thread): on many threads
# that makes groups of 8, and shows what the groups gain there against
# what fewer, larger batches cost in filling and draining the run
# (eleventh pass).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/factmine}
mb=${2:-128}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$mb" "$work/dump.jsonl" <<'PY'
import json, pathlib, sys
mb, out = int(sys.argv[1]), sys.argv[2]
records = []
for path in sorted(pathlib.Path("corpus").rglob("*")):
    if path.suffix in (".txt", ".md"):
        text = path.read_text(encoding="utf-8")
        records.append({"text": text})
    elif path.suffix in (".html", ".htm"):
        records.append({"html": path.read_text(encoding="utf-8")})
    elif path.suffix in (".jsonl", ".ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record.pop("id", None)
                records.append(record)
written, i = 0, 0
with open(out, "w", encoding="utf-8") as f:
    while written < mb << 20:
        record = dict(records[i % len(records)], id=f"doc-{i:08}")
        line = json.dumps(record, ensure_ascii=False) + "\n"
        f.write(line)
        written += len(line.encode("utf-8"))
        i += 1
print(f"dump: {written / 1e6:.0f} MB of JSON lines, {i} documents, from {len(records)} corpus records")
PY

cores=$(nproc)
counts=()
for n in 1 2 4 8 16 32 64; do
  [ "$n" -le "$cores" ] && counts+=("$n")
done
[ "${counts[-1]}" -lt "$cores" ] && counts+=("$cores")

echo "| threads | wall (s) | speed-up | user CPU (s) | system CPU (s) | peak memory (MB) | start-up (s) | writing thread CPU (s) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
first=""
reference=""
runs=("${counts[@]}" "1 thp-off" "${counts[-1]} thp-off" "1 no-purge" "${counts[-1]} no-purge" "1 batch-256" "${counts[-1]} batch-256")
for run in "${runs[@]}"; do
  read -r n setting <<<"$run"
  out="$work/out-$n"
  TIMEFORMAT="%R %U %S"
  extra=()
  times=$( { case "$setting" in
               thp-off) export MIMALLOC_ALLOW_THP=0 ;;
               no-purge) export MIMALLOC_PURGE_DELAY=-1 ;;
               batch-256) extra=(--batch 256) ;;
             esac
             time "$bin" extract "$work/dump.jsonl" --out "$out" --threads "$n" ${extra[@]+"${extra[@]}"} --stats 2>"$work/stats-$n.json" >/dev/null; } 2>&1 )
  read -r wall user sys <<<"$times"
  read -r peak start_up writer < <(python3 -c "
import json, sys
s = open(sys.argv[1]).read()
stats = json.loads(s[s.index('{'):])
print(stats['peak_memory_bytes'] >> 20, f\"{stats['start_up_seconds']:.2f}\", stats['writing_thread_cpu_seconds'])
" "$work/stats-$n.json")
  sums=$(cat "$out/facts.jsonl" "$out/documents.jsonl" | sha256sum | cut -c1-16)
  if [ -z "$reference" ]; then
    reference=$sums
    first=$wall
  elif [ "$sums" != "$reference" ]; then
    echo "output differs at $n threads ($sums, not $reference)" >&2
    exit 1
  fi
  speedup=$(python3 -c "print(f'{$first / $wall:.2f}')")
  case "$setting" in
    thp-off) label="$n (huge pages off)" ;;
    no-purge) label="$n (freed pages kept)" ;;
    batch-256) label="$n (--batch 256)" ;;
    *) label=$n ;;
  esac
  echo "| $label | $wall | $speedup | $user | $sys | $peak | $start_up | $writer |"
  rm -rf "$out"
done
echo "output byte for byte the same at every thread count (sha256 $reference…)"
