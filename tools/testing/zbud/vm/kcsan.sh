#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The data-race run: boot the KCSAN kernel (strict mode; see
# kernel/configs/kcsan.config) once.  The zbud KUnit suite runs at boot,
# its race cases included; then /init runs vm.sh's workload on zswap with
# zbud, which writes back and compacts, while a child writes
# compact_memory and zbud's debugfs compact, walks /proc/kpage* and turns
# a second swap disk off and on (the workload's stress=1 and swap2=), and
# last the teardown (a burst of stores into a
# pool whose limit is 0, a compressor switch, then swapoff).
#
# Passes when KCSAN ran (its selftest passed), KUnit is all ok, no page
# is corrupt, writeback, compaction, the walks and swapoffs of the second
# disk while it held pages happened, and KCSAN
# reported no race made by zbud or zswap code, other than the known
# races of 6.1's zswap in KCSAN_KNOWN.  Races elsewhere in the kernel
# (6.1 has some in strict mode) are listed, not counted; any other kernel
# report fails as in vm.sh.  Before booting it checks that the sorting of
# reports tells each kind apart.  Ends with the line "N passed, N
# failed".  Not part of make check: the kernel is one more cold build,
# and the guest runs about 7 minutes on an idle machine, three times as
# long beside another guest.
#
# Knobs, with defaults: KCSAN_FILL_MIB=400  KCSAN_TIMEOUT=2400 (seconds)
#   VM_MEM=256  VM_POOL_PERCENT=20
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

: "${KCSAN_FILL_MIB:=400}" "${VM_POOL_PERCENT:=20}"

# Data that 6.1's zswap reads or writes without a lock, by the name
# System.map gives it; KCSAN's reports of races on them are known and
# left out of the verdict.
#   zswap_pool_total_size: zswap_update_total_size() stores it after a
#   store, with no lock held, and when an entry is freed, under that swap
#   device's tree lock; stores read it with no lock to decide whether the
#   pool is full, as /proc/meminfo does.  A stale value delays one
#   decision until the next store or free brings it up to date.
#   zswap_pool_limit_hit: a debugfs counter that every store finding the
#   pool full increments with a plain ++ and no lock, so two stores at
#   once may lose one count (in session 27's second and third runs).
KCSAN_KNOWN="zswap_pool_total_size zswap_pool_limit_hit"

# sort_races LOG MAP: one line per KCSAN report in console log LOG,
# "known SYMBOL TITLE", "series TITLE" or "other TITLE".  A report is the
# series' when one of the two top frames of an access's stack is zbud,
# zswap or frontswap code or the KUnit suite's: the top frame may be a
# helper such as find_next_bit(), while zbud further down, as a caller
# of the code that raced, does not make the race zbud's.  MAP is the
# kernel's System.map, which names the racing data where it is a
# variable.  Userspace lines on the console can break into a report, so
# a report also ends where the next one starts or the log ends.
sort_races()
{
	awk -v known=" $KCSAN_KNOWN " \
	    -v mine='[ /](zbud|zswap|zt|_*frontswap)_|shrink_worker' '
		function verdict(s) {
			inside = 0
			s = sym[addr]
			if (s != "" && index(known, " " s " "))
				print "known", s, title
			else
				print series ? "series" : "other", title
		}
		FNR == NR { sym[$1] = $3; next }
		/BUG: KCSAN: / {
			if (inside)
				verdict()
			inside = 1
			series = 0
			frame = 99
			addr = ""
			title = $0
			sub(/.*BUG: KCSAN: /, "", title)
			next
		}
		!inside { next }
		/==========/ { verdict(); next }
		match($0, / to 0x[0-9a-f]+ of /) {
			if (addr == "")
				addr = substr($0, RSTART + 6, RLENGTH - 10)
			frame = 0
			next
		}
		/^(\[[ 0-9.]*\])? +[A-Za-z_][A-Za-z0-9_.]*\+0x/ {
			if (++frame <= 2 && $0 ~ mine)
				series = 1
		}
		END { if (inside) verdict() }' "$2" "$1"
}

# drop_races LOG OUT: copy LOG to OUT without KCSAN's reports, which
# sort_races has judged, so that scan_log sees the rest.
drop_races()
{
	awk '/BUG: KCSAN: / { inside = 1 }
	     !inside { print }
	     inside && /==========/ { inside = 0 }' "$1" >"$2"
}

