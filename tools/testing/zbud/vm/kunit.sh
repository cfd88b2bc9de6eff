#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the patched kernel with the zbud KUnit suite built in, boot it,
# and parse the console with the tree's kunit.py.  Ends with the line
# "N passed, N failed"; a crash, WARN, timeout or missing suite counts as
# a failure.  KUNIT_TIMEOUT (seconds, default 600) bounds the boot.  The
# totals are saved in tools/testing/zbud/results/kunit.txt for the cover
# letter.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

new_run_dir kunit
prepare_vm zbud
log=$run/console.log
note "booting the KUnit kernel (console: $log)"
qemu_ok=true
run_stoppable "$VM_DIR/run-qemu.sh" "$out/bzImage" "$initrd" "$log" \
	"${KUNIT_TIMEOUT:-600}" "zbudvm.mode=kunit" || qemu_ok=false
kunit_results zbud
$qemu_ok || check "QEMU ran to the end in time" false
scan_console
echo "$passed passed, $failed failed"
{
	sed -n 's/^\[[0-9:]*\] //; /^Testing complete/p' "$run/kunit.txt"
	echo "$passed passed, $failed failed"
} | save_result kunit.txt
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
