#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make pressure: real programs under memory pressure, zswap in front of a
# throttled swap disk, once per row and run, in QEMU (TCG).  See README.
#
# Each boot (a "row-run", about 3 minutes) runs, in the guest
# (guest.c): a probe that times a fault from zswap against one from the
# swap disk, then each job in a cgroup v2 whose memory.max makes it swap:
#   compile  make -jN of PRESSURE_OBJS objects of the configured 6.1 tree
#            with this host's gcc, from a read-only disk (mkimage.sh);
#            every object must match the host's reference build;
#   slide    vm/workload.c mode=slide: a hot window moving over a region
#            larger than memory.max; every page must check.
# Runs are interleaved (each row's run 1, then each row's run 2, ...).
# Prints one table per job, median and range over the runs, and, if no
# run failed, writes it with a plot per job to
# tools/testing/zbud/results/pressure.txt and results/pressure-JOB.svg
# (each run's plots are also in its run directory).
#
# Knobs, with defaults:
#   PRESSURE_ROWS="zbud zbud-zswap61 zbud-6.1 zsmalloc z3fold"
#       zbud, zbud-6.1      flavour zbud / zbud-6.1, zswap.zpool=zbud
#       zbud-shared         flavour zbud, zswap.exclusive_loads=N (the
#                           series without patch 10's behaviour)
#       zbud-nocluster      flavour zbud, zswap.writeback_cluster=1 (the
#                           series without patch 15's behaviour)
#       zbud-clusterN       flavour zbud, zswap.writeback_cluster=N
#                           (2 to 64; the default is 8)
#       zbud-acceptN        flavour zbud,
#                           zswap.accept_threshold_percent=N (50 to
#                           100; the default is 98): the writeback
#                           stops once the pool is under N% of its limit
#       zbud-zswap61        flavour zbud-zswap61 ("zbud, 6.1 zswap")
#       zsmalloc, z3fold    flavour zbud, zswap.zpool=<row>
#     A row whose flavour kernel/build.sh does not know is skipped, with
#     a message.
#   PRESSURE_RUNS=3  PRESSURE_JOBS="compile slide"
#   PRESSURE_OBJS=6 (mkimage.sh)  PRESSURE_MAKE_J=3  PRESSURE_CC_MIB=80
#   PRESSURE_SLIDE_MIB=32  PRESSURE_REGION_MIB=96
#   PRESSURE_WINDOW_MIB=40  PRESSURE_STEPS=4
#   PRESSURE_SLIDE_START=0: MiB into the region where the first window
#     starts; 0 is where the fill began, whose pages were swapped out
#     first
#     (TCG on 2 busy cores: 12 objects at -j4 in 96 MiB took over 13
#     minutes, 200 MiB of slide pages 5; the issue's 200 of 500 MiB
#     would take an hour a run)
#   PRESSURE_POOL_PERCENT=5 (zswap.max_pool_percent)
#   PRESSURE_IOPS=auto: the swap disk's throttle, requests a second
#     (QEMU's throttling.iops-total), or "auto": a first boot times a
#     zswap load (the probe alone, PRESSURE_PROBE_REPS rounds, disk
#     unthrottled; the median) and the throttle is set to
#     1 / (PRESSURE_RATIO * that time), PRESSURE_RATIO=30 being a
#     real machine's SSD read against an lzo zswap load
#   PRESSURE_RATIO=30
#   PRESSURE_MEM=256 (MiB)  PRESSURE_CPUS=2  PRESSURE_SWAP_MIB=1024
#   PRESSURE_TIMEOUT=1800 (s, per boot)  PRESSURE_PROBE_MIB=8
#   PRESSURE_PROBE_REPS=5: rounds of the probe in every boot, the
#     calibration's included; each kind's time is the median of the
#     rounds' means, since a boot's first round runs cold
#   PRESSURE_SCHED: the swap disk's I/O scheduler in the guest (none,
#     mq-deadline, kyber); empty, the default, keeps the kernel's choice
set -euo pipefail
. "$(dirname "$0")/../vm/vmlib.sh"
no_args "$@"

