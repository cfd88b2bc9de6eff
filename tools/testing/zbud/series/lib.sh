# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
# Settings and helpers of the series scripts.  Source it.
#
# The series is built in a scratch git repository under $CACHE/series/:
#   tree/       git repository holding the base commit (the pristine
#               tree) and the series branch; its worktree is where the
#               steps are built and linted (not bare: checkpatch's SPDX
#               check reads LICENSES/ through GitPython)
#   am/         worktree of it, the outgoing patches are applied there
#   build-y/    O= build directory, CONFIG_ZBUD=y
#   build-m/    O= build directory, CONFIG_ZBUD=m
# Nothing outside $CACHE/series/ and outgoing/ is written; the pristine
# tree and KDIR are only read.

. "$(dirname "${BASH_SOURCE[0]}")/../kernel/lib.sh"

SERIES_DIR=$ZBUD_DIR/series
SCACHE=$CACHE/series
STREE=$SCACHE/tree
SGIT=$STREE/.git
SAM=$SCACHE/am
# run.sh lint writes its patches apart, so that a make check leaves the
# last make series' patches and cover letter in outgoing/ alone.
OUTGOING=${SERIES_OUTGOING:-$ZBUD_DIR/outgoing}
RESULTS=${RESULTS:-$ZBUD_DIR/results}
BRANCH=zbud-series

# Which revision of the repository the series is made from: a commit
# (default HEAD), or "worktree" for the files as they are on disk.
SERIES_REV=${SERIES_REV:-HEAD}

# The overlay_hash() of the sources the series is made of.
series_hash()
{
	if [ "$SERIES_REV" = worktree ]; then
		overlay_hash
	else
		overlay_hash "$SERIES_REV"
	fi
}

# Two cores, shared with other jobs: stay at -j2 unless told otherwise.
SERIES_JOBS=${SERIES_JOBS:-2}
need_uint SERIES_JOBS 1 256

# Files of the series that are whole files; the rest are the hunks of
# Kconfig.patch and the MAINTAINERS entry.
SERIES_FILES="include/linux/zbud.h mm/zbud.c mm/zbud_kunit.c
tools/testing/zbud/.kunitconfig Documentation/mm/zbud.rst
tools/testing/zbud/series/split"

# Series files that warnings are looked for in (compiler, sparse).
SERIES_SOURCES="include/linux/zbud.h mm/zbud.c mm/zbud_kunit.c"
# Files of the tree that the series patches, also looked at for warnings.
SERIES_PATCHED_SOURCES="mm/z3fold.c mm/zswap.c mm/frontswap.c
include/linux/frontswap.h include/linux/zpool.h"

sgit()
{
	git --git-dir="$SGIT" "$@"
}

# Prints a file of the repository as of $SERIES_REV; fails if it is not
# there.
repo_file()
{
	if [ "$SERIES_REV" = worktree ]; then
		cat "$REPO/$1" 2>/dev/null
	else
		git -C "$REPO" cat-file blob "$SERIES_REV:$1" 2>/dev/null
	fi
}

repo_has()
{
	if [ "$SERIES_REV" = worktree ]; then
		[ -f "$REPO/$1" ]
	else
		git -C "$REPO" cat-file -e "$SERIES_REV:$1" 2>/dev/null
	fi
}

# Lists the files of a directory of the repository as of $SERIES_REV.
repo_ls()
{
	if [ "$SERIES_REV" = worktree ]; then
		(cd "$REPO/$1" 2>/dev/null && ls)
	else
		git -C "$REPO" ls-tree --name-only "$SERIES_REV:$1" 2>/dev/null
	fi
}

# The diffs of series/split/, N-name.diff, one a line, highest N first
# (or lowest with "n"), as of $SERIES_REV.
# shellcheck disable=SC2120
split_diffs()
{
	local d

	for d in $(repo_ls tools/testing/zbud/series/split); do
		[[ $d =~ ^[0-9]+-[^/]+\.diff$ ]] ||
			die "series/split/$d: not an N-name.diff (a stray" \
			    "file? remove it)"
		echo "$d"
	done | sort -t- -k1,1"${1:-nr}"
}

