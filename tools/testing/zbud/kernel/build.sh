#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: build.sh [FLAVOUR [DEST]]
#
# Build an x86_64 bzImage out of tree, with ccache, from tinyconfig plus
# the fragments in configs/.  Reruns rebuild only what changed.  While
# still holding the cache lock, copy the result into DEST (default
# $CACHE/out/<source>-FLAVOUR): bzImage, config, System.map,
# gen_init_cpio and an "info" file naming the source tree and the build
# directory.  DEST is all it prints on stdout; progress goes to stderr,
# every 30 s while the kernel builds.  A job that boots its own DEST boots
# exactly what it built, whatever other jobs build meanwhile.
#
# FLAVOUR is one of
#   zbud        6.1 with the zbud series applied, KUnit suite built in
#   zbud-debug  the same plus KASAN, lockdep, DEBUG_VM, DEBUG_PAGEALLOC,
#               kmemleak and fail_page_alloc (configs/debug.config)
#   zbud-kcsan  the same plus KCSAN in strict mode (configs/kcsan.config)
#   zbud-zswap61  like zbud, but without mm/z3fold.patch and
#               mm/zswap.patch: our zbud under 6.1's own zswap
#   zbud-6.1    the same 6.1 source without the series
# zbud, zbud-debug and zbud-kcsan get the whole series, the z3fold and
# zswap fixes included.
# The zbud flavours share one patched tree, $CACHE/tree/<source>, which
# each build brings to its own state (only mm/z3fold.c and mm/zswap.c
# differ).
# The zbud flavours also carry the test-only trace replay
# (../replay/zbud_replay.c), which the series itself never contains.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
stdout_to_stderr

# Debian's 6.1 name for z3fold; an upstream 6.1.y tree has only Z3FOLD.
OPTIONAL_SYMS="CONFIG_Z3FOLD_DEPRECATED"

flavour=${1:-zbud}
case $flavour in
zbud)		fragments="base zswap kunit" ;;
zbud-debug)	fragments="base zswap kunit debug" ;;
zbud-kcsan)	fragments="base zswap kunit kcsan" ;;
zbud-zswap61)	fragments="base zswap kunit" ;;
zbud-6.1)	fragments="base zswap" ;;
*)		die "unknown flavour '$flavour'" \
		    "(zbud, zbud-debug, zbud-kcsan, zbud-zswap61, zbud-6.1)" ;;
esac
overlay_args=(--replay)
[ "$flavour" = zbud-zswap61 ] && overlay_args+=(--no-zswap)

kmake()
{
	make -C "$tree" O="$build" ARCH=x86_64 CC="ccache gcc" \
		HOSTCC="ccache gcc" "$@" >>"$log" 2>&1 ||
		{ tail -n 40 "$log" >&2; die "make $* failed, see $log"; }
}

# Every option a fragment asks for must have ended up in .config as asked.
verify_config()
{
	local line sym bad=()

	while read -r sym line; do
		case " $OPTIONAL_SYMS " in
		*" $sym "*)
			grep -q "$sym" "$build/.config" || continue
			;;
		esac
		bad+=("$line")
	done < <(config_unmet "$build/.config" "${frag_paths[@]}")
	[ ${#bad[@]} -eq 0 ] ||
		die "options not set as requested in $build/.config: ${bad[*]}"
}

"$ZBUD_DIR/kernel/deps.sh"
lock_cache
src=$("$ZBUD_DIR/kernel/source.sh")
id=${src##*/}
[ -n "$id" ] && [ -f "$src/Makefile" ] ||
	die "source.sh printed '$src', not a kernel tree"
if [ "$flavour" = zbud-6.1 ]; then
	tree=$src
else
	sync_tree "$src" "${overlay_args[@]}"
fi

build=$CACHE/build/$id-$flavour
out=${2:-$CACHE/out/$id-$flavour}
log=$build/zbud-build.log
mkdir -p "$build" "$out"
: >"$log"
export CCACHE_DIR=$CACHE/ccache
frag_paths=()
for f in $fragments; do
	frag_paths+=("$ZBUD_DIR/kernel/configs/$f.config")
done

# Configuring costs most of a no-change rerun, so it is redone only when
# its inputs change: the fragments, the compiler and mm/Kconfig (the one
# Kconfig file the overlay edits).
stamp=$(cat "${frag_paths[@]}" "$tree/mm/Kconfig" <(gcc --version) |
	sha1sum | cut -c1-40)
if [ -f "$build/.config" ] &&
   [ "$(cat "$build/zbud-config.stamp" 2>/dev/null)" = "$stamp" ]; then
	note "configuration of $flavour unchanged"
else
	note "configuring $flavour in $build"
	rm -f "$build/zbud-config.stamp"
	kmake tinyconfig
	# merge_config.sh puts its temporary file in the current directory.
	(cd "$build" && "$tree/scripts/kconfig/merge_config.sh" -m \
		-O "$build" "$build/.config" "${frag_paths[@]}") \
		>>"$log" 2>&1 || die "merge_config.sh failed, see $log"
	kmake olddefconfig
	echo "$stamp" >"$build/zbud-config.stamp"
fi
verify_config

note "building $flavour bzImage with -j$JOBS (log: $log)"
[ -f "$build/vmlinux" ] || case $flavour in
zbud-debug)	note "a cold build of $flavour takes about 8 minutes" ;;
*)		note "a cold build of $flavour takes about 3 minutes" ;;
esac
touch "$build/zbud-build.start"
with_progress "building $flavour" \
	'echo "$(find "$build" -name "*.o" -newer "$build/zbud-build.start" |
		wc -l) objects built"' \
	kmake -j"$JOBS" bzImage

# Readers (QEMU, other jobs) keep their open file: replace, do not rewrite.
for f in arch/x86/boot/bzImage:bzImage .config:config \
	 System.map:System.map usr/gen_init_cpio:gen_init_cpio; do
	cp "$build/${f%%:*}" "$out/${f#*:}.new"
	mv "$out/${f#*:}.new" "$out/${f#*:}"
done
# The KUnit checks count the cases of the source this kernel was built
# from; the shared tree may take another checkout's once the lock goes.
[ ! -f "$tree/mm/zbud_kunit.c" ] || cp "$tree/mm/zbud_kunit.c" "$out/"
printf 'flavour=%s\ntree=%s\nbuild=%s\n' "$flavour" "$tree" "$build" \
	>"$out/info"
result "$out"