# race_sample FUNCTION ADDRESS [CALLER...]: a made-up report of a race
# between FUNCTION and itself on ADDRESS (16 hex digits), FUNCTION called
# from the CALLERs, innermost first.
race_sample()
{
	local fn=$1 addr=$2 caller

	shift 2
	printf '[  70.5] %s\n' "BUG: KCSAN: data-race in $fn / $fn" '' \
		"read to 0x$addr of 8 bytes by task 26 on cpu 1:" \
		" $fn+0x168/0xfe0"
	for caller in "${@:-kthread}"; do
		printf '[  70.5]  %s+0x154/0x180\n' "$caller"
	done
	printf '[  70.5] %s\n' '' \
		'==================================================================' \
		'zswap: done'
}

# The sorting must tell a zbud race, a known zswap race and a race
# elsewhere apart, and leave the lines around them to scan_log.
sort_selftest()
{
	local f

	f=$(mktemp)
	printf '%s\n' 'ffffffff81f63448 B zswap_pool_total_size' \
		'ffffffff81f63450 B zswap_pool_reached_full' >"$f.map"
	race_sample zbud_free ffff88800f720f10 >"$f"
	check "a race in zbud code counts" \
		[ "$(sort_races "$f" "$f.map" | cut -d' ' -f1)" = series ]
	race_sample zswap_frontswap_store ffffffff81f63450 >"$f"
	check "a race in zswap code on other data counts" \
		[ "$(sort_races "$f" "$f.map" | cut -d' ' -f1)" = series ]
	race_sample zswap_frontswap_store ffffffff81f63448 >"$f"
	check "a race on zswap_pool_total_size is known" \
		[ "$(sort_races "$f" "$f.map" | cut -d' ' -f1-2)" = \
		"known zswap_pool_total_size" ]
	race_sample _find_next_bit ffff88800f720f10 zbud_alloc >"$f"
	check "a race in a helper that zbud called counts" \
		[ "$(sort_races "$f" "$f.map" | cut -d' ' -f1)" = series ]
	race_sample mem_cgroup_flush_stats ffffffff81c06980 workingset_refault \
		__read_swap_cache_async zbud_reclaim_page >"$f"
	check "a race elsewhere, under zbud's stack, is listed apart" \
		[ "$(sort_races "$f" "$f.map" | cut -d' ' -f1)" = other ]
	race_sample zbud_free ffff88800f720f10 | grep -v ===== >"$f"
	race_sample count_shadow_nodes ffff88800f720f10 >>"$f"
	check "a report cut short by the next one still counts" \
		[ "$(sort_races "$f" "$f.map" | cut -d' ' -f1 | tr '\n' ' ')" \
		= "series other " ]
	drop_races "$f" "$f.out"
	check "dropping the report keeps the lines around it" \
		[ "$(grep -c -e KCSAN -e 'zswap: done' "$f.out")" -eq 1 ]
	rm -f "$f" "$f.map" "$f.out"
}

sort_selftest

new_run_dir kcsan
prepare_vm zbud-kcsan
log=$run/console.log

append="zswap.enabled=1 zswap.zpool=zbud zswap.compressor=lzo"
append+=" zswap.max_pool_percent=$VM_POOL_PERCENT zbudvm.mode=workload"
append+=" zbudvm.fill=$KCSAN_FILL_MIB zbudvm.seed=1 $STRESS_APPEND"
note "booting the KCSAN kernel, filling $KCSAN_FILL_MIB MiB" \
     "(console: $log)"
boot_workload "${KCSAN_TIMEOUT:-2400}" "$append" "$STRESS_SWAP2_MIB"

report_run "workload, walks and teardown"
echo "--- KCSAN"
sort_races "$log" "$out/System.map" >"$run/races"
sort "$run/races" | uniq -c
echo "---"

check "QEMU ran to the end in time" $qemu_ok
check "the kernel has KCSAN in strict mode" \
	grep -qx 'CONFIG_KCSAN_STRICT=y' "$out/config"
check "KCSAN's selftest passed" \
	grep -q -a 'kcsan: selftest: \([0-9]*\)/\1 tests passed' "$log"
check "init finished with status 0 (workload, teardown)" \
	grep -q -a 'zbudvm: init done status=0' "$log"
check "no page corrupt, and some verified" \
	[ "$(value 'result .*corrupt')" -eq 0 -a \
	"$(value 'result .*verified')" -gt 0 ]
check "zswap wrote back pages" \
	[ "$(value zswap.written_back_pages)" -gt 0 ]
check "zbud's compaction freed pages" \
	[ "$(value "${ZBUD_STAT}pages_compacted")" -gt 0 ]
check_stress
check "KCSAN reported no race in zbud or zswap code" \
	[ "$(grep -c '^series ' "$run/races")" -eq 0 ]
drop_races "$log" "$run/console.races-dropped"
log=$run/console.races-dropped
scan_console
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
