#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: am-check.sh
#
# Apply the patches in outgoing/ with git am, as a maintainer would, onto
# a clean worktree of the base commit (the pristine tree), and check that
# the result is exactly the series.  One counted check; the last line is
# "N passed, N failed".
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

prepare()
{
	if [ -f "$SAM/.git" ] && git -C "$SAM" rev-parse -q --verify HEAD \
		>/dev/null 2>&1; then
		git -C "$SAM" am --abort >/dev/null 2>&1 || true
		git -C "$SAM" checkout -q -f --detach "$base"
		git -C "$SAM" clean -q -f -d -x
	else
		note "checking out the base into $SAM (once)"
		rm -rf "$SAM"
		sgit worktree prune
		sgit worktree add -q --detach "$SAM" "$base"
	fi
}

# The committer is whoever applies the patches; git am needs one.
# shellcheck disable=SC2086
if (lock_cache && prepare) >>"$log" 2>&1 &&
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
summary