PRESSURE_DIR=$ZBUD_DIR/pressure
: "${PRESSURE_ROWS:=zbud zbud-zswap61 zbud-6.1 zsmalloc z3fold}"
: "${PRESSURE_RUNS:=3}" "${PRESSURE_JOBS:=compile slide}"
: "${PRESSURE_OBJS:=6}" "${PRESSURE_MAKE_J:=3}" "${PRESSURE_CC_MIB:=80}"
: "${PRESSURE_SLIDE_MIB:=32}" "${PRESSURE_REGION_MIB:=96}"
: "${PRESSURE_WINDOW_MIB:=40}" "${PRESSURE_STEPS:=4}"
: "${PRESSURE_SLIDE_START:=0}"
export PRESSURE_OBJS
: "${PRESSURE_POOL_PERCENT:=5}" "${PRESSURE_IOPS:=auto}"
: "${PRESSURE_RATIO:=30}"
: "${PRESSURE_MEM:=256}" "${PRESSURE_CPUS:=2}" "${PRESSURE_SWAP_MIB:=1024}"
: "${PRESSURE_TIMEOUT:=1800}" "${PRESSURE_PROBE_MIB:=8}"
: "${PRESSURE_PROBE_REPS:=5}"
: "${PRESSURE_SCHED:=}"
PAGE_SIZE=4096

# Knobs first: a bad one stops the run before anything is built.
need_uint PRESSURE_RUNS 1 99
need_uint PRESSURE_OBJS 1 2000
need_uint PRESSURE_MAKE_J 1 64
need_uint PRESSURE_CC_MIB 16
need_uint PRESSURE_SLIDE_MIB 16
need_uint PRESSURE_REGION_MIB 1
need_uint PRESSURE_WINDOW_MIB 1
need_uint PRESSURE_STEPS 1
need_uint PRESSURE_SLIDE_START 0
need_uint PRESSURE_POOL_PERCENT 1 100
[ "$PRESSURE_IOPS" = auto ] || [[ $PRESSURE_IOPS =~ ^(0|[1-9][0-9]{0,8})$ ]] ||
	die "PRESSURE_IOPS='$PRESSURE_IOPS': must be auto or a whole number" \
	    "without leading zeros"
need_uint PRESSURE_RATIO 1 1000
need_uint PRESSURE_MEM 128
need_uint PRESSURE_CPUS 1 64
need_uint PRESSURE_SWAP_MIB 64
need_uint PRESSURE_TIMEOUT 60
need_uint PRESSURE_PROBE_MIB 0 256
need_uint PRESSURE_PROBE_REPS 1 9
need_one_of PRESSURE_SCHED none mq-deadline kyber
[ "$PRESSURE_WINDOW_MIB" -le "$PRESSURE_REGION_MIB" ] ||
	die "PRESSURE_WINDOW_MIB=$PRESSURE_WINDOW_MIB is larger than" \
	    "PRESSURE_REGION_MIB=$PRESSURE_REGION_MIB"
[ "$PRESSURE_SLIDE_START" -lt "$PRESSURE_REGION_MIB" ] ||
	die "PRESSURE_SLIDE_START=$PRESSURE_SLIDE_START is not below" \
	    "PRESSURE_REGION_MIB=$PRESSURE_REGION_MIB"
# no_repeats NAME: die if the list in the variable NAME has a word twice;
# a run keeps each job's and each row's files by its name.
no_repeats()
{
	local w seen=" "

	for w in ${!1}; do
		[[ $seen != *" $w "* ]] || die "$1: '$w' twice"
		seen+="$w "
	done
}

[[ $PRESSURE_JOBS = *[![:space:]]* ]] || die "PRESSURE_JOBS is empty"
for j in $PRESSURE_JOBS; do
	case $j in
	compile|slide) ;;
	*) die "PRESSURE_JOBS: unknown job '$j' (compile slide)" ;;
	esac
done
no_repeats PRESSURE_JOBS
[ "$PRESSURE_IOPS" != auto ] || [ "$PRESSURE_PROBE_MIB" -gt 0 ] ||
	die "PRESSURE_IOPS=auto calibrates with the probe:" \
	    "PRESSURE_PROBE_MIB must not be 0"

# The flavours build.sh knows: the labels of its first case statement.
known_flavours=$(awk '/^case \$flavour in/ { on = 1; next }
	on && /^esac/ { exit }
	on && match($0, /^[a-z0-9.-]+\)/) { print substr($0, 1, RLENGTH - 1) }' \
	"$ZBUD_DIR/kernel/build.sh")

