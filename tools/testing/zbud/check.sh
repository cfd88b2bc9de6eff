#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run every test suite and total their "N passed, N failed" lines into
# one final line of the same form; fail if anything failed.
#
# CHECK_SUITES picks and orders the suites (default "kunit install vm
# z3fold debug replay harness bench series"): install runs the paths of
# a fresh machine with stub dpkg-query, apt-get and id
# (kernel/install-test.sh), z3fold the vm.sh workload with zswap on
# 6.1's z3fold, which the series' writeback crashed before
# mm/z3fold.patch, debug is the reliability run on the
# debug kernel (vm/debug.sh), replay the in-kernel trace replay
# (vm/replay.sh), kcsan (not a default suite) the data-race run on the
# KCSAN kernel (vm/kcsan.sh), bench the self-test of zbud_bench and
# pagesizes, series the lint part of the patch series (checkpatch, kernel-doc,
# sparse and W=1) made, like every other suite's kernels, from the files
# on disk (SERIES_REV=worktree unless SERIES_REV is set); the per-step
# builds run only in `make series`.
set -euo pipefail
# vmlib.sh checks the VM_*, DEBUG_*, ... knobs: a bad one stops the run
# here, before any suite builds.
. "$(dirname "$0")/vm/vmlib.sh"
no_args "$@"

# suite_command SUITE: set cmd to the command that runs SUITE; die if
# there is no such suite.
suite_command()
{
	local quiet=("${MAKE:-make}" -s --no-print-directory -C)

	case $1 in
	install) cmd=("$ZBUD_DIR/kernel/install-test.sh") ;;
	kunit | vm | debug | kcsan | replay) cmd=("$ZBUD_DIR/vm/$1.sh") ;;
	z3fold) cmd=(env VM_ZPOOL=z3fold "$ZBUD_DIR/vm/vm.sh") ;;
	harness) cmd=("${quiet[@]}" "$ZBUD_DIR/harness" check) ;;
	bench) cmd=("${quiet[@]}" "$ZBUD_DIR/bench" test) ;;
	series) cmd=(env SERIES_REV="${SERIES_REV:-worktree}" "${quiet[@]}"
		     "$ZBUD_DIR/series" lint) ;;
	*) die "CHECK_SUITES: unknown suite '$1'" ;;
	esac
}

SUITES=${CHECK_SUITES:-kunit install vm z3fold debug replay harness bench \
	series}
for suite in $SUITES; do
	suite_command "$suite"
done
[[ $SUITES = *[![:space:]]* ]] || die "CHECK_SUITES: no suite"
# The series suite runs last: a bad revision must stop the run here.
case ${SERIES_REV:-worktree} in
worktree) ;;
*) git -C "$REPO" rev-parse -q --verify "$SERIES_REV^{commit}" \
	>/dev/null || die "SERIES_REV=$SERIES_REV is not a commit" ;;
esac

# debug and replay read the traces beside the repository unless told
# otherwise: say so now, not when their turn comes a quarter hour in.
for suite in $SUITES; do
	case $suite in
	debug) knob=DEBUG_TRACE want=$DEFAULT_DEBUG_TRACE ;;
	replay) knob=TRACES want=$SHARED_TRACES/*.txt ;;
	*) continue ;;
	esac
	[ -n "${!knob:-}" ] || compgen -G "$want" >/dev/null ||
		die "suite $suite: no $want (clone the repository beside" \
		    "shared/, or set $knob)"
done

note "a cold make check (nothing built yet) takes about 25 minutes," \
     "a warm one about 12"
# Stoppable, as the suites are below: apt-get may run for minutes.
start_stoppable "$ZBUD_DIR/kernel/deps.sh"
deps_rc=0
wait "$stoppable_pid" || deps_rc=$?
stoppable_pid=
# Even then the run ends with its totals line, as every run does.
if [ "$deps_rc" -ne 0 ]; then
	echo "FAIL: deps.sh could not install what the suites need" \
	     "(status $deps_rc, its errors are above on stderr)"
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# suite_output NAME COMMAND...: run the suite, its stdout to $out and
# to stdout, with NAME in front of its totals line.
suite_output()
{
	local name=$1

	shift
	"$@" | tee "$out" | name_totals "$name"
}

# run_suite NAME COMMAND...: run one suite and add its counts.
run_suite()
{
	local name=$1 rc=0

	shift
	echo "=== $name"
	# A suite's results are its stdout (apt and build progress stay on
	# stderr).  A TERM or HUP sent to this script alone (make passes its
	# own on) stops it.
	start_stoppable suite_output "$name" "$@"
	wait "$stoppable_pid" || rc=$?
	# The traps stay, with nothing left to stop, so that a TERM between
	# suites still exits through the EXIT trap.
	stoppable_pid=
	add_totals "$name" "$out" "$rc"
	echo "=== $name: $suite_passed passed, $suite_failed failed"
}

for suite in $SUITES; do
	suite_command "$suite"
	run_suite "$suite" "${cmd[@]}"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
