#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the harness's test programs and total their "N passed, N failed"
# lines into one last line of the same form; exit non-zero on any
# failure.  A program that dies before its summary (a sanitizer report,
# a crash), ends without one or exits non-zero counting no failure
# counts as one more failure (add_totals, kernel/lib.sh), and so does
# one still running after HARNESS_TIMEOUT seconds (default 600).
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: ${0##*/} PROGRAM..." >&2; exit 2; }
. "$(dirname "$0")/../kernel/lib.sh"

need_uint HARNESS_TIMEOUT

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 exitcode=66}

# run_prog PROG OUT: run PROG, its output to stdout and to OUT.  A
# deadlock, which the threaded test looks for, must not hang the run.
run_prog()
{
	timeout --foreground --kill-after=10 "${HARNESS_TIMEOUT:-600}" \
		"$1" 2>&1 | tee "$2"
}

passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for prog in "$@"; do
	[ -x "$prog" ] || { echo "${0##*/}: $prog: not built" >&2; exit 2; }
	name=${prog%/*}
	name=${name##*/}/${prog##*/}
	echo "== $name"
	rc=0
	with_progress "$name" 'echo "$(grep -c "^ok " "$out") tests passed"' \
		run_prog "$prog" "$out" || rc=$?
	add_totals "$name" "$out" "$rc"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
