#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: split.sh extract DIR
#        split.sh save DIR
#
# Edit the earlier versions of files that the series builds up over
# several patches (mm/zbud.c: patches 1 to 4).  The repository holds
# only the final file and, in series/split/N-name.diff, what patch N
# changes in it.
#
#   extract  writes DIR/<file>@<N>, the file as patch N leaves it, for
#            every version the diffs give, and DIR/<file>, the final one
#            (from the files on disk)
#   save     remakes every series/split/N-name.diff from DIR/<file>@<N-1>
#            and the next version (DIR/<file>@<N>, or the repository's
#            file for the last diff), keeping the diff's comment lines
#
# After a change to mm/zbud.c that a diff no longer undoes, extract
# fails: extract from the previous commit instead (SERIES_REV=HEAD^),
# bring the versions up to date by hand and save.
set -euo pipefail
# extract reads the files on disk unless SERIES_REV names a commit.
SERIES_REV=${SERIES_REV:-worktree}
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] && { [ "$1" = extract ] || [ "$1" = save ]; } ||
	die "usage: ${0##*/} extract|save DIR"
dir=$2

if [ "$1" = extract ]; then
	mkdir -p "$dir"
	split_states "$dir"
	[ -n "$(ls "$dir")" ] || die "no diffs in series/split as of $SERIES_REV"
	(cd "$dir" && find . -type f | sed 's|^\./||' | sort) >&3
	exit 0
fi 3>&1

splitdir=$SERIES_DIR/split
last=$(cd "$splitdir" && ls | sort -t- -k1,1n | tail -1)
for d in $(cd "$splitdir" && ls | sort -t- -k1,1n); do
	n=${d%%-*}
	files=$(sed -n 's|^+++ b/||p' "$splitdir/$d")
	{
		grep '^#' "$splitdir/$d"
		for f in $files; do
			old=$dir/$f@$((n - 1))
			new=$dir/$f@$n
			[ "$d" = "$last" ] && new=$REPO/$f
			[ -f "$old" ] && [ -f "$new" ] ||
				die "$d needs $old and $new"
			diff -u --label "a/$f" --label "b/$f" "$old" "$new" ||
				[ $? -eq 1 ] || die "diff failed on $f"
		done
	} >"$splitdir/$d.new"
	mv "$splitdir/$d.new" "$splitdir/$d"
	note "remade series/split/$d"
done
