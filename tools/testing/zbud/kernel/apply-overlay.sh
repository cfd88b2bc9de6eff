#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: apply-overlay.sh [--replay] [--no-zswap] TREE [PRISTINE]
#
# Put the zbud series into the 6.1 tree TREE: copy in the series' own
# files, apply Kconfig.patch, include/linux/zpool.patch (zpool's move
# callback), mm/z3fold.patch and mm/zswap.patch (the fixes to 6.1's
# z3fold and zswap) and replace the ZBUD block of
# MAINTAINERS.
# --replay also builds in the test pipeline's trace replay
# (replay/zbud_replay.c as mm/zbud_replay.c), which is not part of the
# series.  --no-zswap leaves out mm/z3fold.patch and mm/zswap.patch:
# our zbud under 6.1's own zswap.
# The files the patches edit are taken from PRISTINE (default TREE itself,
# which then must not carry an older version of the overlay).  A file of
# TREE is rewritten only when its content changes, so a rebuild after a
# rerun compiles only what really changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

replay=false
patches=$OVERLAY_PATCHES
while [ $# -gt 0 ]; do
	case $1 in
	--replay) replay=true ;;
	--no-zswap) patches=$OVERLAY_PATCHES_NO_ZSWAP ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] && [ $# -le 2 ] ||
	die "usage: ${0##*/} [--replay] [--no-zswap] TREE [PRISTINE]"
tree=$(realpath "$1")
base=$(realpath "${2:-$1}")
[ -f "$tree/Makefile" ] || die "$tree is not a kernel tree"
[ -f "$base/mm/Kconfig" ] || die "$base is not a kernel tree"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

for f in $(patched_files); do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$base/$f" "$stage/$f"
done

for p in $patches; do
	if [ "$tree" = "$base" ] &&
	   patch -p1 -R -s -f --dry-run -d "$stage" <"$REPO/$p" \
		>/dev/null 2>&1; then
		note "$p is already applied to $tree"
	elif ! patch -p1 -s -f --no-backup-if-mismatch -d "$stage" \
		<"$REPO/$p"; then
		die "$p does not apply to $base"
	fi
done
if [ "$patches" = "$OVERLAY_PATCHES_NO_ZSWAP" ] && [ "$tree" = "$base" ] &&
   patch -p1 -R -s -f --dry-run -d "$stage" <"$REPO/mm/zswap.patch" \
	>/dev/null 2>&1; then
	die "--no-zswap, but mm/zswap.patch is applied to $tree:" \
	    "give a pristine tree as PRISTINE"
fi

# The repo's MAINTAINERS holds just the ZBUD entry: from its title line
# to the next blank line.
if [ -f "$REPO/MAINTAINERS" ]; then
	sed -n '/^ZBUD COMPRESSED PAGE ALLOCATOR$/,/^$/p' "$REPO/MAINTAINERS" |
		sed '/^$/d' >"$stage/entry"
	[ -s "$stage/entry" ] ||
		die "$REPO/MAINTAINERS has no ZBUD COMPRESSED PAGE ALLOCATOR entry"
	grep -qx 'ZBUD COMPRESSED PAGE ALLOCATOR' "$stage/MAINTAINERS" ||
		die "$base/MAINTAINERS has no ZBUD entry to replace"
	awk -v entry="$stage/entry" '
		/^ZBUD COMPRESSED PAGE ALLOCATOR$/ {
			while ((getline line < entry) > 0)
				print line
			skip = 1
			next
		}
		skip && /^$/ { skip = 0 }
		!skip' "$stage/MAINTAINERS" >"$stage/MAINTAINERS.new"
	mv "$stage/MAINTAINERS.new" "$stage/MAINTAINERS"
	rm "$stage/entry"
else
	note "no MAINTAINERS in the repo, keeping the tree's"
fi

# A series file not (yet) in the repo falls back to the pristine one.
for f in $OVERLAY_FILES; do
	mkdir -p "$stage/$(dirname "$f")"
	if [ -f "$REPO/$f" ]; then
		cp "$REPO/$f" "$stage/$f"
	elif [ "$tree" != "$base" ] && [ -f "$base/$f" ]; then
		cp "$base/$f" "$stage/$f"
	elif [ "$tree" != "$base" ]; then
		note "$f is not in the repo, removing it from the tree"
		rm -f "$tree/$f"
	fi
done

if $replay; then
	cp "$ZBUD_DIR/replay/zbud_replay.c" "$stage/$REPLAY_FILE"
	echo 'obj-$(CONFIG_ZPOOL) += zbud_replay.o' >>"$stage/mm/Makefile"
fi

(cd "$stage" && find . -type f) | while read -r f; do
	f=${f#./}
	cmp -s "$stage/$f" "$tree/$f" && continue
	mkdir -p "$(dirname "$tree/$f")"
	cp "$stage/$f" "$tree/$f.zbud-new"
	mv "$tree/$f.zbud-new" "$tree/$f"
	note "updated $f"
done
