#!/usr/bin/env bash
# Benchmarks ORUK import throughput: one release server publishes a synthetic directory of N
# services (benches/synthetic.sql) as an ORUK 3.0 feed, and `community-assets import oruk` reads
# it into an empty database on the same cluster, then reads it again (every record unchanged).
#
#   benches/import.sh              # N = 10000
#   benches/import.sh 2000 10000   # chosen sizes
#   PER_PAGE=100 SEED=0.42 benches/import.sh
#
# Prints records per second for the first import (all created) and the re-import (all
# unchanged), with the run's counts. Publisher, importer and database share the machine.
# Loads only 127.0.0.1; everything it starts is stopped and its temp dir deleted on exit.
# Record figures in docs/oruk.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

per_page=${PER_PAGE:-100}
seed=${SEED:-0.42}
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10000); fi

. benches/common.sh
for n in "${sizes[@]}" "$per_page"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "sizes and PER_PAGE must be positive integers, not '$n'"
done
command -v curl >/dev/null || apt_install curl
if [ -x /usr/bin/psql ]; then psql=/usr/bin/psql; else apt_install postgresql-client; psql=/usr/bin/psql; fi
command -v python3 >/dev/null || die "python3 is needed"

cargo build --release --locked -q
bin=$root/target/release/community-assets

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-import-bench.XXXXXX")
chmod 755 "$work"
server=""
cluster_dir=""
cluster_port=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$cluster_dir" ]; then
    "$bin" cluster stop --data-dir "$cluster_dir" --pg-port "$cluster_port" >>"$work/cluster.log" 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; per_page $per_page"
cluster_dir="$work/pg"
cluster_port=$(free_port)
start_db() {
  "$bin" cluster start --ephemeral --data-dir "$cluster_dir" --pg-port "$cluster_port" --database "$1" \
    2>>"$work/cluster.log"
}

rows=()
for n in "${sizes[@]}"; do
  echo
  echo "== $n services"
  publisher=$(start_db "publisher_$n") || fail_with_log "$work/cluster.log" "starting the cluster failed"
  importer=$(start_db "importer_$n") || fail_with_log "$work/cluster.log" "starting the cluster failed"
  for url in "$publisher" "$importer"; do
    DATABASE_URL=$url "$bin" migrate >>"$work/migrate.log" 2>&1 || fail_with_log "$work/migrate.log" "migrate failed"
  done
  "$psql" "$publisher" -X -q -v ON_ERROR_STOP=1 -v n="$n" -v seed="$seed" -f benches/synthetic.sql \
    >"$work/synthetic.log" 2>&1 || fail_with_log "$work/synthetic.log" "synthetic.sql failed"

  port=$(free_port)
  DATABASE_URL=$publisher "$bin" serve --bind "127.0.0.1:$port" --demo-data false \
    --rate-limit-per-ip 0 --rate-limit-per-key 0 >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do
    kill -0 "$server" 2>/dev/null || fail_with_log "$work/serve.log" "the server exited"
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break
    sleep 0.5
  done
  feed="http://127.0.0.1:$port/oruk"
  for run in first again; do
    t0=$(date +%s.%N)
    DATABASE_URL=$importer "$bin" import oruk "$feed" --page-delay-ms 0 --per-page "$per_page" \
      >"$work/import-$run.json" 2>"$work/import-$run.log" || fail_with_log "$work/import-$run.log" "the import failed"
    t1=$(date +%s.%N)
    read -r seen created unchanged failed < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["counts"]
print(c["seen"], c["created"], c["unchanged"], c["failed"])' "$work/import-$run.json")
    secs=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
    rate=$(python3 -c "print(f'{$seen / ($t1 - $t0):.0f}')")
    echo "$run: $seen records in $secs s = $rate records/s (created $created, unchanged $unchanged, failed $failed)"
    rows+=("| $n | $run | $seen | $created | $unchanged | $failed | $secs | $rate |")
  done
  kill -INT "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
done

echo
echo "| services | run | records | created | unchanged | failed | seconds | records/s |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
