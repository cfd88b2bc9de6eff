#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: cover.sh
#
# Render the cover letter of the series in outgoing/ from cover.txt, the
# results that `make kunit`, `make bench` and `make vm` saved under
# tools/testing/zbud/results/, and the checks of the `make series` run
# that just passed on this very series; run.sh calls it then.  It
# refuses, and says which command to run, when a result is missing,
# was made from other sources than the series', or records a failure,
# and for a series that generate.sh made with SERIES_PARTIAL=1 and that
# left out a patch or kept a placeholder of a changelog.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

raw=$SCACHE/cover-letter.raw
[ -f "$raw" ] && [ -f "$SCACHE/cover-letter.name" ] ||
	die "no raw cover letter: run generate.sh first"
out=$OUTGOING/$(cat "$SCACHE/cover-letter.name")
tip_tree=$(sgit rev-parse "refs/heads/$BRANCH^{tree}")
version=$(sgit log -1 --format=%s refs/zbud/base)
version=${version#Linux }
src=$(cat "$SCACHE/base-source" 2>/dev/null) ||
	die "no $SCACHE/base-source: run generate.sh first"
case ${src##*/} in
debian-*)	base="Debian's linux-source-6.1 package, version ${src##*/debian-}" ;;
*)		base="the tree given as KDIR, Linux $version" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The sources the series is made of, to match results against.
want=$(series_hash)

# made_from FILE: the overlay hash on the first line of results/FILE.
made_from()
{
	sed -n '1s/^# overlay \([0-9a-f]*\),.*/\1/p' "$RESULTS/$1" 2>/dev/null
}

# quote_result FILE WHAT COMMAND: a heading and the saved result FILE,
# indented.
# Refuses a result that is missing, was made from other sources than the
# series', or records a failure: the cover letter quotes none of those.
quote_result()
{
	local file=$RESULTS/$1 what=$2 how=$3 made

	[ -s "$file" ] ||
		die "no $what result (tools/testing/zbud/results/$1): run" \
		    "\`$how\`, then make series again"
	made=$(made_from "$1")
	[ "$made" = "$want" ] ||
		die "results/$1 was made from other sources than the series'" \
		    "(${made:-unknown}, not $want): run \`$how\` again"
	! grep -q -E 'FAIL|[1-9][0-9]* failed' "$file" ||
		die "results/$1 records a failed run: fix it and run \`$how\`"
	printf '%s (`%s`, %s):\n\n' "$what" "$how" \
		"$(sed -n '1s/^# overlay [0-9a-f]*, //p' "$file")"
	sed '1d; s/^/  /; s/[[:space:]]*$//' "$file"
}

# quote_pressure: the pressure jobs take most of an hour and are not
# part of make check, so their result is optional: quoted like the
# others when it was made from the series' sources, else the letter says
# that it was not, rather than quote numbers of other code.
quote_pressure()
{
	local how="make -C tools/testing/zbud pressure"

	if [ -s "$RESULTS/pressure.txt" ] &&
	   [ "$(made_from pressure.txt)" = "$want" ]; then
		quote_result pressure.txt "Programs under memory pressure" "$how"
		return
	fi
	printf '%s\n' "Programs under memory pressure (\`$how\`): not run" \
		"on these sources; the changelogs of patches 9, 10 and 15" \
		"give the measurements that chose them."
}

{
	quote_result kunit.txt "KUnit" "make -C tools/testing/zbud kunit"
	echo
	quote_result bench.txt "Benchmarks" "make -C tools/testing/zbud bench"
	echo
	quote_result vm.txt "zswap on zbud in QEMU" \
		"make -C tools/testing/zbud vm"
	echo
	quote_pressure
} >"$tmp/results"

# run.sh writes checks.txt after a full run that passed: the tree it
# checked, then one line per kind of check.
[ -f "$SCACHE/checks.txt" ] &&
	[ "$(head -n1 "$SCACHE/checks.txt")" = "tree $tip_tree" ] ||
	die "the checks of \`make -C tools/testing/zbud series\` have not" \
	    "passed on this series"
tail -n +2 "$SCACHE/checks.txt" >"$tmp/checks"
[ ! -f "$SCACHE/partial" ] ||
	die "the series is not for sending (SERIES_PARTIAL:" \
	    "$(cat "$SCACHE/partial")): no cover letter"

grep -v '^#' "$SERIES_DIR/cover.txt" | sed '/./,$!d' >"$tmp/text"
subject=$(head -n1 "$tmp/text")
tail -n +2 "$tmp/text" | sed '/./,$!d' | awk -v r="$tmp/results" \
	-v c="$tmp/checks" -v v="$version" -v b="$base" '
	function cat(f,  line) {
		while ((getline line < f) > 0)
			print line
	}
	$0 == "@RESULTS@" { cat(r); next }
	$0 == "@CHECKS@" { cat(c); next }
	{ gsub(/@VERSION@/, v); gsub(/@BASE@/, b); print }' >"$tmp/body"

awk -v s="$subject" -v b="$tmp/body" '
	/^Subject: / && !subj { sub(/\*\*\* SUBJECT HERE \*\*\*/, s); subj = 1 }
	$0 == "*** BLURB HERE ***" {
		while ((getline line < b) > 0)
			print line
		blurb = 1
		next
	}
	{ print }
	END { exit !(subj && blurb) }' "$raw" >"$tmp/cover" ||
	die "$raw has no subject or blurb placeholder"
mv "$tmp/cover" "$out"
