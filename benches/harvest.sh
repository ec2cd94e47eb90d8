#!/usr/bin/env bash
# Benchmarks the OpenActive harvester: `community-assets bench-harvest` (release build) serves a
# made-up publisher of SERIES session series with SESSIONS scheduled sessions each (two RPDE
# feeds, 500 items a page) and harvests it into an empty database: from empty, then an update
# pass of 1,000 changed and 500 deleted items, then the whole feed again with nothing changed.
#
#   benches/harvest.sh                    # 20,000 series x 4 sessions = 100,000 items
#   SERIES=2000 SESSIONS=4 benches/harvest.sh
#
# Prints a markdown table (items/s per phase, listings written) and the memory and database
# size. Publisher, harvester and database share the machine. Loads only 127.0.0.1; everything it
# starts is stopped and its temp dir deleted on exit. Record figures in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

series=${SERIES:-20000}
sessions=${SESSIONS:-4}

. benches/common.sh
for n in "$series" "$sessions"; do
  [[ $n =~ ^[0-9]+$ ]] || die "SERIES and SESSIONS must be whole numbers, not '$n'"
done
command -v python3 >/dev/null || die "python3 is needed"

cargo build --release --locked -q
bin=$root/target/release/community-assets

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-harvest-bench.XXXXXX")
chmod 755 "$work"
cluster_dir="$work/pg"
cluster_port=$(free_port)
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  "$bin" cluster stop --data-dir "$cluster_dir" --pg-port "$cluster_port" >>"$work/cluster.log" 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $series series x $sessions sessions = $((series * (1 + sessions))) items" >&2
url=$("$bin" cluster start --ephemeral --data-dir "$cluster_dir" --pg-port "$cluster_port" --database harvest 2>>"$work/cluster.log")
DATABASE_URL="$url" "$bin" migrate >&2
DATABASE_URL="$url" RUST_LOG=warn "$bin" bench-harvest --series "$series" --sessions-each "$sessions"
