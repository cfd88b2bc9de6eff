#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the zbud KUnit suite on pages larger than x86's 4 KiB: for each
# size in KUNIT_PAGES (KiB, default "16 64"), the tree's kunit.py builds
# an arm64 kernel from tools/testing/zbud/.kunitconfig with the aarch64
# cross compiler and boots it under qemu-system-aarch64.  The results are
# checked as kunit.sh checks them.  Ends with the line "N passed, N
# failed" over every page size.  Not part of make check: a cold build
# takes about 10 minutes for each page size.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"

KUNIT_PAGES=${KUNIT_PAGES:-16 64}
for size in $KUNIT_PAGES; do
	case $size in
	4 | 16 | 64) ;;
	*) die "KUNIT_PAGES='$KUNIT_PAGES': '$size' is not 4, 16 or 64" ;;
	esac
done

# kunit_py KIB BUILD LOG: build and boot in BUILD with KIB KiB pages, all
# of kunit.py's output in LOG.
kunit_py()
{
	# kunit.py reads and writes paths relative to the tree's top.  Its
	# arm64 CPU, cortex-a57, has no 16 KiB granule: a kernel with such
	# pages would stop before its first line.
	(cd "$tree" && CCACHE_DIR=$CACHE/ccache python3 \
		tools/testing/kunit/kunit.py run --arch=arm64 \
		--cross_compile=aarch64-linux-gnu- \
		--make_options="CC=ccache aarch64-linux-gnu-gcc" \
		--kunitconfig="$ZBUD_DIR" \
		--kconfig_add="CONFIG_ARM64_$1K_PAGES=y" \
		--qemu_args="-cpu max" \
		--build_dir="$2" --jobs="$JOBS" \
		--timeout="${KUNIT_TIMEOUT:-600}") >"$3" 2>&1
}

# run_suite KIB: build and boot the suite with KIB KiB pages; the run's
# console is $log, its configuration $out/config.
run_suite()
{
	local build=$CACHE/build/$id-kunit-arm64-$1k

	new_run_dir "kunit-$1k"
	out=$run
	log=$run/console.log
	note "KUnit on $1 KiB pages: building in $build (log: $run/kunit-py.log)"
	[ -f "$build/vmlinux" ] ||
		note "a cold build takes about 10 minutes"
	mkdir -p "$build"
	# A failed build must not leave an older run's console to parse.
	rm -f "$build/test.log"
	with_progress "KUnit on $1 KiB pages" \
		'echo "$(find "$build" -name "*.o" -newer "$run" | wc -l) objects built"' \
		kunit_py "$1" "$build" "$run/kunit-py.log" || true
	cp "$build/.config" "$out/config" 2>/dev/null || : >"$out/config"
	cp "$build/test.log" "$log" 2>/dev/null || : >"$log"
	check "the kernel has $1 KiB pages" \
		grep -qx "CONFIG_ARM64_$1K_PAGES=y" "$out/config"
	kunit_results zbud
	scan_console
}

"$ZBUD_DIR/kernel/deps.sh" gcc-aarch64-linux-gnu qemu-system-arm
lock_cache
src=$("$ZBUD_DIR/kernel/source.sh")
id=${src##*/}
sync_tree "$src" --replay
for size in $KUNIT_PAGES; do
	run_suite "$size"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
