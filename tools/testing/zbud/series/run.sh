#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: run.sh lint|series
#
#   lint    generate the series, then lint.sh's checks (checkpatch,
#           kernel-doc, Sphinx, sparse/W=1 and more) in the CONFIG_ZBUD=y
#           build (lint.sh y).  Quick once the
#           scratch tree and its build directory exist; part of
#           `make -C tools/testing/zbud check`.
#   series  generate, build every step with CONFIG_ZBUD=y and =m
#           (bisect-build.sh), lint with sparse/W=1 in both builds, and
#           git am the patches onto the base (am-check.sh).  When all of
#           it passes, the cover letter is written, with the list of
#           checks and the saved results (cover.sh), or refused; none
#           for a series that generate.sh made with SERIES_PARTIAL=1
#           and that left out a patch or kept a placeholder.  The
#           patches reach outgoing/ only when every check passed.
#
# Every check prints a PASS or FAIL line; the last line is the total,
# "N passed, N failed", and the exit status is 1 if anything failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-}
case $mode in
lint | series) ;;
*) die "usage: ${0##*/} lint|series" ;;
esac

# A series goes to outgoing/ only once every check passed: it is made
# and checked in the cache, so a failed run leaves the last good one.
final=
if [ "$mode" = lint ]; then
	export SERIES_OUTGOING=$SCACHE/outgoing-lint SERIES_LINT=1
else
	final=$OUTGOING
	export SERIES_OUTGOING=$SCACHE/outgoing-staged
fi
OUTGOING=$SERIES_OUTGOING
lock_series
start=$SECONDS
# The cover letter lists checks only after a full run passed on this tree.
[ "$mode" = lint ] || rm -f "$SCACHE/checks.txt"

# run SCRIPT ARGS...: run a check script and add its total to ours.  Its
# own total is shown with its name in front: only our last line is bare.
run()
{
	local out rc=0

	out=$SCACHE/logs/run-${1%.sh}.out
	mkdir -p "$SCACHE/logs"
	"$SERIES_DIR/$1" "${@:2}" | tee "$out" | name_totals "${1%.sh}" ||
		rc=$?
	add_totals "$1" "$out" "$rc"
}

# Generation is a check too: without it there is nothing to lint.
if "$SERIES_DIR/generate.sh"; then
	pass "generate $(ls "$OUTGOING"/*.patch | wc -l) files in ${OUTGOING##*/}/"
else
	fail "generate the series"
	summary
	exit 1
fi

if [ "$mode" = lint ]; then
	run lint.sh y
else
	run bisect-build.sh y m
	run lint.sh y m
	run am-check.sh
	if [ "$failed" -eq 0 ] && [ -f "$SCACHE/partial" ]; then
		# SERIES_PARTIAL=1: not for sending, so no cover letter.
		note "no cover letter: the series is not for sending" \
		     "(SERIES_PARTIAL: $(cat "$SCACHE/partial"))"
	elif [ "$failed" -eq 0 ]; then
		# The checks the cover letter lists, for this very tree.
		base=$(series_base)
		n=$(series_commits | wc -l)
		{
			echo "tree $(sgit rev-parse "refs/heads/$BRANCH^{tree}")"
			echo "- scripts/checkpatch.pl --strict: 0 errors, 0 warnings,"
			echo "  0 checks on each patch."
			echo "- Each of the $n steps builds, modules included, from"
			echo "  tinyconfig with CONFIG_ZBUD=y (with KUnit, DEBUG_VM"
			echo "  and MEMCG) and with CONFIG_ZBUD=m (KUnit and the"
			echo "  suite as modules), without warnings in its files."
			echo "- sparse $(sparse --version) and W=1 report nothing"
			echo "  on mm/zbud.o and mm/zbud_kunit.o in both builds."
			echo "- scripts/kernel-doc -none reports nothing on"
			echo "  mm/zbud.c and include/linux/zbud.h."
			echo "- git am applies the series to $(sgit log -1 \
				--format=%s "$base")."
		} >"$SCACHE/checks.txt"
		if "$SERIES_DIR/cover.sh"; then
			pass "cover letter, with this series' results"
		else
			fail "cover letter: see the error above"
		fi
	fi
fi
# A partial series (SERIES_PARTIAL=1) is not for sending: it stays in
# the cache too.
if [ -n "$final" ] && [ "$failed" -eq 0 ] && [ ! -f "$SCACHE/partial" ]; then
	mkdir -p "$final"
	rm -f "$final"/*.patch
	cp "$OUTGOING"/*.patch "$final"/
	OUTGOING=$final
elif [ -n "$final" ]; then
	note "$final keeps the last series that passed and was whole"
fi
note "series $mode: $((SECONDS - start)) s; patches in $OUTGOING"
summary