# split_from DIFF N FILE: the patch whose version of FILE the split diff
# DIFF (a file; N its number) starts from, that is, the version undoing it
# leaves.  That is patch N-1 unless a "# from: FILE@P ..." comment line
# of the diff names another, for a file that the patches between P and N
# do not change (mm/zbud_kunit.c: patch 5 adds it, 11 changes it).
split_from()
{
	local diff=$1 n=$2 f=$3 w p

	p=$((n - 1))
	for w in $(sed -n 's/^# from://p' "$diff"); do
		[ "${w%@*}" = "$f" ] || continue
		p=${w##*@}
		case $p in
		'' | *[!0-9]*) die "${diff##*/}: '# from: $w' is not FILE@N" ;;
		esac
	done
	[ "$p" -ge 1 ] && [ "$p" -lt "$n" ] ||
		die "${diff##*/}: $f from patch $p, not one before patch $n"
	echo "$p"
}

# split_states DIR: the versions of files that earlier patches add and
# later ones change.  series/split/N-*.diff is what patch N changes in
# such files; undoing the diffs from the highest N down leaves
# DIR/<file>@<P>, the file as patch P leaves it, where P is N-1 or the
# patch that its "# from:" line names (split_from).  DIR/<file> is the
# repository's file, the state after the last of them.  A "# sha1: FILE@P
# HASH" line, which split.sh save writes, must match the version made:
# a change to the final file that undoes with an offset would otherwise
# end up in the earlier patch.
split_states()
{
	local dir=$1 d n f p v files want got diffs

	diffs=$(split_diffs) || exit 1	# it said why
	for d in $diffs; do
		n=${d%%-*}
		repo_file "tools/testing/zbud/series/split/$d" >"$dir/split.diff"
		files=$(sed -n 's|^+++ b/||p' "$dir/split.diff")
		[ -n "$files" ] || die "series/split/$d holds no diff"
		for f in $files; do
			if [ ! -f "$dir/$f" ]; then
				mkdir -p "$dir/$(dirname "$f")"
				repo_file "$f" >"$dir/$f" ||
					die "$f is not in $SERIES_REV"
				cp "$dir/$f" "$dir/$f.final"
			fi
			# A higher diff cannot start from a version
			# before this patch changes the file.
			for v in "$dir/$f"@*; do
				[ -f "$v" ] || continue
				if [ "${v##*@}" -lt "$n" ]; then
					die "series/split/$d changes $f in" \
					    "patch $n, but a later diff starts" \
					    "from its version of patch" \
					    "${v##*@}: fix its '# from:' line"
				fi
			done
		done
		patch -R -p1 -s -f --no-backup-if-mismatch -d "$dir" \
			<"$dir/split.diff" >"$dir/split.log" 2>&1 ||
			die "series/split/$d cannot be undone from the" \
			    "repository's $(echo $files):" \
			    "$(tr '\n' ' ' <"$dir/split.log")" \
			    "remake it with series/split.sh (see series/README)"
		for f in $files; do
			p=$(split_from "$dir/split.diff" "$n" "$f")
			cp "$dir/$f" "$dir/$f@$p"
			want=$(awk -v k="$f@$p" '$1 == "#" && $2 == "sha1:" &&
				$3 == k { print $4 }' "$dir/split.diff")
			[ -n "$want" ] || continue
			got=$(sha1sum <"$dir/$f@$p" | cut -d' ' -f1)
			[ "$got" = "$want" ] ||
				die "undoing series/split/$d from the" \
				    "repository's $f does not give the $f of" \
				    "patch $p that it was saved with: the final" \
				    "file changed where the diff cannot tell;" \
				    "remake the diffs with series/split.sh" \
				    "(see series/README)"
		done
	done
	rm -f "$dir/split.diff" "$dir/split.log"
	for f in $(cd "$dir" && find . -name '*.final'); do
		mv "$dir/$f" "$dir/${f%.final}"
	done
}

# The series' scripts keep out of each other's way with this lock, held
# for a whole run; the kernel trees and builds of all jobs are shared
# through lock_cache (kernel/lib.sh), which is taken second, around the
# kernel work only.
lock_series()
{
	[ -n "${ZBUD_SERIES_LOCKED:-}" ] && return
	mkdir -p "$SCACHE"
	exec 8>"$SCACHE/lock"
	take_lock 8 "$SCACHE/lock" "another series run or make check"
	export ZBUD_SERIES_LOCKED=1
}

# Results: every check prints one PASS or FAIL line and is counted.
passed=0
failed=0

pass()
{
	echo "PASS: $*"
	passed=$((passed + 1))
}

fail()
{
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# The last line of every check script; its exit status follows it.
summary()
{
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# need_pkgs CHECK PACKAGE...: unless the shell command CHECK succeeds,
# install the Debian PACKAGEs (kernel/deps.sh: root only, package lists
# updated first) or fail naming them.
need_pkgs()
{
	local check=$1

	shift
	eval "$check" >/dev/null 2>&1 && return
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		"$ZBUD_DIR/kernel/deps.sh" "$@"
		eval "$check" >/dev/null 2>&1 && return
	fi
	die "missing: install the Debian package(s) $*"
}

need_tool()
{
	need_pkgs "command -v $1" "$2"
}

# The patches in outgoing/, without the cover letter, one a line.
list_patches()
{
	local p

	for p in "$OUTGOING"/*.patch; do
		case $p in
		*0000-cover-letter.patch | "$OUTGOING/*.patch") ;;
		*) echo "$p" ;;
		esac
	done
}

# The commits of the series, oldest first, and the base they start from.
series_base()
{
	sgit rev-parse --verify -q "refs/zbud/base" ||
		die "no series yet: run generate.sh first"
}

series_commits()
{
	sgit rev-list --reverse "$(series_base)..refs/heads/$BRANCH"
}

# Symbols whose absence from mm/Kconfig is expected: those the series
# itself adds (a step before the one that adds them cannot set them),
# and Debian's name for z3fold's prompt, which plain 6.1.y lacks.
SERIES_SYMS="CONFIG_ZBUD_KUNIT_TEST CONFIG_Z3FOLD_DEPRECATED"

# Puts the build worktree at commit $1; the caller holds lock_cache.  The
# first checkout writes the whole tree, later ones what changed.
checkout_tree()
{
	local what="checking out the scratch tree into $STREE (once)"

	[ -f "$SGIT/index" ] && what="checking out ${1:0:12}"
	with_progress "$what" 'echo "$(du -sm "$STREE" | cut -f1) MiB"' \
		sgit --work-tree="$STREE" checkout -q -f --detach "$1" &&
		sgit --work-tree="$STREE" clean -q -f -d -x
}

# kmake CFG LOG ARGS...: make in the build worktree, out of tree in
# build-CFG, appending to LOG.  CFG hexagon-* builds for hexagon, with
# LLVM (Debian's clang and lld), the only toolchain that builds it.
kmake()
{
	local cfg=$1 log=$2 target=(ARCH=x86_64 CC="ccache gcc")

	shift 2
	case $cfg in
	hexagon-*)
		target=(ARCH=hexagon LLVM=1)
		;;
	esac
	# Without the flags of the make that runs us: its -s would silence
	# the CC lines that lint.sh and bisect-build.sh read in the log.
	env -u MAKEFLAGS -u MFLAGS CCACHE_DIR="$CACHE/ccache" \
		make -C "$STREE" O="$SCACHE/build-$cfg" \
		"${target[@]}" LOCALVERSION= HOSTCC="ccache gcc" "$@" \
		>>"$log" 2>&1
}

# configure CFG LOG: tinyconfig plus configs/CFG.config, then a check that
# every option came out as asked.  Fails with the options that did not.
configure()
{
	local cfg=$1 log=$2 build=$SCACHE/build-$1 frag line sym bad=() stamp

	frag=$SERIES_DIR/configs/$cfg.config
	mkdir -p "$build"
	# The same tree and fragment give the same .config: keep it.
	stamp="$(sgit rev-parse 'HEAD^{tree}') $(sha1sum <"$frag")"
	if [ -f "$build/.config" ] &&
	   [ "$(cat "$build/.zbud-config" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	rm -f "$build/.zbud-config"
	kmake "$cfg" "$log" tinyconfig || return 1
	(cd "$build" && "$STREE/scripts/kconfig/merge_config.sh" -m \
		-O "$build" "$build/.config" "$frag") >>"$log" 2>&1 || return 1
	kmake "$cfg" "$log" olddefconfig || return 1
	while read -r sym line; do
		case " $SERIES_SYMS " in
		*" $sym "*)
			grep -rqx "config ${sym#CONFIG_}" --include='Kconfig*' \
				"$STREE/mm" || continue
			;;
		esac
		bad+=("$line")
	done < <(config_unmet "$build/.config" "$frag")
	if [ ${#bad[@]} -eq 0 ]; then
		echo "$stamp" >"$build/.zbud-config"
		return 0
	fi
	echo "options not set as asked: ${bad[*]}" >>"$log"
	return 1
}

# Prints the compiler, sparse and modpost diagnostics of LOG that are
# about the series' own files, or about lines that the series added to
# the files it patches: 6.1's own warnings there (sparse's address-space
# ones in z3fold.c, say) are not the series'.  A warning that gcc places
# in a header but reports under "<series file>: In function" (a
# flush_workqueue() of a system-wide workqueue, say) is the series' too.
series_warnings()
{
	local re='' f

	for f in $SERIES_SOURCES; do
		re+="${re:+|}${f//./\\.}"
	done
	grep -E "(^|/)($re):[0-9]+(:[0-9]+)?: (warning|error)" "$1" || true
	SW_RE=$re awk '
		BEGIN {
			mine = "(^|/)(" ENVIRON["SW_RE"] ")$"
			here = "(^|/)(" ENVIRON["SW_RE"] "):[0-9]"
		}
		/: In function / {
			fn = $0
			f = $0
			sub(/: In function .*/, "", f)
			infn = f ~ mine
			next
		}
		/: At top level:$/ || /^  [A-Z]+ / { infn = 0 }
		infn && /: (warning|error):/ && $0 !~ here {
			if (fn != said)
				print fn
			said = fn
			print
		}' "$1"
	for f in $SERIES_PATCHED_SOURCES; do
		changed_lines "$f" | awk -v f="$f" '
			NR == FNR { mine[$1] = 1; next }
			{
				n = index($0, f ":")
				if (!n || (n > 1 && substr($0, n - 1, 1) != "/"))
					next
				split(substr($0, n + length(f) + 1), p, ":")
				if ((p[1] in mine) && $0 ~ /: (warning|error)/)
					print
			}' - "$1"
	done
	grep -E '^(WARNING|ERROR): modpost: .*zbud' "$1" || true
}

# changed_lines FILE: the numbers of the lines of FILE, as checked out in
# the build worktree, that the series added or changed.
changed_lines()
{
	sgit diff -U0 refs/zbud/base HEAD -- "$1" |
		sed -n 's/^@@ -[0-9,]* +\([0-9]*\)\(,\([0-9]*\)\)\{0,1\} @@.*/\1 \3/p' |
		awk '{ n = ($2 == "" ? 1 : $2); for (i = 0; i < n; i++) print $1 + i }'
}
