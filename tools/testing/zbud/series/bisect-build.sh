#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: bisect-build.sh [CONFIG...]
#
# Build every step of the series, so that a bisect never lands on a tree
# that does not build: for each patch, in order, and for each CONFIG
# (default "y m", see configs/), configure from tinyconfig, check the
# options, and run a full make (vmlinux, bzImage and modules) out of tree
# with ccache at -j$SERIES_JOBS.  A step fails if it does not build, if
# the series' objects present at that step were not built (zbud.o and
# zbud_kunit.o built in, or their .ko), or if the compiler or modpost
# warned about the series' files (their objects are compiled at every
# step for that).  One counted check per step and
# CONFIG; the worktree is left at the last patch.
#
# The build directories are kept, so a rerun compiles only what the
# steps change.  Each build holds the shared cache lock, and says how far
# it got on stderr every PROGRESS_SECS (30) seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

configs=${*:-y m}
lock_series
base=$(series_base)
commits=$(series_commits)
total=$(echo "$commits" | wc -w)
mkdir -p "$SCACHE/logs"

# Objects of the series in the tree now, and what CONFIG builds of them.
expected_objects()
{
	local f obj

	for f in $SERIES_SOURCES; do
		case $f in
		*.c) ;;
		*) continue ;;
		esac
		[ -f "$STREE/$f" ] || continue
		obj=${f%.c}
		case $1 in
		m) echo "$obj.ko" ;;
		*) echo "$obj.o" ;;
		esac
	done
}

build_step()
{
	local cfg=$1 log=$2 obj missing=""

	checkout_tree "$commit" >>"$log" 2>&1 &&
		configure "$cfg" "$log" || {
		echo "cannot configure: $(tail -n 1 "$log")"
		return 1
	}
	# Compiled again at every step, so that every step shows its
	# warnings, not only the step that changed the file.
	for obj in $SERIES_SOURCES $SERIES_PATCHED_SOURCES; do
		rm -f "$SCACHE/build-$cfg/${obj%.[ch]}.o"
	done
	kmake "$cfg" "$log" -j"$SERIES_JOBS" || {
		echo "make failed:"
		grep -E '(error|Error)' "$log" | head -n 10
		return 1
	}
	for obj in $(expected_objects "$cfg"); do
		[ -f "$SCACHE/build-$cfg/$obj" ] || missing+=" $obj"
	done
	[ -z "$missing" ] || {
		echo "not built:$missing"
		return 1
	}
	series_warnings "$log" | grep . && return 1
	return 0
}

n=0
for commit in $commits; do
	n=$((n + 1))
	subject=$(sgit log -1 --format=%s "$commit")
	for cfg in $configs; do
		log=$SCACHE/logs/build-$n-$cfg.log
		: >"$log"
		what="build $n/$total ($cfg): $subject"
		start=$SECONDS
		# Progress on stderr while it builds: the first build of
		# each CONFIG compiles the whole tree.
		if out=$(lock_cache && with_progress "$what" \
			"echo \$(grep -c '^  CC' '$log') files compiled" \
			build_step "$cfg" "$log"); then
			pass "$what [$((SECONDS - start)) s]"
		else
			fail "$what, see $log"
			printf '%s\n' "$out" | sed 's/^/  /'
		fi
	done
done
[ "$n" -gt 0 ] || fail "no commits between the base $base and $BRANCH"
summary
