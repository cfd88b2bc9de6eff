#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot the patched kernel with zswap on a virtio swap disk and run the
# workload (workload.c) under memory pressure.  Prints the console's
# zswap and zbud lines and the workload's report, then checks that the
# pool is the one asked for, zswap stored pages, no page came back
# corrupt, /init's sampler (make vm's plot) printed samples and the
# kernel reported no problem.  On the series' zswap
# with a pool that can write back (zbud, z3fold), the pool limit must
# have been hit, the samples must show the pool at 90% of its limit or
# more, and at least a tenth of the pages that reached the swap disk
# must have got there by writeback (6.1 rejects them instead).  On the
# series' zbud under the series' zswap, compaction must have freed pages.
# On the series' zbud, /init's teardown (a burst of stores into a pool
# whose limit is 0, a compressor switch, then swapoff) must have found
# the pool full and must leave exactly one zbud pool, empty.  Ends with
# the line
# "N passed, N failed".
#
# Knobs (environment or make variables), with defaults:
#   VM_MEM=256 (MiB)  VM_CPUS=2  VM_FILL_MIB=400  VM_SWAP_MIB=1024
#   VM_ZPOOL=zbud  VM_COMPRESSOR=lzo  VM_POOL_PERCENT=20  VM_SEED=1
#   VM_TIMEOUT=900 (seconds)  VM_FLAVOUR=zbud (or zbud-zswap61, zbud-6.1:
#   see build.sh)
#   VM_APPEND (more kernel command line, e.g. a module parameter)
#   VM_CHECK_WRITEBACK=1 or 0 (default 1 for flavour zbud with zpool
#   zbud or z3fold; set 1 to show that 6.1's zswap fails the check)
#   VM_SAMPLES=FILE: write the guest's once-a-second samples (pool
#   bytes, stored pages, pswpin) there, for compare.sh's plot; they are
#   left out of the report
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

: "${VM_FILL_MIB:=400}" "${VM_ZPOOL:=zbud}"
: "${VM_COMPRESSOR:=lzo}" "${VM_POOL_PERCENT:=20}" "${VM_SEED:=1}"
case "${VM_FLAVOUR:-zbud}:$VM_ZPOOL" in
zbud:zbud | zbud:z3fold) : "${VM_CHECK_WRITEBACK:=1}" ;;
*) : "${VM_CHECK_WRITEBACK:=0}" ;;
esac

new_run_dir vm
prepare_vm "${VM_FLAVOUR:-zbud}"
log=$run/console.log

append="kunit.enable=0 zswap.enabled=1 zswap.zpool=$VM_ZPOOL"
append+=" zswap.compressor=$VM_COMPRESSOR"
append+=" zswap.max_pool_percent=$VM_POOL_PERCENT zbudvm.mode=workload"
append+=" zbudvm.fill=$VM_FILL_MIB zbudvm.seed=$VM_SEED ${VM_APPEND:-}"
note "booting with $VM_ZPOOL, filling $VM_FILL_MIB MiB (console: $log)"
boot_workload "${VM_TIMEOUT:-900}" "$append"

echo "--- console: zswap and zbud"
grep -a -i -E 'zswap|zbud' "$log" |
	grep -v -e 'zbudvm:' -e 'Kernel command line' || true
echo "--- workload report"
grep -a 'zbudvm: ' "$log" | grep -a -v 'zbudvm: sample ' |
	sed 's/.*zbudvm: //' || true
echo "---"
samples=$run/samples
grep -a 'zbudvm: sample ' "$log" | sed 's/.*zbudvm: sample //' \
	>"$samples" || true
[ -z "${VM_SAMPLES:-}" ] || cp "$samples" "$VM_SAMPLES"
# The samples' count, whether their seconds increase, and the pool's
# peak in 4 KiB units (samples_dat's, for the plot).  How far apart they
# come is timing, which a loaded host stretches: not checked.
read -r nsamples steady peak < <(samples_dat "$samples" | awk '{
	if (NR > 1 && $1 <= t)
		gaps++
	t = $1
	if ($2 > peak)
		peak = $2
} END { printf "%d %d %d\n", NR, !gaps, peak }')
# zswap's limit, max_pool_percent of totalram (MemTotal), in the same
# units: the comparison holds whatever the guest's page size.
limit=$(($(value meminfo.MemTotal_kB) / 4 * VM_POOL_PERCENT / 100))

pool="zswap: loaded using pool $VM_COMPRESSOR/$VM_ZPOOL"
check "QEMU ran to the end in time" $qemu_ok
check "console says '$pool'" grep -q -a "$pool" "$log"
check "init finished with status 0 (workload, teardown)" \
	grep -q -a "zbudvm: init done status=0" "$log"
check "zswap stored pages and loaded some back (zswpin)" \
	[ "$(value zswap.stored_pages)" -gt 0 -a \
	"$(value vmstat.zswpin)" -gt 0 ]
check "no page corrupt, and some verified" \
	[ "$(value 'result .*corrupt')" -eq 0 -a \
	"$(value 'result .*verified')" -gt 0 ]
check "the sampler printed samples, seconds increasing ($nsamples)" \
	[ "$nsamples" -ge 5 -a "$steady" -eq 1 ]
if [ "$VM_CHECK_WRITEBACK" = 1 ]; then
	check "zswap's pool limit was hit" \
		[ "$(value zswap.pool_limit_hit)" -gt 0 ]
	check "written_back_pages is at least 10% of pswpout" \
		[ "$(value vmstat.pswpout)" -gt 0 -a \
		$(($(value zswap.written_back_pages) * 10)) -ge \
		"$(value vmstat.pswpout)" ]
	what="the samples show the pool at 90% of its limit or more"
	check "$what (peak $peak, limit $limit, in 4 KiB units)" \
		[ "$limit" -gt 0 -a $((peak * 10)) -ge $((limit * 9)) ]
fi
if [ "${VM_FLAVOUR:-zbud}:$VM_ZPOOL" = zbud:zbud ]; then
	check "zbud's compaction freed pages (pages_compacted > 0)" \
		[ "$(value "${ZBUD_STAT}pages_compacted")" -gt 0 ]
fi
case "${VM_FLAVOUR:-zbud}:$VM_ZPOOL" in
zbud-6.1:* | *:zsmalloc | *:z3fold) ;;
*)
	check "stores found the pool full before the teardown's switch" \
		[ "$(value 'burst .*limit_hits')" -ge 1 ]
	check "a compressor switch and swapoff leave one zbud pool, empty" \
		[ "$(value 'switch .*ok')" -eq 1 -a \
		"$(value 'swapoff .*pools')" -eq 1 -a \
		"$(value 'swapoff zbud_left')" -eq 0 -a \
		"$(value 'swapoff .*unread')" -eq 0 ]
	;;
esac
scan_log "$log"
failed=$((failed + problems))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
