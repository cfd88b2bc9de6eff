#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: lint.sh [CONFIG...]
#
# Lint the series that generate.sh left in outgoing/ (outgoing-lint/ in
# the cache, for run.sh lint) and in the build worktree, one counted
# check each:
#   - scripts/checkpatch.pl --strict on every patch (not the cover
#     letter): fails on any error, warning or check;
#   - scripts/kernel-doc -none on mm/zbud.c and include/linux/zbud.h:
#     fails on any output, also with -v;
#   - Documentation/mm/zbud.rst built with Sphinx and the tree's
#     kernel-doc extension: fails on any warning or error about the
#     series' files (docutils reports a malformed table as an error and
#     drops the table from the page);
#   - cover.sh refuses a missing, stale or failed result (in a scratch
#     results directory);
#   - Kconfig and mm/zbud.o with W=1 for hexagon with 256 KiB pages
#     (configs/hexagon-256k.config), built with clang: ZSWAP's default
#     zpool selects ZBUD there as everywhere;
#   - make C=2 W=1 (sparse from Debian, gcc's W=1 warnings and kernel-doc)
#     on mm/zbud.o and mm/zbud_kunit.o, and on the objects of the files
#     the series patches (z3fold.o, zswap.o, frontswap.o), in each
#     CONFIG (y, m; default y, see configs/): fails on any warning in
#     the series' files.
# The last line is "N passed, N failed"; the exit status is 1 on any
# failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

configs=${*:-y}
need_tool sparse sparse
# checkpatch checks the SPDX line of a new file with scripts/spdxcheck.py,
# which needs python3-ply and python3-git.  Prefer Debian's python3 for it
# over another one earlier in PATH.
py_path=$PATH
[ -x /usr/bin/python3 ] && py_path=/usr/bin:$PATH
# need_pkgs evals its check: quoted, a PATH with blanks stays one word.
need_pkgs "PATH=\"\$py_path\" python3 -c 'import ply, git'" \
	python3-ply python3-git
need_tool sphinx-build python3-sphinx
need_tool clang clang
need_tool ld.lld lld
lock_series
logs=$SCACHE/logs
mkdir -p "$logs"
rm -f "$logs"/checkpatch-*.log

# Lines of a checkpatch report that say what is wrong, with the file and
# line they are about.
checkpatch_messages()
{
	awk '/^(ERROR|WARNING|CHECK):/ { msg = $0; next }
	     msg && /^#[0-9]+: FILE:/ {
		f = $3
		sub(/:$/, "", f)
		print "  " msg " (" f ")"
		msg = ""
		next
	     }
	     msg { print "  " msg; msg = "" }' "$1"
}

patches=$(list_patches)
[ -n "$patches" ] || die "no patches in $OUTGOING: run generate.sh first"
# The scratch tree is an import without history, so checkpatch cannot
# look up the upstream commits that the zswap changelogs cite (their ids
# and titles were checked against the upstream log by hand): it would
# call every one unknown.
for p in $patches; do
	log=$logs/checkpatch-${p##*/}.log
	(cd "$STREE" && PATH=$py_path ./scripts/checkpatch.pl --strict \
		--ignore UNKNOWN_COMMIT_ID "$p") >"$log" 2>&1 || true
	# A traceback is a check that could not run, not a clean patch.
	if grep -qx 'total: 0 errors, 0 warnings, 0 checks, [0-9]* lines checked' \
		"$log" && ! grep -q '^Traceback' "$log"; then
		pass "checkpatch --strict ${p##*/}"
	else
		fail "checkpatch --strict ${p##*/}: $(grep '^total:' "$log" ||
			echo 'no total')"
		checkpatch_messages "$log"
		grep -A3 '^Traceback' "$log" | sed 's/^/  /' || true
	fi
done

