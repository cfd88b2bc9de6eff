#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# In-kernel trace replay: boot the patched kernel, whose test build
# carries replay/zbud_replay.c, with the traces in its initramfs, and
# have /init replay each trace into zbud, z3fold and zsmalloc in turn
# (same trace, same boot; the replay rules are zbud_bench's).  Prints one
# table, also written to tools/testing/zbud/results/replay.txt:
#   trace | allocator | stored | pages | density | alloc_ns | free_ns |
#   corrupt
# density is stored objects per page; the ns columns are the mean time of
# one zpool_malloc() and one zpool_free() under QEMU TCG, good for ratios
# within this table only.
#
# Then checks that every trace has a row for each type, and that each row
# stored objects and found none corrupt when it freed them (the replay
# writes a pattern into each object and checks it), and ends with the
# line "N passed, N failed".
#
# Knobs: TRACES (default ../shared/traces/*.txt beside the repository),
# REPLAY_MEM (MiB, default 1024), REPLAY_TIMEOUT (seconds, default 900).
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

[ -n "${TRACES:-}" ] || TRACES=$(ls "$SHARED_TRACES"/*.txt 2>/dev/null) ||
	die "no traces in $SHARED_TRACES; set TRACES"
new_run_dir replay
# shellcheck disable=SC2086 # TRACES is a list of paths
prepare_vm zbud $TRACES
log=$run/console.log
note "booting the replay kernel (console: $log)"
VM_MEM=${REPLAY_MEM:-1024} run_stoppable "$VM_DIR/run-qemu.sh" \
	"$out/bzImage" "$initrd" "$log" "${REPLAY_TIMEOUT:-900}" \
	"kunit.enable=0 zbudvm.mode=replay" ||
	die "the replay VM failed (console: $log)"
grep -q -a 'zbudvm: init done status=0' "$log" || {
	grep -a 'zbudvm: ' "$log" >&2
	die "the replay did not finish cleanly (console: $log)"
}
scan_log "$log"
[ "$problems" -eq 0 ] || die "the kernel reported problems (console: $log)"

{
	echo "trace | allocator | stored | pages | density | alloc_ns | free_ns |" \
		"corrupt"
	replay_rows "$log"
} | tee "$run/replay.txt"
save_result replay.txt <"$run/replay.txt"

types="zbud z3fold zsmalloc"
for t in $TRACES; do
	name=${t##*/}
	name=${name%.txt}
	rows=$(grep -c "^$name | " "$run/replay.txt" || true)
	check "$name: one row per type ($types)" [ "$rows" -eq 3 ]
	bad=$(awk -F' [|] ' -v n="$name" '$1 == n && !($3 > 0 && $8 == 0)' \
		"$run/replay.txt" | wc -l)
	check "$name: every type stored objects, none came back corrupt" \
		[ "$rows" -gt 0 -a "$bad" -eq 0 ]
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
