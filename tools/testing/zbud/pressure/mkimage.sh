#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: mkimage.sh KERNEL_OUT
#
# Make the compile job's read-only disk for the guest and print its path.
# KERNEL_OUT is a directory made by kernel/build.sh (its "info" names the
# tree and the build directory).  The image is ext2 (mke2fs -d, no root
# needed) and holds:
#   - this host's gcc, cc1, as, ld, make, sh, bash and the few coreutils
#     the job's Makefile uses, with every shared library ldd finds, at
#     the paths they have here (the guest chroots into the image);
#   - /w/src: the sources and headers of PRESSURE_OBJS objects of the
#     configured tree (their .cmd files list every header cpp opened),
#     /w/obj: the build directory's generated headers and a Makefile
#     that builds those objects with the kernel's own command lines,
#     relative paths only, into $(OUT) (default /out, a tmpfs);
#   - /w/spawnfix.so, which the guest preloads into make (spawnfix.c);
#   - /w/ref.sha256: the objects' checksums from a reference build made
#     here on the host from the same files, same compiler, same command
#     lines and same relative paths; the guest's objects must match it.
# Objects are taken from mm/, then kernel/, then lib/, in sorted order:
# a fixed set for a given build directory.  The image is cached under
# $CACHE/pressure/ by a hash of everything that goes into it.
#
# Knob: PRESSURE_OBJS (default 40), how many objects to compile.
set -euo pipefail
. "$(dirname "$0")/../kernel/lib.sh"
stdout_to_stderr

