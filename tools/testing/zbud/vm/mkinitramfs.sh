#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: mkinitramfs.sh GEN_INIT_CPIO OUTPUT [TRACE...]
#
# Build the static /init and /bin/workload and pack them with the
# kernel's gen_init_cpio into the uncompressed cpio archive OUTPUT, with
# each TRACE file (for init's replay mode) under /traces.  No root
# needed: device nodes come from the cpio list.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"

[ $# -ge 2 ] && [ -x "$1" ] ||
	die "usage: ${0##*/} GEN_INIT_CPIO OUTPUT [TRACE...]"
gen=$1 output=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# gen_init_cpio's list separates its fields with blanks.
no_blanks()
{
	case $1 in
	*[[:space:]]*) die "$1: gen_init_cpio cannot take a path with blanks" ;;
	esac
}
no_blanks "$tmp"

build()
{
	local prog=$1

	shift
	gcc -static -O2 -Wall -Wextra -Werror -o "$tmp/$prog" "$@" \
		"$VM_DIR/util.c" || die "cannot build $prog"
}

build init "$VM_DIR/init.c" "$VM_DIR/stress.c"
build workload "$VM_DIR/workload.c" "$VM_DIR/stress.c"
cat >"$tmp/list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /bin 0755 0 0
file /init $tmp/init 0755 0 0
file /bin/workload $tmp/workload 0755 0 0
LIST
[ $# -eq 0 ] || echo "dir /traces 0755 0 0" >>"$tmp/list"
for t in "$@"; do
	[ -f "$t" ] || die "trace $t does not exist"
	case ${t##*/} in
	*[!A-Za-z0-9._-]*) die "trace name ${t##*/} has odd characters" ;;
	esac
	path=$(realpath "$t")
	no_blanks "$path"
	echo "file /traces/${t##*/} $path 0644 0 0" >>"$tmp/list"
done
"$gen" "$tmp/list" >"$output"
