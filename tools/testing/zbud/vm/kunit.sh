#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the patched kernel with the zbud KUnit suite built in, boot it,
# and parse the console with the tree's kunit.py.  Ends with the line
# "N passed, N failed"; a crash, WARN, timeout or missing suite counts as
# a failure.  KUNIT_TIMEOUT (seconds, default 600) bounds the boot.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"

SUITE=zbud

new_run_dir kunit
prepare_vm zbud
log=$run/console.log
note "booting the KUnit kernel (console: $log)"
failed=0
"$VM_DIR/run-qemu.sh" "$out/bzImage" "$initrd" "$log" \
	"${KUNIT_TIMEOUT:-600}" "zbudvm.mode=kunit" || failed=1

python3 "$tree/tools/testing/kunit/kunit.py" parse \
	--json="$run/kunit.json" "$log" || true

# Prints: passed failed skipped has-suite
read -r passed fails skipped has_suite < <(python3 - "$run/kunit.json" \
	"$SUITE" <<'PY'
import json, sys

counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
suites = set()

def walk(group):
    for case in group.get("test_cases", []):
        status = case["status"]
        counts[status if status in counts else "FAIL"] += 1
    for sub in group.get("sub_groups", []):
        suites.add(sub["name"])
        walk(sub)

try:
    walk(json.load(open(sys.argv[1])))
except (OSError, ValueError):
    pass
print(counts["PASS"], counts["FAIL"], counts["SKIP"],
      int(sys.argv[2] in suites))
PY
)
failed=$((failed + fails))
if [ "$has_suite" != 1 ]; then
	echo "FAIL: KUnit suite '$SUITE' did not run"
	failed=$((failed + 1))
fi
scan_log "$log"
failed=$((failed + problems))
[ "$skipped" -eq 0 ] || echo "note: $skipped KUnit cases skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
