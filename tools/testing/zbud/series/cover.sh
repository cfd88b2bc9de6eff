#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: cover.sh
#
# Render the cover letter of the series in outgoing/ from cover.txt, the
# saved results of `make bench`, `make vm` and (if there) the KUnit run
# under tools/testing/zbud/results/, and the checks of the last full
# `make series` run of this very series.  generate.sh calls it, and
# run.sh again once the checks have passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

raw=$SCACHE/cover-letter.raw
[ -f "$raw" ] && [ -f "$SCACHE/cover-letter.name" ] ||
	die "no raw cover letter: run generate.sh first"
out=$OUTGOING/$(cat "$SCACHE/cover-letter.name")
tip_tree=$(sgit rev-parse "refs/heads/$BRANCH^{tree}")
version=$(sgit log -1 --format=%s refs/zbud/base)
version=${version#Linux }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One result file: a heading, its age, its text indented.
result()
{
	local file=$RESULTS/$1 what=$2 how=$3

	if [ -s "$file" ]; then
		printf '%s (%s, saved %s):\n\n' "$what" "$how" \
			"$(date -u -r "$file" '+%Y-%m-%d %H:%M UTC')"
		sed 's/^/  /; s/[[:space:]]*$//' "$file"
	else
		printf '%s: omitted, no tools/testing/zbud/results/%s.\n' \
			"$what" "$1"
		printf 'Save the output of `%s` there,\n' "$how"
		printf 'then run `make -C tools/testing/zbud series` again.\n'
	fi
}

{
	result kunit.txt "KUnit" "make -C tools/testing/zbud kunit"
	echo
	result bench.txt "Benchmarks" "make -C tools/testing/zbud bench"
	echo
	result vm.txt "zswap on zbud in QEMU" "make -C tools/testing/zbud vm"
} >"$tmp/results"

# run.sh writes checks.txt after a full run that passed: the tree it
# checked, then one line per kind of check.
if [ -f "$SCACHE/checks.txt" ] &&
   [ "$(head -n1 "$SCACHE/checks.txt")" = "tree $tip_tree" ]; then
	tail -n +2 "$SCACHE/checks.txt" >"$tmp/checks"
else
	cat >"$tmp/checks" <<'END'
*** CHECKS NOT RUN: `make -C tools/testing/zbud series` fills this in ***
END
fi

grep -v '^#' "$SERIES_DIR/cover.txt" | sed '/./,$!d' >"$tmp/text"
subject=$(head -n1 "$tmp/text")
tail -n +2 "$tmp/text" | sed '/./,$!d' | awk -v r="$tmp/results" \
	-v c="$tmp/checks" -v v="$version" '
	function cat(f,  line) {
		while ((getline line < f) > 0)
			print line
	}
	$0 == "@RESULTS@" { cat(r); next }
	$0 == "@CHECKS@" { cat(c); next }
	{ gsub(/@VERSION@/, v); print }' >"$tmp/body"

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