need_uint PRESSURE_OBJS 1 2000
nobjs=${PRESSURE_OBJS:-40}
[ $# -eq 1 ] && [ -f "$1/info" ] || die "usage: ${0##*/} KERNEL_OUT"
tree=$(sed -n 's/^tree=//p' "$1/info")
build=$(sed -n 's/^build=//p' "$1/info")
[ -d "$tree" ] && [ -f "$build/.config" ] ||
	die "$1/info names no usable tree ('$tree') and build ('$build')"
command -v mke2fs >/dev/null || die "mke2fs missing (package e2fsprogs)"
# The tree and the build directory are shared: a make check rewriting
# them meanwhile would stage a mixed set.
lock_cache

# The objects: a .c compiled with one gcc command line each.
pick_objects()
{
	local dir cmd

	for dir in mm kernel lib; do
		for cmd in "$build/$dir"/.*.o.cmd; do
			[ -f "$cmd" ] || continue
			grep -q "^cmd_$dir/[^ ]*\.o := .*gcc .* -c -o .*\.c" \
				"$cmd" || continue
			grep -q '^source_.* := .*\.c$' "$cmd" || continue
			echo "$cmd"
		done
	done | head -n "$nobjs"
}

mapfile -t cmds < <(pick_objects)
[ ${#cmds[@]} -eq "$nobjs" ] ||
	die "only ${#cmds[@]} objects in $build to pick from, want $nobjs"

BINS="gcc $(gcc -print-prog-name=cc1) as ld make sh bash sha256sum mkdir
rm cat env cut"
GCCLIB=$(dirname "$(gcc -print-prog-name=cc1)")

key=$({ cat "$0" "$(dirname "$0")/spawnfix.c" "${cmds[@]}"; gcc -v 2>&1; for b in $BINS; do
	sha1sum "$(realpath "$(command -v "$b")")"; done; } |
	sha1sum | cut -c1-12)
img=$CACHE/pressure/toolchain-$key.img
if [ -s "$img" ] && [ -s "$img.sha256" ]; then
	note "toolchain image $img is up to date"
	result "$img"
	exit 0
fi
mkdir -p "$CACHE/pressure"
stage=$(mktemp -d "$CACHE/pressure/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root

# add_path PATH: copy PATH into $root at the same place, recreating each
# symlink on the way (a link in a directory component too: Debian's
# /lib -> usr/lib), so the guest resolves the same names.
add_path()
{
	local p=$1 dir base target

	[ -e "$root$p" ] || [ -L "$root$p" ] && return 0
	dir=$(dirname "$p") base=$(basename "$p")
	if [ "$dir" != / ]; then
		add_path "$dir"
		# The copy of a linked directory resolves in $root too.
		dir=$(realpath "$dir")
	fi
	[ -e "$root$dir/$base" ] || [ -L "$root$dir/$base" ] && return 0
	if [ -L "$dir/$base" ]; then
		target=$(readlink "$dir/$base")
		ln -s "$target" "$root$dir/$base"
		case $target in
		/*) add_path "$target" ;;
		*) add_path "$dir/$target" ;;
		esac
	elif [ -d "$dir/$base" ]; then
		mkdir -p "$root$dir/$base"
	else
		cp -p "$dir/$base" "$root$dir/$base"
	fi
}

note "staging the toolchain into $stage"
mkdir -p "$root"
for b in $BINS; do
	p=$(command -v "$b") || die "$b not found on this host"
	add_path "$p"
	# A static binary or a script has no libraries: ldd fails.
	{ ldd "$(realpath "$p")" 2>/dev/null || true; } |
		{ grep -o '/[^ ]*' || true; } |
		while read -r lib; do add_path "$lib"; done
done
add_path /bin/sh
# The gcc lib dir, less the compilers of other languages and LTO.
(cd "$GCCLIB" && find . \( -name cc1plus -o -name f951 -o -name gnat1 \
	-o -name lto1 -o -name 'ada*' -o -name finclude \) -prune -o \
	\( -type f -o -type l \) -print) | while read -r f; do
	add_path "$GCCLIB/${f#./}"
done
for f in "$root$GCCLIB"/*.so*; do
	[ -L "$f" ] || continue
	add_path "$(realpath -m "$GCCLIB/$(readlink "$f")")" 2>/dev/null ||
		true
done
mkdir -p "$root/proc" "$root/dev" "$root/tmp" "$root/out" "$root/w"
# make's posix_spawn needs CONFIG_MULTIUSER without it (spawnfix.c).
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$root/w/spawnfix.so" \
	"$(dirname "$0")/spawnfix.c" || die "cannot build spawnfix.c"

# The sources: each object's .c and the headers its .cmd lists, from the
# tree into w/src and from the build directory into w/obj.
note "staging ${#cmds[@]} objects of $build"
w=$root/w
mkdir -p "$w/src" "$w/obj"
objs=()
# fixdep leaves autoconf.h out of the lists: take the generated headers
# whole (they are small).
for d in include/generated arch/x86/include/generated; do
	mkdir -p "$w/obj/$d"
	cp -a "$build/$d/." "$w/obj/$d/"
done
{
	echo "# SPDX-License-Identifier: GPL-2.0-only"
	echo "# Made by mkimage.sh: ${#cmds[@]} objects of the configured tree."
	echo "OUT ?= /out"
} >"$w/obj/Makefile.objs"
for cmd in "${cmds[@]}"; do
	o=$(sed -n 's/^cmd_\([^ ]*\.o\) := .*/\1/p' "$cmd")
	objs+=("$o")
	# Dependencies: "source_X := FILE" and the deps_X list.
	sed -n -e 's/^source_[^ ]* := //p' \
	       -e '/^deps_/,/^$/{s/^ *//; s/ *\\$//; s/^deps_.*:= *//; p}' \
		"$cmd" | grep -v -e '^\$(wildcard' -e '^$' | sort -u |
	while read -r f; do
		case $f in
		"$tree"/*) rel=src/${f#"$tree"/} ;;
		/*) continue ;;	# the compiler's own headers
		*) rel=obj/$f ;;
		esac
		src=$f
		[ "${f#/}" != "$f" ] || src=$build/$f
		[ -f "$src" ] || die "$src (needed by $o) is missing"
		[ -e "$w/$rel" ] && continue
		mkdir -p "$(dirname "$w/$rel")"
		cp -p "$src" "$w/$rel"
	done
	# The command line, relative paths only: cwd is w/obj, the tree is
	# ../src.  No dependency file, no ccache, nothing after the compile
	# (objtool); the output goes under $(OUT).
	line=$(sed -n "s/^cmd_$(sed 's/[./]/\\&/g' <<<"$o") := //p" "$cmd")
	line=${line%%;*}
	line=${line//"$tree"/../src}
	line=$(sed -e 's/^ccache //' -e 's/-Wp,-MMD,[^ ]* //' \
		-e "s| -o $o | -o \$(OUT)/$o |" <<<"$line")
	case $line in
	*/work/*|*"$CACHE"*) die "an absolute path is left in: $line" ;;
	esac
	printf '\n$(OUT)/%s:\n\t@mkdir -p $(@D)\n\t%s\n' "$o" "$line" \
		>>"$w/obj/Makefile.objs"
done
{
	echo
	echo "OBJS := ${objs[*]}"
	echo 'all: $(addprefix $(OUT)/,$(OBJS))'
	echo '.PHONY: all'
	echo '.DEFAULT_GOAL := all'
} >>"$w/obj/Makefile.objs"
mv "$w/obj/Makefile.objs" "$w/obj/Makefile"

note "reference build of ${#cmds[@]} objects on the host"
ref=$stage/ref
with_progress "reference build" \
	'echo "$(find "$ref" -name "*.o" 2>/dev/null | wc -l) objects"' \
	make -s -C "$w/obj" -j"$JOBS" OUT="$ref" ||
	die "the reference build failed on the host"
(cd "$ref" && sha256sum "${objs[@]}") >"$w/ref.sha256"

size=$(du -sm "$root" | cut -f1)
note "making an ext2 image of $size MiB"
mke2fs -q -t ext2 -F -L zbudtc -b 4096 -m 0 -N 20000 -d "$root" \
	"$stage/img" "$((size + size / 4 + 32))M" ||
	die "mke2fs -d failed"
cp "$w/ref.sha256" "$img.sha256"
mv "$stage/img" "$img"
result "$img"
