#!/usr/bin/env bash
# Benchmarks the change feed's catch-up: a release server over the demo directory (480 assets)
# whose audit log is given N asset changes (default 100,000, written by 100 transactions, each
# a real snapshot of an asset), then a client reads the whole feed from the start with
# GET /v1/changes?limit=L, as a team app mirroring the directory would, and reports changes per
# second. Everything runs on 127.0.0.1 on this machine; all it starts is stopped on exit.
#
#   benches/changes.sh                 # N = 100000, L = 1000 and 100
#   N=20000 LIMITS="500" benches/changes.sh
#
# Record figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=${N:-100000}
limits=${LIMITS:-"1000 100"}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }

. benches/common.sh
command -v curl >/dev/null || apt_install curl
if [ -x /usr/bin/psql ]; then psql=/usr/bin/psql; else apt_install postgresql-client; psql=/usr/bin/psql; fi
command -v python3 >/dev/null || die "python3 is needed"
cargo build --release --locked -q
bin=$root/target/release/community-assets

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-changes-bench.XXXXXX")
chmod 755 "$work"
server="" cluster_port=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$cluster_port" ]; then
    "$bin" cluster stop --data-dir "$work/pg" --pg-port "$cluster_port" >>"$work/cluster.log" 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $n changes over the demo directory"
cluster_port=$(free_port)
db=$("$bin" cluster start --ephemeral --data-dir "$work/pg" --pg-port "$cluster_port" --database changes \
  2>>"$work/cluster.log") || fail_with_log "$work/cluster.log" "the cluster did not start"
DATABASE_URL=$db "$bin" seed >"$work/seed.log" 2>&1 || fail_with_log "$work/seed.log" "seeding failed"
key=$(DATABASE_URL=$db "$bin" keys create --role admin --name bench 2>>"$work/keys.log")

per=$(( (n + 99) / 100 ))
started=$(python3 -c 'import time; print(time.time())')
for t in $(seq 1 100); do
  echo "INSERT INTO audit_events (actor_kind, action, entity_type, entity_id, organization_id, after)
        SELECT 'command_line', 'update', 'asset', a.id, a.organization_id, audit_snapshot('asset', a.id)
        FROM generate_series(1, $per) g
        JOIN LATERAL (SELECT id, organization_id FROM assets OFFSET (g % 480) LIMIT 1) a ON true;"
done | "$psql" "$db" -X -q -v ON_ERROR_STOP=1 >"$work/fill.log" 2>&1 || fail_with_log "$work/fill.log" "writing changes failed"
total=$("$psql" "$db" -X -At -c "SELECT count(*) FROM audit_events WHERE entity_type = 'asset'")
python3 -c "import time; print(f'wrote $total asset changes in {time.time() - $started:.1f} s')"

port=$(free_port)
DATABASE_URL=$db "$bin" serve --bind "127.0.0.1:$port" --demo-data false \
  --rate-limit-per-ip 0 --rate-limit-per-key 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  kill -0 "$server" 2>/dev/null || fail_with_log "$work/serve.log" "the server exited"
  curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break
  sleep 0.5
done

for limit in $limits; do
  BENCH_KEY=$key python3 - "$port" "$limit" "$total" <<'PY'
import http.client, json, os, sys, time
port, limit, total = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
headers = {"Authorization": "Bearer " + os.environ["BENCH_KEY"]}
cursor, seen, pages, ids = None, 0, 0, set()
start = time.perf_counter()
while True:
    path = f"/v1/changes?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"{path}: {response.status} {body[:300]!r}")
    page = json.loads(body)
    pages += 1
    for change in page["changes"]:
        ids.add(change["id"])
    seen += len(page["changes"])
    cursor = page["next_cursor"]
    if page["caught_up"]:
        break
elapsed = time.perf_counter() - start
ok = "all once" if seen == len(ids) and seen >= total else f"MISMATCH: {seen} read, {len(ids)} distinct, {total} written"
print(f"limit {limit:>5}: {seen} changes in {pages} pages, {elapsed:.1f} s: {seen / elapsed:,.0f} changes/s ({ok})")
PY
done
