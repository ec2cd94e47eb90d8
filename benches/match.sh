#!/usr/bin/env bash
# Benchmarks POST /v1/match on a synthetic directory (benches/synthetic.sql, 1,000,000 assets by
# default) through HTTP with wrk, and times the raw PostGIS candidate statement of the same
# requests in the same run (`community-assets bench-match`).
#
#   benches/match.sh                      # 1,000,000 assets
#   N=100000 DURATION=20 benches/match.sh
#   BENCH_DATABASE_URL=postgres://… benches/match.sh   # reuse a database already filled by synthetic.sql
#
# Requests: REQUESTS (default 500) bodies from benches/match_requests.py: postcode districts
# weighted by population, 1–3 interests weighted by how many assets carry them, mostly walking
# or public transport, budgets, times, ages and barriers. Each is run at 1 and at 8 concurrent
# clients (wrk: 1 thread × 1 connection, 2 threads × 8 connections). Load generator, server and
# database share the machine's cores. Plans of the first requests go to OUT_DIR. Record figures
# in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

n=${N:-1000000}
duration=${DURATION:-20}
requests=${REQUESTS:-500}
seed=${SEED:-0.42}
. benches/common.sh
for v in "$n" "$duration" "$requests"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "N, DURATION and REQUESTS must be positive integers"
done

bench_tools

cargo build --release --locked -q
bin=$root/target/release/community-assets

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-match-bench.XXXXXX")
chmod 755 "$work"
if [ -z "${OUT_DIR:-}" ]; then
  OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-match-out.XXXXXX")
fi
mkdir -p "$OUT_DIR"
server=""
cluster_dir=""
cluster_port=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$cluster_dir" ]; then
    "$bin" cluster stop --data-dir "$cluster_dir" --pg-port "$cluster_port" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  url=$BENCH_DATABASE_URL
  echo "database: $url (reused)"
else
  cluster_dir=$work/pg
  cluster_port=$(free_port)
  url=$("$bin" cluster start --ephemeral --data-dir "$cluster_dir" --pg-port "$cluster_port" \
          --database "bench_$n" 2>>"$work/cluster.log") \
    || fail_with_log "$work/cluster.log" "starting the cluster failed"
  DATABASE_URL=$url "$bin" migrate >"$work/migrate.log" 2>&1 || fail_with_log "$work/migrate.log" "migrate failed"
  start=$SECONDS
  "$psql" "$url" -X -q -v ON_ERROR_STOP=1 -v n="$n" -v seed="$seed" -f benches/synthetic.sql \
    >"$work/synthetic.log" 2>&1 || fail_with_log "$work/synthetic.log" "synthetic.sql failed"
  echo "synthetic.sql: $n assets in $((SECONDS - start)) s"
fi
assets=$("$psql" "$url" -XAt -c "SELECT count(*) FROM assets WHERE status = 'published'")
echo "published assets: $assets; database $("$psql" "$url" -XAt -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"

"$psql" "$url" -XAt -F, -c "SELECT t.slug, count(*) FROM asset_interests ai JOIN interest_terms t ON t.id = ai.term_id \
  JOIN assets a ON a.id = ai.asset_id WHERE a.status = 'published' GROUP BY t.slug ORDER BY 2 DESC, 1" >"$work/interests.csv"
python3 benches/match_requests.py --interests "$work/interests.csv" --n "$requests" >"$OUT_DIR/requests.jsonl"
echo "requests: $requests bodies in $OUT_DIR/requests.jsonl"

port=$(free_port)
DATABASE_URL=$url "$bin" serve --bind "127.0.0.1:$port" --demo-data false \
  --rate-limit-per-ip 0 --rate-limit-per-key 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  kill -0 "$server" 2>/dev/null || fail_with_log "$work/serve.log" "the server exited"
  curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break
  sleep 0.5
done
endpoint="http://127.0.0.1:$port"

# Every request answers 200, and most find something.
python3 - "$OUT_DIR/requests.jsonl" "$endpoint/v1/match" <<'PY' || die "checking the requests failed"
import json, sys, urllib.request
found = total = 0
for line in open(sys.argv[1]):
    req = urllib.request.Request(sys.argv[2], data=line.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        body = json.load(r)
    total += 1
    found += bool(body["results"])
print(f"checked: {total} requests answered 200; {found} found at least one result"
      )
PY

for line in 1 2 3; do
  DATABASE_URL=$url "$bin" bench-match --requests "$OUT_DIR/requests.jsonl" --explain "$line" \
    >"$OUT_DIR/plan-$line.txt" 2>>"$work/explain.log" || fail_with_log "$work/explain.log" "bench-match --explain failed"
done

rows=()
for clients in 1 8; do
  threads=$(( clients < 2 ? 1 : 2 ))
  out=$(wrk -t"$threads" -c"$clients" -d"${duration}s" --latency -s benches/match.lua "$endpoint" -- "$OUT_DIR/requests.jsonl") \
    || die "wrk failed"
  echo "$out" >"$OUT_DIR/wrk-$clients.txt"
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  raw=$(DATABASE_URL=$url "$bin" bench-match --requests "$OUT_DIR/requests.jsonl" --clients "$clients" --seconds "$duration" 2>"$work/raw.log") \
    || fail_with_log "$work/raw.log" "bench-match failed"
  read -r raw_rps raw_p50 raw_p99 raw_rows < <(sed -nE \
    's/^raw: +([0-9.]+) +req\/s +p50 +([0-9.]+) +ms +p99 +([0-9.]+) +ms +rows +([0-9]+).*/\1 \2 \3 \4/p' <<<"$raw")
  row="| $assets | $clients | $rps | $p50 | $p99 | ${non2xx:-0} | $raw_rps | $raw_p50 | $raw_p99 | $raw_rows |"
  rows+=("$row")
  echo "$row"
done

echo
echo "| assets | clients | HTTP req/s | HTTP p50 ms | HTTP p99 ms | non-2xx | raw candidates req/s | raw p50 ms | raw p99 ms | candidates per request |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo "plans, requests and wrk output: $OUT_DIR"
