#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run vm.sh's workload, same seed and same VM, once per allocator and
# print one table.  Rows:
#   zbud, zsmalloc, z3fold  the patched kernel with zswap.zpool=<row>
#   zbud-zswap61            the patched kernel without mm/zswap.patch
#                           (6.1's zswap), zswap.zpool=zbud; not a
#                           default row
#   zbud-6.1                pristine 6.1 (no overlay), zswap.zpool=zbud
# density = stored_pages / (pool_total_size / PAGE_SIZE); rejects is the
# sum of zswap's reject_* counters; compacted is the pages zbud's
# compaction freed (its debugfs pages_compacted, "-" where there is
# none); time_vs_zbud is the workload's own
# wall time (its "result ... seconds=") over the zbud row's; under TCG
# it moves by tens of percent when other jobs load the machine.
# Any row whose vm.sh fails (corrupt pages, kernel reports, ...) fails
# the whole run; the table is still printed.
#
# Knobs: VM_ALLOCATORS (default "zbud zsmalloc z3fold zbud-6.1") and
# every VM_* knob of vm.sh.  The table is also written to
# tools/testing/zbud/results/vm.txt, and a plot of each row's pool pages,
# stored pages and swap-ins over time to results/vm.svg.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

: "${VM_ALLOCATORS:=zbud zsmalloc z3fold zbud-6.1}"
[ -n "${VM_ALLOCATORS// /}" ] || die "VM_ALLOCATORS is empty"
PAGE_SIZE=4096
results=$ZBUD_DIR/results
mkdir -p "$results"

for a in $VM_ALLOCATORS; do
	case $a in
	zbud|zsmalloc|z3fold|zbud-zswap61|zbud-6.1) ;;
	*) die "unknown allocator '$a'" \
	       "(zbud zsmalloc z3fold zbud-zswap61 zbud-6.1)" ;;
	esac
done

# field FILE KEY: the value of KEY=VALUE in vm.sh's report, or empty.
field()
{
	grep -a -o "\(^\| \)$2=[0-9.]*" "$1" | tail -n 1 | sed 's/.*=//' || true
}

note "rows: $VM_ALLOCATORS.  On a fresh machine this takes about 25" \
     "minutes (packages, Debian's source, two kernel builds); with" \
     "everything built, about 2 minutes a row"
# One row: vm.sh's report is part of the result; its progress stays on
# stderr.
run_row()
{
	VM_FLAVOUR=$flavour VM_ZPOOL=$zpool VM_SAMPLES=$samples/$a \
		"$VM_DIR/vm.sh" | tee "$rep"
}

rows=()
plots=()
status=0
zbud_secs=
new_run_dir compare
samples=$run
for a in $VM_ALLOCATORS; do
	rep=$run/$a.report
	if [ "$a" = zbud-6.1 ] || [ "$a" = zbud-zswap61 ]; then
		flavour=$a zpool=zbud
	else
		flavour=zbud zpool=$a
	fi
	note "=== $a: vm.sh with flavour $flavour, zswap.zpool=$zpool"
	ok=pass
	run_stoppable run_row || ok=FAIL
	if [ -s "$samples/$a" ]; then
		samples_dat "$samples/$a" >"$samples/$a.dat"
		plots+=("$samples/$a.dat|$a")
	fi
	[ "$ok" = pass ] || status=1
	stored=$(field "$rep" zswap.stored_pages)
	total=$(field "$rep" zswap.pool_total_size)
	wb=$(field "$rep" zswap.written_back_pages)
	compacted=$(field "$rep" "${ZBUD_STAT}pages_compacted")
	rej=$(grep -a -o 'zswap\.reject_[a-z_]*=[0-9]*' "$rep" |
		awk -F= '{ s += $2 } END { print s + 0 }' || true)
	corrupt=$(field "$rep" corrupt)
	secs=$(field "$rep" seconds)
	density=$(awk -v s="${stored:-0}" -v t="${total:-0}" -v p=$PAGE_SIZE \
		'BEGIN { if (t > 0) printf "%.2f", s / (t / p); else print "-" }')
	[ "$a" = zbud ] && zbud_secs=$secs
	rows+=("$a|$density|${wb:--}|$rej|${compacted:--}|${corrupt:--}|${secs:-}|$ok")
done

{
	echo "allocator | density | written_back | rejects | compacted | corrupt | time_vs_zbud"
	for r in "${rows[@]}"; do
		IFS='|' read -r a d w rj cp c s ok <<<"$r"
		t=$(awk -v s="$s" -v z="$zbud_secs" 'BEGIN {
			if (s != "" && z != "" && z > 0) printf "%.2f", s / z
			else print "-" }')
		line="$a | $d | $w | $rj | $cp | $c | $t"
		[ "$ok" = pass ] || line+="   (vm.sh FAILED)"
		echo "$line"
	done
} | tee "$run/vm.table"
save_result vm.txt <"$run/vm.table"
plot_svg "$results/vm.svg" "make vm: zswap on each pool, same workload" \
	"2:pool pages;3:stored pages;4:swap-ins (pswpin)" "${plots[@]}"
[ "$status" -eq 0 ] || die "at least one row failed, see the output above"
