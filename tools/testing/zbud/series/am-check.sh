#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: am-check.sh
#
# Apply the patches in outgoing/ with git am, as a maintainer would, onto
# a clean worktree of the base commit (the pristine tree), and check that
# the result is exactly the series.  Then check that the series' last
# patch leaves the tree that kernel/apply-overlay.sh makes of the same
# sources (generate.sh keeps a copy of them in $SCACHE/overlay-src/): the
# same files, byte for byte, but for what only the series adds
# (SERIES_ONLY).  Two counted checks; the last line is "N passed, N
# failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lock_series
base=$(series_base)
tip=$(sgit rev-parse "refs/heads/$BRANCH")
log=$SCACHE/logs/am.log
mkdir -p "$SCACHE/logs"
: >"$log"

patches=$(list_patches)
[ -n "$patches" ] || die "no patches in $OUTGOING: run generate.sh first"

# git's own errors go to the log, with the rest of its output.
add_worktree()
{
	sgit worktree add -q --detach "$SAM" "$base" 2>>"$log"
}

prepare()
{
	if [ -f "$SAM/.git" ] && git -C "$SAM" rev-parse -q --verify HEAD \
		>/dev/null 2>&1; then
		git -C "$SAM" am --abort >/dev/null 2>&1 || true
		git -C "$SAM" checkout -q -f --detach "$base" &&
			git -C "$SAM" clean -q -f -d -x
	else
		rm -rf "$SAM" &&
			sgit worktree prune &&
			with_progress "checking out the base into $SAM (once)" \
				'echo "$(du -sm "$SAM" | cut -f1) MiB"' \
				add_worktree 2>&7
	fi
}

# The committer is whoever applies the patches; git am needs one.
# shellcheck disable=SC2086
# The log takes git's output; waiting and progress go to stderr (fd 7).
exec 7>&2
if (lock_cache 2>&7 && prepare) >>"$log" 2>&1 &&
   git -C "$SAM" -c user.name="zbud series" -c user.email=zbud@localhost \
	am -q --whitespace=error $patches >>"$log" 2>&1; then
	applied=$(git -C "$SAM" rev-list --count "$base..HEAD")
	if [ "$(git -C "$SAM" rev-parse 'HEAD^{tree}')" != \
	     "$(sgit rev-parse "$tip^{tree}")" ]; then
		fail "git am: the applied tree differs from the series"
		git -C "$SAM" diff --stat HEAD "$tip" | sed 's/^/  /'
	else
		pass "git am of $applied patches onto $(sgit log -1 --format=%s "$base")"
	fi
else
	fail "git am onto $(sgit log -1 --format=%s "$base"), see $log"
	tail -n 10 "$log" | sed 's/^/  /'
fi

# Files the series adds that apply-overlay.sh leaves out: the KUnit
# config, which kunit.py takes from the repository itself.
SERIES_ONLY="tools/testing/zbud/.kunitconfig"

# The tree apply-overlay.sh makes against the series' last patch.
overlay_check()
{
	local ov=$SCACHE/overlay-src/tools/testing/zbud/kernel/apply-overlay.sh
	local t=$SCACHE/overlay-tree src f differ=""

	if grep -qs 'left out' "$SCACHE/partial"; then
		note "not compared with apply-overlay.sh: $(cat "$SCACHE/partial")"
		return
	fi
	src=$(cat "$SCACHE/base-source" 2>/dev/null) && [ -x "$ov" ] ||
		die "no copy of the sources in $SCACHE: run generate.sh first"
	# Only what apply-overlay.sh writes lands in $t: the files it
	# patches or copies in.  It wants a Makefile there.
	rm -rf "$t"
	mkdir -p "$t"
	cp "$src/Makefile" "$t/Makefile"
	if ! "$ov" "$t" "$src" >>"$log" 2>&1; then
		fail "apply-overlay.sh onto $src, see $log"
		tail -n 5 "$log" | sed 's/^/  /'
		return
	fi
	while read -r f; do
		if ! sgit cat-file -e "$tip:$f" 2>/dev/null; then
			differ+=" $f (not in the series)"
		elif ! sgit cat-file blob "$tip:$f" | cmp -s - "$t/$f"; then
			differ+=" $f"
		fi
	done < <(cd "$t" && find . -type f | sed 's|^\./||' | sort)
	while read -r f; do
		case " $SERIES_ONLY " in
		*" $f "*) continue ;;
		esac
		[ -f "$t/$f" ] || differ+=" $f (not from apply-overlay.sh)"
	done < <(sgit diff --name-only "$base" "$tip")
	rm -rf "$t"
	if [ -n "$differ" ]; then
		fail "the series' last patch and apply-overlay.sh differ in:$differ"
	else
		pass "the series' last patch gives apply-overlay.sh's tree"
	fi
}
overlay_check
summary
