#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: split.sh extract DIR
#        split.sh save DIR
#
# Edit the earlier versions of files that the series builds up over
# several patches (mm/zbud.c: patches 1 to 4 and 11; include/linux/zbud.h:
# 4 and 11; mm/zbud_kunit.c: 5 and 11; Documentation/mm/zbud.rst: 6 and
# 11).  The repository holds only the final files and, in
# series/split/N-name.diff, what patch N changes in them.
#
#   extract  writes DIR/<file>@<P>, the file as patch P leaves it, for
#            every version the diffs give, and DIR/<file>, the final one
#            (from the files on disk); DIR must be new or empty
#   save     remakes every series/split/N-name.diff: for each file in
#            it, the diff from DIR/<file>@<P> (P is N-1, or what the
#            diff's "# from: <file>@<P>" line names) to the file's next
#            version in DIR, or to the repository's file if no later diff
#            changes it; keeps the diff's comment lines and records the
#            sha1 of each DIR/<file>@<P> ("# sha1:" lines), which
#            generate.sh checks
#
# A diff for a patch that changes a file again after others left it
# alone (11-compact.diff: mm/zbud_kunit.c as patch 5 left it) names that
# version in a "# from:" line.  To add a file to a diff, add a
# "+++ b/<file>" line to it (and a "# from:" line if needed), put the
# version in DIR and save.
#
# After a change to a final file that a diff no longer undoes (or that
# undoes to another version than the one saved), extract fails: extract
# from a revision where it did (SERIES_REV=HEAD^), or put the versions
# in DIR by hand, then save.
set -euo pipefail
# extract reads the files on disk unless SERIES_REV names a commit.
SERIES_REV=${SERIES_REV:-worktree}
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] && { [ "$1" = extract ] || [ "$1" = save ]; } ||
	die "usage: ${0##*/} extract|save DIR"
dir=$2

if [ "$1" = extract ]; then
	# Versions left from another extract would be undone again.
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] ||
		die "$dir is not empty: extract into a new directory"
	mkdir -p "$dir"
	split_states "$dir"
	[ -n "$(ls "$dir")" ] || die "no diffs in series/split as of $SERIES_REV"
	(cd "$dir" && find . -type f | sed 's|^\./||' | sort) >&3
	exit 0
fi 3>&1

splitdir=$SERIES_DIR/split
diffs=$(SERIES_REV=worktree split_diffs n)
[ -n "$diffs" ] || die "no diffs in $splitdir"

# next_version N FILE: the version of FILE that diff N leads to: where
# the next diff changing FILE starts, or the repository's file.
next_version()
{
	local n=$1 f=$2 d m p

	for d in $diffs; do
		m=${d%%-*}
		[ "$m" -gt "$n" ] || continue
		grep -qxF "+++ b/$f" "$splitdir/$d" || continue
		p=$(split_from "$splitdir/$d" "$m" "$f")
		[ "$p" -ge "$n" ] ||
			die "$d changes $f from its version of patch $p," \
			    "but patch $n changes it: fix its '# from:' line"
		echo "$dir/$f@$p"
		return
	done
	echo "$REPO/$f"
}

# Each diff is remade beside itself first: never leave those behind.
trap 'rm -f "$splitdir"/*.diff.new' EXIT
for d in $diffs; do
	n=${d%%-*}
	files=$(sed -n 's|^+++ b/||p' "$splitdir/$d")
	[ -n "$files" ] || die "$d names no file (+++ b/ line)"
	{
		grep '^#' "$splitdir/$d" | grep -v '^# sha1: '
		for f in $files; do
			old=$dir/$f@$(split_from "$splitdir/$d" "$n" "$f")
			new=$(next_version "$n" "$f")
			[ -f "$old" ] && [ -f "$new" ] ||
				die "$d needs $old and $new"
			echo "# sha1: ${old#"$dir/"} $(sha1sum <"$old" |
				cut -d' ' -f1)"
		done
		for f in $files; do
			old=$dir/$f@$(split_from "$splitdir/$d" "$n" "$f")
			new=$(next_version "$n" "$f")
			diff -u --label "a/$f" --label "b/$f" "$old" "$new" ||
				[ $? -eq 1 ] || die "diff failed on $f"
		done
	} >"$splitdir/$d.new"
done
# Every diff is made before any replaces its old self: a failure above
# leaves them all as they were.
for d in $diffs; do
	mv "$splitdir/$d.new" "$splitdir/$d"
	note "remade series/split/$d"
done
