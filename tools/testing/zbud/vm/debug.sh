#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The reliability run: boot the debug kernel (KASAN, lockdep, DEBUG_VM,
# DEBUG_LIST, DEBUG_PAGEALLOC, kmemleak, fail_page_alloc; see
# kernel/configs/debug.config) once.  The zbud KUnit suite runs at boot;
# then /init runs a shortened workload on zswap with zbud while
#  - fail_page_alloc fails DEBUG_INJECT percent of the workload's
#    non-sleeping page allocations, zswap's stores among them;
#  - a child writes /proc/sys/vm/compact_memory and each zbud pool's
#    debugfs file compact, reads /proc/kpageflags and /proc/kpagecount
#    across every pfn, and turns a second swap disk (/dev/vdc; while it
#    is on, swap slots come from it and /dev/vda in turn) off and on,
#    again and again, while zbud holds pages;
# then switches zswap's compressor (a new zbud pool) while every page
# allocation above order 0 fails, turns swap off, replays DEBUG_TRACE
# into zbud pools (replay/, zbud
# alone: 6.1's z3fold leaks the slots of its handles, so destroying a
# replayed pool warns, a WARN this run would take for zbud's; README,
# "Not done yet"), and has kmemleak scan.
#
# Passes when KUnit is all ok, no page is corrupt, the injection, the
# walks, the compaction and swapoffs of the second disk while it held
# pages really happened, no kpagecount entry reads as a
# huge mapcount, zswap's old pool is destroyed and the new one is empty
# once swap is off, the replay's pools
# took their debugfs directories with them, kmemleak found nothing and
# the console has no report at all (vmlib.sh's LOG_PROBLEMS).  Before
# booting it checks that the log scan catches each kind of report.
# Ends with the line "N passed, N failed".
#
# Knobs, with defaults: DEBUG_FILL_MIB=96  DEBUG_INJECT=10 (percent)
#   DEBUG_TRACE=../shared/traces/py-heap.lzo.txt beside the repository
#   DEBUG_TIMEOUT=1500 (seconds)  VM_MEM=256  VM_POOL_PERCENT=10
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

: "${DEBUG_FILL_MIB:=96}" "${DEBUG_INJECT:=10}" "${VM_POOL_PERCENT:=10}"
: "${DEBUG_TRACE:=$DEFAULT_DEBUG_TRACE}"

# One console line of each kind of report the run must fail on.
SCAN_SAMPLES=(
	'BUG: KASAN: use-after-free in zbud_free+0x4c/0x1d0'
	'WARNING: possible circular locking dependency detected'
	'WARNING: possible recursive locking detected'
	'INFO: trying to register non-static key.'
	'kernel BUG at mm/zbud.c:412!'
	'WARNING: CPU: 1 PID: 57 at mm/zbud.c:380 zbud_free+0x91/0x1d0'
	'BUG: Bad page state in process workload  pfn:0a1b2'
	'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
	'list_add corruption. prev->next should be next (ffff888003a1c0b8)'
)

# A console warning whose call trace passes through function $1.
warning_block()
{
	printf '[    5.1] %s\n' '------------[ cut here ]------------' \
		'WARNING: CPU: 1 PID: 45 at mm/zbud.c:371 zbud_free+0x91/0x1d0' \
		'Call Trace:' " $1+0x1a0/0x300" \
		'---[ end trace 0000000000000000 ]---'
}