# row_info ROW: set flavour, zpool, label and extra (more kernel
# parameters) of ROW.
row_info()
{
	case $1 in
	zbud)		flavour=zbud zpool=zbud label=zbud extra= ;;
	zbud-shared)	flavour=zbud zpool=zbud label=zbud-shared
			extra=zswap.exclusive_loads=N ;;
	zbud-nocluster)	flavour=zbud zpool=zbud label=zbud-nocluster
			extra=zswap.writeback_cluster=1 ;;
	zbud-zswap61)	flavour=zbud-zswap61 zpool=zbud
			label="zbud, 6.1 zswap" extra= ;;
	zbud-6.1)	flavour=zbud-6.1 zpool=zbud label=zbud-6.1 extra= ;;
	zsmalloc|z3fold) flavour=zbud zpool=$1 label=$1 extra= ;;
	zbud-cluster*)	param_row "$1" zbud-cluster 2 64 writeback_cluster ||
				return 1 ;;
	zbud-accept*)	param_row "$1" zbud-accept 50 100 \
				accept_threshold_percent || return 1 ;;
	*)		return 1 ;;
	esac
}

# param_row ROW PREFIX MIN MAX PARAM: ROW is PREFIX and a number N from
# MIN to MAX (zbud-cluster16, zbud-accept98), the series booted with
# zswap.PARAM=N.
param_row()
{
	local n=${1#"$2"}

	[[ $n =~ ^[1-9][0-9]{0,2}$ ]] && [ "$n" -ge "$3" ] && [ "$n" -le "$4" ] ||
		return 1
	flavour=zbud zpool=zbud label=$1 extra=zswap.$5=$n
}

no_repeats PRESSURE_ROWS
rows=()
for r in $PRESSURE_ROWS; do
	row_info "$r" ||
		die "PRESSURE_ROWS: unknown row '$r' (zbud zbud-shared" \
		    "zbud-nocluster zbud-clusterN with N from 2 to 64" \
		    "zbud-acceptN with N from 50 to 100" \
		    "zbud-zswap61 zbud-6.1 zsmalloc z3fold)"
	if ! grep -qxF "$flavour" <<<"$known_flavours"; then
		note "skipping row '$label': kernel/build.sh has no flavour" \
		     "'$flavour' (it knows: $(echo $known_flavours))"
		continue
	fi
	rows+=("$r")
done
[ ${#rows[@]} -gt 0 ] || die "no row left to run"
[[ " ${rows[*]} " = *" zbud-6.1 "* ]] ||
	note "no zbud-6.1 row: the time column, a ratio to it, will read '-'"

"$ZBUD_DIR/kernel/deps.sh" gnuplot-nox e2fsprogs
new_run_dir pressure
note "rows: ${rows[*]}; ${PRESSURE_RUNS} run(s) each, interleaved," \
     "about 3 minutes a run, plus a calibration boot, a kernel" \
     "build per new flavour (about 3 minutes with a warm ccache) and" \
     "the toolchain image" \
     "(about 2 minutes); run files in $run"

# Kernels: the zbud flavour always (the compile job's tree is its build).
declare -A kout
for f in zbud $(for r in "${rows[@]}"; do row_info "$r"; echo "$flavour"
		done | sort -u); do
	[ -n "${kout[$f]:-}" ] && continue
	o=$("$ZBUD_DIR/kernel/build.sh" "$f" "$run/kernel-$f")
	[ "$o" = "$run/kernel-$f" ] && [ -f "$o/bzImage" ] ||
		die "build.sh $f printed '$o', not $run/kernel-$f"
	kout[$f]=$o
done
tree=$(sed -n 's/^tree=//p' "${kout[zbud]}/info")

image=$("$PRESSURE_DIR/mkimage.sh" "${kout[zbud]}")
[ -s "$image" ] && [ -s "$image.sha256" ] ||
	die "mkimage.sh printed '$image', not an image with its checksums"
corpus=$("$VM_DIR/mkcorpus.sh" "$tree")
[ -f "$corpus" ] || die "mkcorpus.sh printed '$corpus', not a file"

# The initramfs: vm's, and a second cpio archive with /bin/pressure
# (the kernel unpacks concatenated archives in order).
initrd=$run/initramfs.cpio
"$VM_DIR/mkinitramfs.sh" "${kout[zbud]}/gen_init_cpio" "$run/base.cpio"
gcc -static -O2 -Wall -Wextra -Werror -I"$VM_DIR" -o "$run/pressure" \
	"$PRESSURE_DIR/guest.c" "$VM_DIR/util.c" || die "cannot build guest.c"
printf 'file /bin/pressure %s 0755 0 0\n' "$run/pressure" >"$run/extra.list"
"${kout[zbud]}/gen_init_cpio" "$run/extra.list" >"$run/extra.cpio"
cat "$run/base.cpio" "$run/extra.cpio" >"$initrd"

# field LINE KEY: the value of KEY=VALUE in LINE.
field()
{
	grep -o "\(^\| \)$2=[^ ]*" <<<"$1" | tail -n 1 | sed 's/.*=//' || true
}

# console_text CONSOLE OUT: CONSOLE without its carriage returns, once,
# for grep and awk; an empty OUT when QEMU wrote no console.
console_text()
{
	tr -d '\r' 2>/dev/null <"$1" >"$2" || : >"$2"
}

# For awk: kv() sets v[KEY] to VALUE for each KEY=VALUE from field 3 on
# of a "zbudvm: WHAT KEY=VALUE..." line.
awk_kv='function kv(   i, p) {
	split("", v)
	for (i = 3; i <= NF; i++) { split($i, p, "="); v[p[1]] = p[2] }
}'

if [ "$PRESSURE_IOPS" = auto ]; then
	con=$run/console.calibrate.log
	note "=== calibration: the probe alone, swap disk unthrottled" \
	     "(console: $con)"
	truncate -s "${PRESSURE_SWAP_MIB}M" "$run/swap.img"
	calibrated=true
	VM_MEM=$PRESSURE_MEM VM_CPUS=$PRESSURE_CPUS VM_THROTTLE_IOPS=0 \
		run_stoppable \
		"$VM_DIR/run-qemu.sh" "${kout[zbud]}/bzImage" "$initrd" "$con" \
		600 "$(echo kunit.enable=0 zswap.enabled=1 zswap.zpool=zbud \
		zswap.compressor=lzo zbudvm.mode=pressure zbudvm.jobs=none \
		zbudvm.probe_mib=$PRESSURE_PROBE_MIB \
		zbudvm.probe_reps=$PRESSURE_PROBE_REPS)" \
		"$run/swap.img" \
		"$image:ro" "$corpus:ro" || calibrated=false
	rm -f "$run/swap.img"
	log=$run/console.calibrate.txt
	console_text "$con" "$log"
	# A probe timed without zswap would set the throttle far too low.
	$calibrated && grep -q -a 'zswap: loaded using pool lzo/zbud' "$log" &&
		grep -q -a 'zbudvm: init done status=0' "$log" ||
		die "the calibration boot failed (console: $con)"
	# Each zswap round must have loaded its pages from zswap, not disk.
	grep -a -o 'zbudvm: probe kind=zswap .*' "$log" |
		awk "$awk_kv"'
		     { kv(); if (v["pswpin"] * 10 > v["pages"]) bad = 1; n++ }
		     END { exit bad || !n }' ||
		die "the calibration's zswap rounds read the swap disk" \
		    "(console: $con)"
	line=$(grep -a -o 'zbudvm: probe zswap_load.*' "$log" || true)
	z=$(field "$line" zswap_load_us)
	[ -n "$z" ] || die "the calibration boot printed no probe (console: $con)"
	PRESSURE_IOPS=$(awk -v z="$z" -v r="$PRESSURE_RATIO" \
		'BEGIN { printf "%d", 1e6 / (z * r) + 0.5 }')
	[ "$PRESSURE_IOPS" -ge 1 ] || PRESSURE_IOPS=1
	note "calibration: a zswap load takes $z us, unthrottled swap read" \
	     "$(field "$line" swap_read_us) us: throttle at $PRESSURE_IOPS" \
	     "iops for a ratio of about $PRESSURE_RATIO"
	echo "throttle chosen: $PRESSURE_IOPS iops, from a calibration" \
	     "boot: zswap load $z us, unthrottled swap read" \
	     "$(field "$line" swap_read_us) us, target ratio" \
	     "$PRESSURE_RATIO" >"$run/calibration"
fi

guest_args="jobs=$(echo $PRESSURE_JOBS | tr ' ' ,) cc_mib=$PRESSURE_CC_MIB"
guest_args+=" make_j=$PRESSURE_MAKE_J slide_mib=$PRESSURE_SLIDE_MIB"
guest_args+=" region=$PRESSURE_REGION_MIB window=$PRESSURE_WINDOW_MIB"
guest_args+=" steps=$PRESSURE_STEPS start=$PRESSURE_SLIDE_START"
guest_args+=" probe_mib=$PRESSURE_PROBE_MIB"
guest_args+=" probe_reps=$PRESSURE_PROBE_REPS"
[ -z "$PRESSURE_SCHED" ] || guest_args+=" sched=$PRESSURE_SCHED"

# check_params LOG: each zswap.NAME=VALUE of the row's extra parameters
# shows in LOG as the guest read it back (a typo or a parameter this
# kernel lacks would otherwise boot the plain series under the row's
# name).  VALUE is written as sysfs shows it: N or Y for a bool.
check_params()
{
	local kv params

	# Read once, not piped into grep -q: under pipefail an early exit
	# of grep -q would fail the pipe with SIGPIPE.
	params=$(grep -a -o 'zbudvm: param\.[a-z_]*=[^ ]*' "$1" || true)
	for kv in $extra; do
		grep -q -x -F "zbudvm: param.${kv#zswap.}" <<<"$params" &&
			continue
		note "row '$label' run $n: the guest's zswap does not show $kv"
		return 1
	done
}

# One row-run: boot, then append a line per job to $run/metrics:
# row run job seconds pswpin pswpout swap_requests written_back
# pool_limit_hit rejects peak_MiB density wrong status; and the samples to
# $run/samples/JOB.ROW.RUN.
boot_one()
{
	local row=$1 n=$2 con=$run/console.$1.$2.log append j line secs st
	local ok=true wrong log=$run/console.$1.$2.txt

	row_info "$row"
	append="kunit.enable=0 zswap.enabled=1 zswap.zpool=$zpool"
	append+=" zswap.compressor=lzo"
	append+=" zswap.max_pool_percent=$PRESSURE_POOL_PERCENT"
	append+=" zbudvm.mode=pressure $extra"
	for a in $guest_args; do
		append+=" zbudvm.$a"
	done
	truncate -s "${PRESSURE_SWAP_MIB}M" "$run/swap.img"
	note "=== row '$label' run $n/$PRESSURE_RUNS: flavour $flavour," \
	     "zswap.zpool=$zpool (console: $con)"
	VM_MEM=$PRESSURE_MEM VM_CPUS=$PRESSURE_CPUS \
	VM_THROTTLE_IOPS=$PRESSURE_IOPS run_stoppable \
		"$VM_DIR/run-qemu.sh" "${kout[$flavour]}/bzImage" "$initrd" \
		"$con" "$PRESSURE_TIMEOUT" "$append" "$run/swap.img" \
		"$image:ro" "$corpus:ro" || ok=false
	rm -f "$run/swap.img"
	# QEMU that failed to start wrote no console: the checks below
	# then fail this run, not the whole pass.
	console_text "$con" "$log"
	grep -q -a "zswap: loaded using pool lzo/$zpool" "$log" || {
		note "row '$label' run $n: the console does not say zswap" \
		     "uses lzo/$zpool"
		ok=false
	}
	grep -q -a 'zbudvm: init done status=0' "$log" || ok=false
	check_params "$log" || ok=false
	! grep -q -a 'zbudvm: stall: job=' "$log" ||
		note "row '$label' run $n: a job's swap traffic stood still;" \
		     "its blocked tasks' stacks are in $con"
	scan_log "$log" >&2
	[ "$problems" -eq 0 ] || ok=false
	line=$(grep -a -o 'zbudvm: probe zswap_load_us.*' "$log" || true)
	echo "$row $n $(field "$line" zswap_load_us)" \
	     "$(field "$line" swap_read_us) $(field "$line" ratio)" \
		>>"$run/probes"
	mkdir -p "$run/samples"
	# The slide job's pages read from swap in each pass and step of
	# its workload, "NAME PAGES" a line, for report.sh's phase table.
	grep -a -o 'zbudvm: \(pass [a-z]*\|slide step=[0-9]*\) .*' "$log" |
		sed -n -e 's/^zbudvm: pass \([a-z]*\) .*pswpin=\([0-9]*\).*/\1 \2/p' \
		    -e 's/^zbudvm: slide step=\([0-9]*\) .*pswpin=\([0-9]*\).*/step\1 \2/p' \
		>"$run/samples/phases.$row.$n" || true
	for j in $PRESSURE_JOBS; do
		grep -a -o "zbudvm: sample job=$j .*" "$log" \
			>"$run/samples/$j.$row.$n" || true
		line=$(grep -a -o "zbudvm: job name=$j .*" "$log" || true)
		secs=$(field "$line" seconds) st=$(field "$line" status)
		if [ "$j" = compile ]; then
			# Each reference object must have been built
			# identically.
			grep -a -o 'zbudvm: obj .*' "$log" |
				sed 's/^zbudvm: obj //' >"$run/objs.$row.$n" ||
				true
			wrong=$(awk 'FILENAME == ARGV[1] { got[$2] = $1; next }
				     got[$2] != $1 { w++ }
				     END { print w + 0 }' \
				"$run/objs.$row.$n" "$image.sha256")
			# A boot that died before the build says nothing
			# about the objects.
			grep -q -a 'zbudvm: objects built=' "$log" || wrong=-
		else
			wrong=$(grep -a -o 'zbudvm: result .*' "$log" |
				sed -n 's/.*corrupt=\([0-9][0-9]*\).*/\1/p' |
				tail -n 1 || true)
			wrong=${wrong:--}
		fi
		# The job fails the run if the boot did, if it ended badly
		# or built or read back wrong data, whatever its exit
		# status says, or if zswap never stored a page for it
		# (peak 0, or no samples at all).
		awk -v row="$row" -v n="$n" -v job="$j" -v secs="${secs:--}" \
		    -v wrong="$wrong" -v ok="$ok" -v st="$st" \
		    -v page=$PAGE_SIZE "$awk_kv"'
			{ kv()
			  if (NR == 1) for (k in v) first[k] = v[k]
			  if (v["pool_bytes"] + 0 >= peak) {
				peak = v["pool_bytes"] + 0
				dens = peak ? v["stored"] / (peak / page) : 0 }
			  for (k in v) last[k] = v[k] }
			END {
				if (NR == 0) { print row, n, job, "- - - - - - - - -", wrong, "FAIL"; exit }
				printf "%s %s %s %s %d %d %d %d %d %d %.1f %.2f %s %s\n",
				    row, n, job, secs,
				    last["pswpin"] - first["pswpin"],
				    last["pswpout"] - first["pswpout"],
				    last["swap_requests"] - first["swap_requests"],
				    last["written_back"] - first["written_back"],
				    last["pool_limit_hit"] - first["pool_limit_hit"],
				    last["rejects"] - first["rejects"],
				    peak / 1048576, dens, wrong,
				    (ok == "true" && st == "0" && wrong == "0" &&
				     peak > 0 ? "ok" : "FAIL") }' \
			"$run/samples/$j.$row.$n" >>"$run/metrics"
	done
	! grep -q " $row $n [a-z]* .* FAIL\$" <(sed 's/^/ /' "$run/metrics") ||
		ok=false
	$ok || note "row '$label' run $n FAILED (console: $con)"
}

: >"$run/metrics"
: >"$run/probes"
for n in $(seq 1 "$PRESSURE_RUNS"); do
	for r in "${rows[@]}"; do
		boot_one "$r" "$n"
	done
done

# The report: report.sh reads the run directory.
printf '%s\n' "${rows[@]}" >"$run/rows"
echo "$PRESSURE_JOBS" >"$run/jobs"
start=
[ "$PRESSURE_SLIDE_START" -eq 0 ] ||
	start=", first window at $PRESSURE_SLIDE_START MiB"
{
	[ ! -f "$run/calibration" ] || cat "$run/calibration"
	echo "swap disk throttle: ${PRESSURE_IOPS} iops" \
	     "(throttling.iops-total; 0 = none);" \
	     "zswap.max_pool_percent=$PRESSURE_POOL_PERCENT of" \
	     "${PRESSURE_MEM} MiB, $PRESSURE_CPUS vCPUs, lzo;" \
	     "swap disk scheduler ${PRESSURE_SCHED:-default}"
	echo "compile: $(wc -l <"$image.sha256") objects, make" \
	     "-j$PRESSURE_MAKE_J, memory.max ${PRESSURE_CC_MIB} MiB;" \
	     "slide: window ${PRESSURE_WINDOW_MIB} of" \
	     "${PRESSURE_REGION_MIB} MiB, $PRESSURE_STEPS steps," \
	     "memory.max ${PRESSURE_SLIDE_MIB} MiB$start"
} >"$run/header"
"$PRESSURE_DIR/report.sh" "$run" >"$run/table"
cat "$run/table"
# Only a pass is kept for the cover letter, with its plots.
! grep -q ' FAIL$' "$run/metrics" ||
	die "at least one run failed, see $run/metrics and the consoles"
save_result pressure.txt <"$run/table"
# results/ holds the last pass: no plot of a job it did not run.
rm -f "$ZBUD_DIR"/results/pressure-*.svg
for j in $PRESSURE_JOBS; do
	[ ! -f "$run/pressure-$j.svg" ] ||
		cp "$run/pressure-$j.svg" "$ZBUD_DIR/results/"
done
