#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: mkcorpus.sh TREE
#
# Make the workload's corpus disk, $CACHE/vm/corpus-v1.img, once, and
# print its path.  It is a raw concatenation of real files: C sources
# from the kernel TREE and the binaries and libraries of this system, so
# pages compress to the thin and fat sizes real data has.  Each class is
# capped, and files are taken in sorted order.  TREE is a tree in CACHE
# that other jobs patch under lock_cache, so the corpus is read under it.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
stdout_to_stderr

CAP_MIB=24

[ $# -eq 1 ] && [ -d "$1/mm" ] || die "usage: ${0##*/} TREE"
img=$CACHE/vm/corpus-v1.img
[ -s "$img" ] || lock_cache
# Another job may have made it while this one waited for the lock.
if [ -s "$img" ]; then
	result "$img"
	exit 0
fi

# Concatenate, up to CAP_MIB, the files that find(1) with arguments "$@"
# lists.  The list goes through a file: cutting the output short must
# not kill find or sort.
take()
{
	find "$@" -print0 | sort -z >"$tmp.list"
	xargs -0 cat <"$tmp.list" 2>/dev/null | head -c $((CAP_MIB << 20)) ||
		true
}

mkdir -p "$CACHE/vm"
tmp=$(mktemp "$img.XXXXXX")
trap 'rm -f "$tmp" "$tmp.list"' EXIT
{
	take "$1/mm" "$1/kernel" "$1/fs" "$1/lib" -name '*.[ch]'
	take /usr/bin -maxdepth 1 -type f
	take /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*'
} >"$tmp"
[ "$(stat -c %s "$tmp")" -gt $((CAP_MIB << 20)) ] ||
	die "the corpus came out too small"
chmod 644 "$tmp"
mv "$tmp" "$img"
result "$img"
