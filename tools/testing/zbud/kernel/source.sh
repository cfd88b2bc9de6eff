#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Make a pristine 6.1 tree under $CACHE/src/ and print its path.
#
# Without KDIR, Debian's /usr/src/linux-source-6.1.tar.xz is extracted
# once.  With KDIR=<6.1.y tree>, that tree is mirrored with rsync on every
# run (only changed files are copied) and never written to.  The path is
# all it prints on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
stdout_to_stderr

TARBALL=/usr/src/linux-source-6.1.tar.xz

check_61()
{
	local ver

	ver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$1/Makefile" \
	      2>/dev/null | paste -sd.) || true
	[ "$ver" = 6.1 ] && [ -f "$1/mm/zbud.c" ] ||
		die "$2 is not a Linux 6.1 tree (version '${ver:-none}')"
}

if [ -n "${KDIR:-}" ]; then
	[ -d "$KDIR" ] || die "KDIR=$KDIR is not a directory"
	check_61 "$KDIR" "KDIR=$KDIR"
fi
lock_cache
mkdir -p "$CACHE/src"
"$ZBUD_DIR/kernel/deps.sh"
if [ -n "${KDIR:-}" ]; then
	dst=$CACHE/src/kdir-$(realpath "$KDIR" | sha1sum | cut -c1-10)
	# Leave out git data and in-tree build state: the out-of-tree build
	# would refuse the copy, or worse, its include path puts the source
	# tree first and would read the user's own generated/autoconf.h.
	with_progress "copying $KDIR" 'echo "$(du -sm "$dst" | cut -f1) MiB"' \
		rsync -a --delete --delete-excluded --exclude=/.git \
		--exclude=/.config \
		--exclude=/include/config/ --exclude=/include/generated/ \
		--exclude='/arch/*/include/generated/' "$KDIR/" "$dst/" >&2
else
	[ -f "$TARBALL" ] ||
		die "$TARBALL missing: install linux-source-6.1 or set KDIR"
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
	      stat -c %Y "$TARBALL")
	dst=$CACHE/src/debian-$ver
	if [ ! -d "$dst" ]; then
		note "extracting $TARBALL into $dst"
		rm -rf "$dst.tmp"
		mkdir -p "$dst.tmp"
		with_progress "extracting linux-source-6.1" \
			'echo "$(du -sm "$dst.tmp" | cut -f1) MiB written"' \
			tar -xJf "$TARBALL" -C "$dst.tmp" --strip-components=1
		mv "$dst.tmp" "$dst"
	fi
fi
check_61 "$dst" "$dst"
result "$dst"
