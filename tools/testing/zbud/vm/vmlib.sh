# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by the scripts that boot the test VM.  Source it.
. "$(dirname "${BASH_SOURCE[0]}")/../kernel/lib.sh"

VM_DIR=$ZBUD_DIR/vm

# prepare_vm FLAVOUR [TRACE...]: build kernel FLAVOUR into $run/kernel
# and the initramfs, with the TRACE files, into $run; sets $out, $tree and
# $initrd.
prepare_vm()
{
	out=$("$ZBUD_DIR/kernel/build.sh" "$1" "$run/kernel")
	[ "$out" = "$run/kernel" ] && [ -f "$out/info" ] ||
		die "build.sh printed '$out' where its output directory" \
		    "$run/kernel was expected"
	shift
	tree=$(sed -n 's/^tree=//p' "$out/info")
	initrd=$run/initramfs.cpio
	"$VM_DIR/mkinitramfs.sh" "$out/gen_init_cpio" "$initrd" "$@"
}

# boot_workload TIMEOUT APPEND [SWAP2_MIB]: boot $out with $initrd, a
# fresh swap disk of VM_SWAP_MIB (default 1024) MiB as /dev/vda, the
# corpus (mkcorpus.sh) as /dev/vdb and, given SWAP2_MIB, a second fresh
# disk of that many MiB as /dev/vdc, the console going to $log; sets
# $qemu_ok.
boot_workload()
{
	local corpus disks

	corpus=$("$VM_DIR/mkcorpus.sh" "$tree")
	[ -f "$corpus" ] || die "mkcorpus.sh printed '$corpus', not a file"
	truncate -s "${VM_SWAP_MIB:-1024}M" "$run/swap.img"
	disks=("$run/swap.img" "$corpus:ro")
	if [ -n "${3:-}" ]; then
		truncate -s "$3M" "$run/swap2.img"
		disks+=("$run/swap2.img")
	fi
	qemu_ok=true
	run_stoppable "$VM_DIR/run-qemu.sh" "$out/bzImage" "$initrd" "$log" \
		"$1" "$2" "${disks[@]}" || qemu_ok=false
	rm -f "$run/swap.img" "$run/swap2.img"
}

# Make a fresh directory $run for one run's files; NAME-latest links to
# it, and only the newest 10 runs of NAME are kept.
new_run_dir()
{
	mkdir -p "$CACHE/runs"
	run=$(mktemp -d "$CACHE/runs/$1.$(date +%Y%m%d-%H%M%S).XXXX")
	ln -sfn "$run" "$CACHE/runs/$1-latest"
	# Another run of NAME may remove one of them meanwhile.
	{ ls -dt "$CACHE/runs/$1".*.* 2>/dev/null || true; } |
		tail -n +11 | xargs -r rm -rf
}

passed=0
failed=0

# check NAME CONDITION...: count and show one pass/fail result.
check()
{
	local name=$1

	shift
	if "$@"; then
		echo "ok: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
}

# The workload's stress child (stress.c) as the debug and KCSAN runs start
# it: its kernel parameters, and the MiB of the second swap disk, for
# boot_workload.
STRESS_APPEND="zbudvm.stress=1 zbudvm.swap2=/dev/vdc"
STRESS_SWAP2_MIB=256

# check_stress: what both runs check of the stress child's report: it
# compacted zbud through debugfs, walked every pfn while zbud held pages
# (and never stopped on a read error), and turned the second swap disk
# off while it held pages, without error.
check_stress()
{
	local swap="the second swap disk went off while it held pages"

	check "zbud's debugfs compact was written" \
		[ "$(value 'stress .*zbud_compacts')" -gt 0 ]
	check "/proc/kpage* were walked while zbud held pages, to the end" \
		[ "$(value 'stress .*walks_with_pool')" -gt 0 -a \
		"$(value 'stress .*read_errors')" -eq 0 ]
	check "$swap, without error" \
		[ "$(value 'stress .*swapoffs_used')" -gt 0 -a \
		"$(value 'stress .*swap_errors')" -eq 0 ]
}

# The key of a zbud pool's debugfs counter in the workload's report,
# for value() and compare.sh's field(): zbud.<pool>.<counter>.
ZBUD_STAT='zbud\.[a-z0-9_]*\.'

# value KEY: the number in the last "zbudvm: ... KEY=N" of $log, or -1.
# KEY is a basic regular expression.
value()
{
	local v

	v=$(grep -a -o "zbudvm: $1=[0-9]*" "$log" | tail -n 1 | sed 's/.*=//')
	echo "${v:--1}"
}