# kernel-doc prints only problems with -none, and "info:" lines as well
# with -v.
for f in mm/zbud.c include/linux/zbud.h; do
	if [ ! -f "$STREE/$f" ]; then
		fail "kernel-doc $f: not in the series"
		continue
	fi
	log=$logs/kernel-doc-${f##*/}.log
	(cd "$STREE" && ./scripts/kernel-doc -none "$f" &&
	 ./scripts/kernel-doc -none -v "$f" 2>&1 >/dev/null |
		grep -v ': info: Scanning doc for ' >&2) >"$log" 2>&1 || true
	if [ -s "$log" ]; then
		fail "kernel-doc -none $f"
		sed 's/^/  /' "$log"
	else
		pass "kernel-doc -none $f"
	fi
done

# A Sphinx project of one page, zbud.rst as it sits in the tree, with the
# tree's kernel-doc extension for its kernel-doc directives.
docs_check()
{
	local dir=$SCACHE/docs log=$logs/sphinx.log

	rm -rf "$dir"
	mkdir -p "$dir/src/mm"
	ln -s "$STREE/Documentation/mm/zbud.rst" "$dir/src/mm/zbud.rst"
	printf '.. toctree::\n\n   mm/zbud\n' >"$dir/src/index.rst"
	cat >"$dir/src/conf.py" <<EOF
import sys
sys.path.insert(0, '$STREE/Documentation/sphinx')
extensions = ['kerneldoc']
kerneldoc_bin = '$STREE/scripts/kernel-doc'
kerneldoc_srctree = '$STREE'
master_doc = 'index'
EOF
	if ! PATH=$py_path sphinx-build -b html -q -E -d "$dir/doctrees" \
		"$dir/src" "$dir/html" >"$log" 2>&1; then
		fail "sphinx-build Documentation/mm/zbud.rst: failed, see $log"
		tail -n 5 "$log" | sed 's/^/  /'
	elif grep -E -q 'zbud\.(rst|c|h)' "$log" ||
	     ! grep -q 'zbud_alloc' "$dir/html/mm/zbud.html"; then
		fail "sphinx-build Documentation/mm/zbud.rst: warnings"
		sed 's/^/  /' "$log"
	else
		pass "sphinx-build Documentation/mm/zbud.rst"
	fi
}
docs_check

# cover.sh must refuse a result that is missing, stale or failed, and
# say which command makes a good one.  Results go to a scratch directory.
cover_check()
{
	local dir=$SCACHE/cover-test hash ok=1

	hash=$(series_hash)
	# refused WHY PATTERN: cover.sh fails, saying PATTERN.
	refused()
	{
		RESULTS=$dir "$SERIES_DIR/cover.sh" >/dev/null 2>"$dir.err" &&
			{ echo "  $1: written"; ok=0; return; }
		grep -q "$2" "$dir.err" ||
			{ echo "  $1: $(cat "$dir.err")"; ok=0; }
	}
	rm -rf "$dir"
	mkdir -p "$dir"
	refused "no results" "run \`make -C tools/testing/zbud kunit\`"
	printf '# overlay 000000000000, then\n35 passed, 0 failed\n' \
		>"$dir/kunit.txt"
	refused "stale" "made from other sources"
	printf '# overlay %s, now\n34 passed, 1 failed\n' "$hash" \
		>"$dir/kunit.txt"
	refused "failed KUnit" "records a failed run"
	printf '# overlay %s, now\n35 passed, 0 failed\n' "$hash" \
		>"$dir/kunit.txt"
	cp "$dir/kunit.txt" "$dir/bench.txt"
	printf '# overlay %s, now\nzbud | - | - | 0 | - | -   (vm.sh FAILED)\n' \
		"$hash" >"$dir/vm.txt"
	refused "failed VM row" "results/vm.txt records a failed run"
	rm -rf "$dir" "$dir.err"
	if [ "$ok" = 1 ]; then
		pass "cover letter refused without fresh, passing results"
	else
		fail "cover letter written from bad results"
	fi
}
cover_check

# under_lock COMMAND...: COMMAND in a subshell that holds the cache lock.
under_lock()
{
	(lock_cache && "$@")
}

# slow LOG WHAT COMMAND...: COMMAND under the cache lock.  A cold configure
# or build takes minutes, so every 30 s stderr gets how many files the
# build that logs to LOG has compiled.
slow()
{
	progress_log=$1
	with_progress "$2" \
		'echo "$(grep -c "^  CC" "$progress_log") files compiled"' \
		under_lock "${@:3}"
}

# 256 KiB pages: Kconfig must give ZBUD=y without an unmet dependency,
# and mm/zbud.o must build, with W=1, for hexagon.
page256k_check()
{
	local cfg=hexagon-256k log=$logs/hexagon-256k.log found

	: >"$log"
	if ! slow "$log" "configuring $cfg" configure "$cfg" "$log"; then
		fail "256 KiB pages (hexagon): Kconfig, see $log"
		grep -E 'unmet|options not set' "$log" | sed 's/^/  /'
		return
	fi
	if grep -q 'unmet direct dependencies' "$log"; then
		fail "256 KiB pages (hexagon): Kconfig warns"
		grep -A3 'unmet direct' "$log" | sed 's/^/  /'
		return
	fi
	rm -f "$SCACHE/build-$cfg/mm/zbud.o"
	slow "$log" "building mm/zbud.o ($cfg)" \
		kmake "$cfg" "$log" -j"$SERIES_JOBS" W=1 mm/zbud.o || true
	found=$(series_warnings "$log")
	if [ ! -f "$SCACHE/build-$cfg/mm/zbud.o" ] || [ -n "$found" ]; then
		fail "256 KiB pages (hexagon): mm/zbud.o, see $log"
		printf '%s\n' "$found" | head -n 10 | sed 's/^/  /'
	else
		pass "256 KiB pages (hexagon): ZBUD=y and mm/zbud.o builds"
	fi
}
page256k_check

# sparse (C=2 checks a file even when its object is up to date) and W=1
# (only seen when the object is compiled again, hence the rm).  The
# objects (zbud's, and z3fold's, zswap's and frontswap's, which the
# series patches) are made in one
# run; --output-sync keeps each object's
# messages together, after its CC line, so they can be told apart.
for cfg in $configs; do
	build=$SCACHE/build-$cfg
	log=$logs/sparse-$cfg.log
	: >"$log"
	if ! slow "$log" "configuring $cfg" configure "$cfg" "$log"; then
		fail "sparse/W=1 ($cfg): cannot configure, see $log"
		tail -n 5 "$log" | sed 's/^/  /'
		continue
	fi
	objs=()
	for src in $SERIES_SOURCES $SERIES_PATCHED_SOURCES; do
		case $src in
		*.c) obj=${src%.c}.o ;;
		*) continue ;;
		esac
		if [ -f "$STREE/$src" ]; then
			objs+=("$obj")
			rm -f "$build/$obj"
		else
			fail "sparse/W=1 $obj ($cfg): ${obj%.o}.c is not in the series"
		fi
	done
	[ ${#objs[@]} -gt 0 ] || continue
	slow "$log" "sparse/W=1 build ($cfg)" kmake "$cfg" "$log" -k \
		-j"$SERIES_JOBS" --output-sync=target C=2 W=1 "${objs[@]}" ||
		true
	for obj in "${objs[@]}"; do
		# This object's part of the log, and what came before any CC.
		part=$logs/sparse-$cfg-${obj##*/}.log
		awk -v obj="$obj" '
			/^  CC( \[M\])? +[^ ]+\.o$/ { cc = $NF; seen = 1 }
			!seen || cc == obj' "$log" >"$part"
		found=$(series_warnings "$part")
		if [ ! -f "$build/$obj" ]; then
			fail "sparse/W=1 $obj ($cfg): not built, see $log"
			grep -E '(error|Error)' "$part" | head -n 10 |
				sed 's/^/  /'
		elif [ -n "$found" ]; then
			fail "sparse/W=1 $obj ($cfg)"
			printf '%s\n' "$found" | sed 's/^/  /'
		else
			pass "sparse/W=1 $obj ($cfg)"
		fi
		# Said, but not counted: problems outside the series' files.
		grep -E ': (warning|error):' "$part" | grep -vxF "$found" |
			sed 's/^/  note, not in the series: /' || true
	done
done
summary
