#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: mkinitramfs.sh GEN_INIT_CPIO OUTPUT
#
# Build the static /init and /bin/workload and pack them with the
# kernel's gen_init_cpio into the uncompressed cpio archive OUTPUT.  No
# root needed: device nodes come from the cpio list.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"

[ $# -eq 2 ] && [ -x "$1" ] || die "usage: ${0##*/} GEN_INIT_CPIO OUTPUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for prog in init workload; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$tmp/$prog" \
		"$VM_DIR/$prog.c" || die "cannot build $prog.c"
done
cat >"$tmp/list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /bin 0755 0 0
file /init $tmp/init 0755 0 0
file /bin/workload $tmp/workload 0755 0 0
LIST
"$1" "$tmp/list" >"$2"