# Cases that skip themselves without CONFIG_DEBUG_VM.
DEBUG_VM_CASES="zbud_bad_free_is_caught"

# kunit_results SUITE: parse the KUnit output in $log with the tree's
# kunit.py and add its passes and failures to the counts.  Also fails
# when kunit.py reports an error (a crash, a missing plan), when SUITE
# did not run, when fewer cases reported than the suite's source has, and
# when the cases that skipped are not exactly those that must on this
# kernel.
kunit_results()
{
	local suite=$1 kpassed kfailed skipped has_suite names rc=0 cases
	local want=none

	python3 "$tree/tools/testing/kunit/kunit.py" parse \
		--json="$run/kunit.json" "$log" >"$run/kunit.txt" 2>&1 || rc=$?
	# Prints: passed failed skipped has-suite skipped-names (sorted,
	# comma-separated, or none)
	read -r kpassed kfailed skipped has_suite names < <(python3 - \
		"$run/kunit.json" "$suite" <<'PY'
import json, sys

counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
suites = set()
skipped = []

def walk(group):
    for case in group.get("test_cases", []):
        status = case["status"]
        counts[status if status in counts else "FAIL"] += 1
        if status == "SKIP":
            skipped.append(case["name"])
    for sub in group.get("sub_groups", []):
        suites.add(sub["name"])
        walk(sub)

try:
    walk(json.load(open(sys.argv[1])))
except (OSError, ValueError):
    pass
print(counts["PASS"], counts["FAIL"], counts["SKIP"],
      int(sys.argv[2] in suites), ",".join(sorted(skipped)) or "none")
PY
)
	cat "$run/kunit.txt"
	echo "kunit: $kpassed passed, $kfailed failed, $skipped skipped"
	passed=$((passed + kpassed))
	failed=$((failed + kfailed))
	[ "$has_suite" = 1 ] ||
		check "KUnit suite '$suite' ran" false
	check "kunit.py parsed the log without error" [ "$rc" -eq 0 ]
	cases=$(grep -c '^[[:space:]]*KUNIT_CASE(' "$out/${suite}_kunit.c")
	check "all $cases cases of '$suite' reported" \
		[ $((kpassed + kfailed + skipped)) -eq "$cases" ]
	grep -qx 'CONFIG_DEBUG_VM=y' "$out/config" ||
		want=$(tr ' ' '\n' <<<"$DEBUG_VM_CASES" | LC_ALL=C sort |
		       paste -sd,)
	check "cases skipped: $want, as expected on this kernel" \
		[ "$names" = "$want" ]
}

# replay_rows LOG: one row per trace and zpool that zbud_replay reported in
# LOG: "trace | allocator | stored | pages | density | alloc_ns | free_ns
# | corrupt".
replay_rows()
{
	# The serial console ends its lines with \r.
	grep -a 'zbudvm: replay trace=' "$1" | tr -d '\r' |
		sed 's/.*zbudvm: replay //' |
		awk '{
			for (i = 3; i <= NF; i++) {
				split($i, kv, "=")
				v[kv[1]] = kv[2]
			}
			sub(/^trace=/, "", $1)
			sub(/\.txt$/, "", $1)
			printf "%s | %s | %s | %s | %.3f | %s | %s | %s\n",
				$1, $2, v["stored"], v["pages"],
				v["density_x1000"] / 1000, v["alloc_ns"],
				v["free_ns"], v["corrupt"]
		}'
}

# report_run HEADING: the KUnit results (kunit_results zbud), then the
# workload's report from $log under HEADING, without its counters of
# parameters, meminfo and vmstat and without its samples.
report_run()
{
	echo "--- KUnit"
	kunit_results zbud
	echo "--- $1"
	grep -a 'zbudvm: ' "$log" | sed 's/.*zbudvm: //' |
		grep -v -e '^param\.' -e '^meminfo\.' -e '^vmstat\.' \
			-e '^sample ' || true
}

# Knobs are checked on the host, before anything is built or booted; each
# script that boots a guest sources this file.
# The traces beside the repository: TRACES' and DEBUG_TRACE's defaults.
SHARED_TRACES=$REPO/../shared/traces
DEFAULT_DEBUG_TRACE=$SHARED_TRACES/py-heap.lzo.txt

