#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the harness's test programs and total their "N passed, N failed"
# lines into one last line of the same form; exit non-zero on any
# failure.  A program that dies before its summary (a sanitizer report,
# a crash) or ends without one counts as one more failure.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: ${0##*/} PROGRAM..." >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 exitcode=66}

passed=0
failed=0
for prog in "$@"; do
	[ -x "$prog" ] || { echo "${0##*/}: $prog: not built" >&2; exit 2; }
	name=${prog%/*}
	name=${name##*/}/${prog##*/}
	echo "== $name"
	out=$(mktemp)
	rc=0
	"$prog" 2>&1 | tee "$out" || rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1 ||
	       true)
	rm -f "$out"
	p=0
	f=0
	if [ -n "$line" ]; then
		p=${line%% *}
		f=${line#* passed, }
		f=${f%% *}
	fi
	if [ -z "$line" ]; then
		echo "not ok - $name printed no summary (exit status $rc)"
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
