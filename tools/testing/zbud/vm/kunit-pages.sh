#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the zbud KUnit suite on pages larger than x86's 4 KiB: for each
# size in KUNIT_PAGES (KiB, default "16 64 256"), the tree's kunit.py
# builds a kernel from tools/testing/zbud/.kunitconfig with a Debian
# cross compiler and boots it under QEMU: arm64 for 4, 16 and 64 KiB,
# and a 32-bit PowerPC 440 (vm/ppc44x_256k.py) for 256 KiB, the largest
# page 6.1 supports and the only one where zbud's unit is 16 bytes.
# The results are checked as kunit.sh checks them.  Ends with the line
# "N passed, N failed" over every page size.  Not part of make check: a
# cold build takes about 10 minutes for each page size.
#
# KUNIT_DEBUG=1 builds the kernels with the checkers each can have
# instead (in build directories of their own): lockdep, DEBUG_LIST and
# DEBUG_ATOMIC_SLEEP on all; KASAN and DEBUG_PAGEALLOC on arm64; page
# poisoning on the PowerPC 440, which 6.1 gives neither of those.  Any
# report on the console fails the run.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"
no_args "$@"

KUNIT_PAGES=${KUNIT_PAGES:-16 64 256}
[ -n "${KUNIT_PAGES// /}" ] || die "KUNIT_PAGES is empty: give page sizes in KiB"
case ${KUNIT_DEBUG:-0} in
0) timeout=600 ;;
# KASAN and lockdep slow a kernel several times over, and more when
# other jobs share the cores.
1) timeout=1800 ;;
*) die "KUNIT_DEBUG='$KUNIT_DEBUG': give 1 for the checkers, 0 for none" ;;
esac

# kernel_for KIB: the kernel that has KIB KiB pages.  Sets $arch (as
# named in its build directory), $option (the configuration line that
# gives the pages), $pkgs (the Debian packages it needs), $args
# (kunit.py's options for it) and, with KUNIT_DEBUG=1, $debug (its
# checkers' configuration lines, which $args then has too, with the
# kernel options they need); dies on a size it has no kernel for.
kernel_for()
{
	local debug_args=()

	debug=(CONFIG_PROVE_LOCKING=y CONFIG_DEBUG_LIST=y
	       CONFIG_DEBUG_ATOMIC_SLEEP=y)
	case $1 in
	4 | 16 | 64)
		arch=arm64
		option=CONFIG_ARM64_$1K_PAGES=y
		pkgs=(gcc-aarch64-linux-gnu qemu-system-arm)
		# kunit.py's arm64 CPU, cortex-a57, has no 16 KiB granule: a
		# kernel with such pages would stop before its first line.
		# QEMU's own pointer authentication is far cheaper to emulate
		# than the architected one, which every non-leaf function
		# runs (KASAN's checks among them).
		args=(--arch=arm64 --cross_compile=aarch64-linux-gnu-
		      --make_options="CC=ccache aarch64-linux-gnu-gcc"
		      --kconfig_add="$option"
		      --qemu_args="-cpu max,pauth-impdef=on")
		debug+=(CONFIG_KASAN=y CONFIG_KASAN_GENERIC=y
			CONFIG_DEBUG_PAGEALLOC=y
			CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT=y)
		;;
	256)
		arch=ppc44x
		option=CONFIG_PPC_256K_PAGES=y
		# A bamboo kernel's build makes U-Boot images too: mkimage.
		pkgs=(gcc-powerpc-linux-gnu qemu-system-ppc u-boot-tools)
		args=(--qemu_config="$VM_DIR/ppc44x_256k.py"
		      --cross_compile=powerpc-linux-gnu-
		      --make_options="CC=ccache powerpc-linux-gnu-gcc")
		# 6.1 has KASAN on 32-bit PowerPC only up to 16 KiB pages,
		# and DEBUG_PAGEALLOC not on the 440: poisoned free pages
		# catch a write after free when the page is next allocated.
		debug+=(CONFIG_PAGE_POISONING=y)
		debug_args=(--kernel_args=page_poison=1)
		;;
	*) die "KUNIT_PAGES='$KUNIT_PAGES': '$1' is not 4, 16, 64 or 256" ;;
	esac
	if [ "${KUNIT_DEBUG:-0}" = 1 ]; then
		args+=("${debug[@]/#/--kconfig_add=}" "${debug_args[@]}")
	else
		debug=()
	fi
}

# honours CONFIG LINE...: the .config CONFIG has every LINE (config_unmet
# prints none of them).
honours()
{
	local config=$1

	shift
	[ -z "$(config_unmet "$config" <(printf '%s\n' "$@"))" ]
}

deps=()
for size in $KUNIT_PAGES; do
	kernel_for "$size"
	deps+=("${pkgs[@]}")
done

# kunit_py BUILD LOG: build and boot kernel_for's kernel in BUILD, all of
# kunit.py's output in LOG.  kunit.py reads and writes paths relative to
# the tree's top.
kunit_py()
{
	(cd "$tree" && CCACHE_DIR=$CACHE/ccache python3 \
		tools/testing/kunit/kunit.py run "${args[@]}" \
		--kunitconfig="$ZBUD_DIR" \
		--build_dir="$1" --jobs="$JOBS" \
		--timeout="${KUNIT_TIMEOUT:-$timeout}") >"$2" 2>&1
}

# progress: how far run_suite's kunit.py is, for with_progress: objects
# built in this run, then cases done once the kernel runs.
progress()
{
	local cases

	cases=$(grep -cE '\[(PASSED|FAILED|SKIPPED|CRASHED)\]' \
		"$run/kunit-py.log" 2>/dev/null) || true
	if [ "${cases:-0}" -gt 0 ]; then
		echo "$cases cases done"
	else
		echo "$(find "$build" -name "*.o" -newer "$run" | wc -l) objects built"
	fi
}

# run_suite KIB: build and boot the suite with KIB KiB pages; the run's
# console is $log, its configuration $out/config.
run_suite()
{
	local build

	kernel_for "$1"
	build=$CACHE/build/$id-kunit-$arch-$1k${debug:+-debug}

	new_run_dir "kunit-$1k${debug:+-debug}"
	out=$run
	log=$run/console.log
	note "KUnit on $1 KiB pages: building in $build (log: $run/kunit-py.log)"
	[ -f "$build/vmlinux" ] ||
		note "a cold build takes about 10 minutes"
	mkdir -p "$build"
	# A failed build must not leave an older run's console to parse.
	rm -f "$build/test.log"
	with_progress "KUnit on $1 KiB pages" progress \
		kunit_py "$build" "$run/kunit-py.log" || true
	cp "$build/.config" "$out/config" 2>/dev/null || : >"$out/config"
	cp "$build/test.log" "$log" 2>/dev/null || : >"$log"
	# kunit_results counts the cases here; this script holds the lock.
	cp "$tree/mm/zbud_kunit.c" "$out/"
	check "the kernel has $1 KiB pages" honours "$out/config" "$option"
	[ ${#debug[@]} -eq 0 ] ||
		check "the kernel has its checkers (${debug[*]})" \
			honours "$out/config" "${debug[@]}"
	kunit_results zbud
	scan_console
}

mapfile -t deps < <(printf '%s\n' "${deps[@]}" | sort -u)
"$ZBUD_DIR/kernel/deps.sh" "${deps[@]}"
lock_cache
src=$("$ZBUD_DIR/kernel/source.sh")
id=${src##*/}
sync_tree "$src" --replay
for size in $KUNIT_PAGES; do
	run_suite "$size"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