check_knobs()
{
	local t

	need_uint SERIES_JOBS 1 256
	need_uint VM_MEM 64
	need_uint VM_CPUS 1 64
	need_uint VM_FILL_MIB
	need_uint VM_SWAP_MIB
	need_uint VM_POOL_PERCENT 1 100
	need_uint VM_SEED 0
	need_uint VM_TIMEOUT
	need_uint VM_THROTTLE_IOPS 0
	need_uint KUNIT_TIMEOUT
	need_uint DEBUG_FILL_MIB
	need_uint DEBUG_INJECT 0 100
	need_uint DEBUG_TIMEOUT
	need_uint KCSAN_FILL_MIB
	need_uint KCSAN_TIMEOUT
	need_uint REPLAY_MEM 64
	need_uint REPLAY_TIMEOUT
	need_uint HARNESS_TIMEOUT
	need_uint MODEL_OPS
	need_uint THREAD_OPS
	need_one_of VM_ZPOOL zbud zsmalloc z3fold
	need_one_of VM_COMPRESSOR lzo lz4 zstd
	need_one_of VM_FLAVOUR zbud zbud-zswap61 zbud-6.1
	need_one_of VM_CHECK_WRITEBACK 0 1
	for t in ${DEBUG_TRACE:-} ${TRACES:-}; do
		[ -f "$t" ] || die "trace '$t' does not exist"
	done
}
check_knobs

# Kernel reports that fail any run, whatever the tests said: oopses,
# WARNs and BUGs (KASAN's "BUG: KASAN:", "BUG: Bad page state", list
# debugging), lockdep's splats, kmemleak's and the page allocator's.
LOG_PROBLEMS=('WARNING:' 'BUG:' 'Oops' 'Kernel panic' 'Call Trace:'
	      'general protection fault' 'Out of memory' 'kernel BUG at'
	      'DEBUG_LOCKS_WARN_ON' 'INFO: ' 'possible recursive locking'
	      'circular locking dependency' 'suspected memory leak'
	      'Bad page' 'page dumped because' 'list_add corruption'
	      'list_del corruption')

# Warnings that KUnit cases provoke on purpose, by the case's name in the
# warning's call trace: zbud_bad_free_is_caught frees bad handles under
# CONFIG_DEBUG_VM and checks that zbud caught them.
EXPECTED_WARNING_CASES="zbud_bad_free_is_caught"

# drop_expected_warnings LOG OUT: copy console log LOG to OUT without the
# warnings (from "cut here" to "end trace") that zbud's own WARN raised
# under one of the EXPECTED_WARNING_CASES, and print how many were left
# out.  Any other report under such a case, a list corruption say, stays.
drop_expected_warnings()
{
	# awk makes OUT only when it prints a line; a log of dropped
	# warnings alone must still leave one to scan.
	: >"$2"
	awk -v cases="$EXPECTED_WARNING_CASES" -v out="$2" '
		BEGIN { n = split(cases, c, " ") }
		/-+\[ cut here \]-+/ {
			inside = 1; buf = ""; expected = 0; ours = 0
		}
		inside {
			buf = buf $0 "\n"
			for (i = 1; i <= n; i++)
				if (index($0, " " c[i] "+"))
					expected = 1
			if ($0 ~ /WARNING: .* at mm\/zbud\.c:[0-9]+ /)
				ours = 1
			if ($0 !~ /---\[ end trace/)
				next
			inside = 0
			if (expected && ours)
				dropped++
			else
				printf "%s", buf > out
			next
		}
		{ print > out }
		END {
			if (inside)
				printf "%s", buf > out
			print dropped + 0
		}' "$1"
}

# scan_console: scan $log with scan_log, less the warnings KUnit cases
# provoke on purpose (under CONFIG_DEBUG_VM exactly one is expected), and
# count each kind of report found as a failure.
scan_console()
{
	local want=0 got

	grep -qx 'CONFIG_DEBUG_VM=y' "$out/config" && want=1
	got=$(drop_expected_warnings "$log" "$run/console.scan")
	check "KUnit's bad-free case drew $want warning(s)" [ "$got" -eq "$want" ]
	scan_log "$run/console.scan"
	failed=$((failed + problems))
}

# Set $problems to the number of kinds of kernel report in console log
# $1, and show the first lines of each.
scan_log()
{
	local pat

	problems=0
	for pat in "${LOG_PROBLEMS[@]}"; do
		grep -q -- "$pat" "$1" || continue
		echo "FAIL: the console shows '$pat':"
		grep -m 3 -- "$pat" "$1" | sed 's/^/    /'
		problems=$((problems + 1))
	done
}
