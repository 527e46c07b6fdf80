#!/usr/bin/env bash
# Times the threshold master key end to end on a `phalanx dev` chain (docs/BENCHMARKS.md):
# promotion -> dev worker's cluster key, second worker start -> its cluster key, promotion of
# the second -> its reshared share, and five 2-of-2 rotations -> the second worker's new key.
# Usage: cargo build --release && bash scripts/bench-keys.sh   (uses ports 8545 and 30333)
set -euo pipefail
B=${PHALANX_BIN:-./target/release/phalanx}
T=$(mktemp -d)
export PHALANX_HOME=$T/home
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
ms() { date +%s%3N; }
# wait_for FILE PATTERN: up to 120 s for a log line matching PATTERN.
wait_for() {
  local deadline=$(( $(date +%s) + 120 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    if (( $(date +%s) > deadline )); then echo "no '$2' in $1 within 120 s" >&2; exit 1; fi
    sleep 0.05
  done
}

RUST_LOG=info "$B" dev --data-dir "$T/dev" > "$T/dev.log" 2>&1 &
wait_for "$T/dev.log" "recovered cluster key"
promoted=$(grep "dev worker promoted" "$T/dev.log" | head -1 | cut -d' ' -f1)
recovered=$(grep "recovered cluster key" "$T/dev.log" | head -1 | cut -d' ' -f1)
echo "promotion -> dev worker's cluster key: $promoted -> $recovered"

t0=$(ms)
RUST_LOG=info "$B" worker --tee sim --operator dev:bob --poll-ms 200 --data-dir "$T/w2" > "$T/w2.log" 2>&1 &
wait_for "$T/w2.log" "recovered cluster key"
echo "second worker start -> cluster key: $(( $(ms) - t0 )) ms"

id=$(grep -o 'worker="\?[0-9a-f]\{64\}' "$T/w2.log" | head -1 | grep -o '[0-9a-f]\{64\}')
t0=$(ms)
"$B" worker promote "$id" --from dev:alice > /dev/null
wait_for "$T/w2.log" "holding a share"
echo "promote call -> second gatekeeper holds its share: $(( $(ms) - t0 )) ms"

for g in 1 2 3 4 5; do
  t0=$(ms)
  "$B" worker master-key --rotate --from dev:alice > /dev/null
  wait_for "$T/w2.log" "recovered cluster key.*generation=$g"
  echo "rotation to generation $g (2-of-2) -> second worker's new cluster key: $(( $(ms) - t0 )) ms"
done
"$B" worker master-key