# scan_log must catch every sample, and pass a clean line.
scan_selftest()
{
	local sample f

	f=$(mktemp)
	for sample in "${SCAN_SAMPLES[@]}"; do
		printf '[   12.345678] %s\n' "$sample" >"$f"
		scan_log "$f" >/dev/null
		check "the log scan catches '$sample'" [ "$problems" -gt 0 ]
	done
	printf '[    1.234567] zswap: loaded using pool lzo/zbud\n' >"$f"
	scan_log "$f" >/dev/null
	check "the log scan passes a clean line" [ "$problems" -eq 0 ]
	warning_block zbud_bad_free_is_caught >"$f"
	warning_block zswap_frontswap_load >>"$f"
	check "only the KUnit case's own warning is left out of the scan" \
		[ "$(drop_expected_warnings "$f" "$f.out")" -eq 1 -a \
		"$(grep -c zswap_frontswap_load "$f.out")" -eq 1 ]
	rm -f "$f.out"
	rm -f "$f"
}

scan_selftest
[ -f "$DEBUG_TRACE" ] || die "no trace $DEBUG_TRACE; set DEBUG_TRACE"

new_run_dir debug
prepare_vm zbud-debug "$DEBUG_TRACE"
log=$run/console.log

append="zswap.enabled=1 zswap.zpool=zbud zswap.compressor=lzo"
append+=" zswap.max_pool_percent=$VM_POOL_PERCENT zbudvm.mode=debug"
append+=" zbudvm.fill=$DEBUG_FILL_MIB zbudvm.seed=1"
append+=" zbudvm.inject=$DEBUG_INJECT $STRESS_APPEND"
append+=" zbud_replay.only=zbud"
note "booting the debug kernel (console: $log)"
boot_workload "${DEBUG_TIMEOUT:-1500}" "$append" "$STRESS_SWAP2_MIB"

report_run "workload, injection, walks, swapoff, replay and kmemleak"
echo "---"

check "QEMU ran to the end in time" $qemu_ok
check "init finished with status 0" \
	grep -q -a 'zbudvm: init done status=0' "$log"
check "no page corrupt, and some verified" \
	[ "$(value 'result .*corrupt')" -eq 0 -a \
	"$(value 'result .*verified')" -gt 0 ]
# Loads drop their entries (patch 10), so count stores, not what is left.
check "zswap stored pages in zbud" [ "$(value vmstat.zswpout)" -gt 0 ]
check "page allocation failures were injected" \
	[ "$(value 'inject workload failures')" -gt 0 ]
check "zswap saw zpool allocation failures" \
	[ "$(value zswap.reject_alloc_fail)" -gt 0 ]
check "compact_memory was written" \
	[ "$(value 'stress .*compactions')" -gt 0 ]
check_stress
check "zbud's compaction freed pages" \
	[ "$(value "${ZBUD_STAT}pages_compacted")" -gt 0 ]
check "each walk covered all of RAM" \
	[ $(($(value 'stress .*pfns') * 4)) -ge "$(value meminfo.MemTotal_kB)" \
	-a "$(value meminfo.MemTotal_kB)" -gt 0 ]
check "no kpagecount entry reads as a huge mapcount" \
	[ "$(value 'stress .*odd_counts')" -eq 0 ]
check "once swap is off, one zbud pool is left (the new one), empty" \
	[ "$(value 'swapoff zbud_left')" -eq 0 -a \
	"$(value 'swapoff .*pools')" -eq 1 -a "$(value 'swapoff .*unread')" -eq 0 ]
check "zswap made a new zbud pool with no page above order 0 to be had" \
	[ "$(value 'poolswitch .*ok')" -eq 1 ]
# Each trace's zbud row (replay_rows): objects stored, none corrupt.
replay_zbud=$(replay_rows "$log" | awk -F' [|] ' '$2 == "zbud"')
replay_bad=$(awk -F' [|] ' '!($3 > 0 && $8 == 0)' <<<"$replay_zbud" |
	     grep -c . || true)
check "the replay stored into zbud and found nothing corrupt" \
	[ -n "$replay_zbud" -a "$replay_bad" -eq 0 ]
check "the replay's pools left no debugfs behind" \
	[ "$(value 'replay pools_left')" -eq 0 ]
check "kmemleak scanned and found nothing" \
	[ "$(value 'kmemleak leaks')" -eq 0 ]
scan_console
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
