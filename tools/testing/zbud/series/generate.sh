#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: generate.sh
#
# Commit the repository's zbud overlay onto a scratch git tree holding
# pristine 6.1 as a patch series, and write the series with a cover
# letter to tools/testing/zbud/outgoing/ (old patches there are removed).
# The build worktree is left at the last patch.
#
#   1. mm/zbud: rewrite ...   mm/zbud.c@1, the ZBUD help of mm/Kconfig
#   2. mm/zbud: debugfs statistics
#                             mm/zbud.c@2
#   3. mm/zbud: DEBUG_VM ownership tracking
#                             mm/zbud.c@3
#   4. mm/zbud: the header and its exports
#                             include/linux/zbud.h@4, mm/zbud.c@4
#   5. mm/zbud: add a KUnit suite
#                             mm/zbud_kunit.c@5, tools/testing/zbud/
#                             .kunitconfig, ZBUD_KUNIT_TEST in mm/Kconfig,
#                             the mm/Makefile line
#   6. Documentation/mm: document zbud
#                             Documentation/mm/zbud.rst@6, the index.rst
#                             line
#   7. mm/z3fold: an empty page that compaction holds
#                             the first change of mm/z3fold.patch
#   8. mm/zswap: the pool reference leak
#                             the first change of mm/zswap.patch
#   9. mm/zswap: shrink until the pool accepts again
#                             its second change (also the admin guide,
#                             Documentation/admin-guide/mm/zswap.rst)
#  10. mm/zswap: exclusive loads
#                             its third change (also frontswap and the
#                             admin guide)
#  11. mm/zbud: compaction through a move callback
#                             the final mm/zbud.c, include/linux/zbud.h,
#                             mm/zbud_kunit.c and Documentation/mm/
#                             zbud.rst; include/linux/zpool.patch
#  12. mm/zswap: move entries for a zpool that compacts
#                             the fourth change of mm/zswap.patch
#  13. mm/zswap: unmap the zpage before writeback puts the entry
#                             the fifth change of mm/zswap.patch
#  14. mm/z3fold: free a reclaimed page's slots only if it has them
#                             the second change of mm/z3fold.patch
#  15. mm/zswap: write back the evicted entry's swap cluster
#                             the sixth change of mm/zswap.patch (also
#                             the admin guide)
#  16. mm/zswap: check that the entry an eviction finds owns the zpage
#                             the seventh change of mm/zswap.patch
#  17. mm/z3fold: free a reclaimed headless page only once its object
#      is freed
#                             the third change of mm/z3fold.patch
#
# file@N is the file as patch N leaves it, made by split_states() (lib.sh)
# from the repository's file and the diffs in series/split/, or, for the
# files the patch files edit, from the pristine file and the patch file
# (mm/zswap.c@N: the changes of mm/zswap.patch up to patch N's; the same
# for mm/z3fold.patch).  A file without @ is the repository's file, or
# the pristine one with all of its patch file applied.
#
# Each patch that adds a file also adds it to the ZBUD entry of
# MAINTAINERS, so the entry grows with the series and ends up as the
# repository's MAINTAINERS.
#
# A changelog (msg/*.txt) that still holds a placeholder such as
# @NUMBERS@ (measurements to fill in) stops the generation, unless
# SERIES_PARTIAL=1.
#
# Environment:
#   SERIES_REV      revision of the repository to take the files from
#                   (default HEAD; "worktree" takes the files on disk)
#   SERIES_NAME, SERIES_EMAIL
#                   author and Signed-off-by of the patches (default:
#                   git config user.name / user.email of the repository)
#   SERIES_VERSION  reroll count: 2 gives "[PATCH v2 n/17]"
#   SERIES_TO, SERIES_CC
#                   comma-separated recipients written into the patches
#                   (default: scripts/get_maintainer.pl; set them empty
#                   to write none)
#   SERIES_PARTIAL=1
#                   leave out a patch whose files are not in SERIES_REV,
#                   and keep a changelog's placeholders (@NUMBERS@),
#                   instead of failing (to try the pipeline early; such a
#                   series is not for sending, and run.sh writes no cover
#                   letter for it)
#   KDIR            a 6.1.y tree to use instead of Debian's linux-source
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STEP_MSGS=(1-zbud.txt 2-stats.txt 3-debug-vm.txt 4-exports.txt
	   5-kunit.txt 6-docs.txt 7-z3fold-empty.txt 8-zswap-leak.txt
	   9-zswap-shrink.txt 10-zswap-exclusive.txt 11-zbud-compact.txt
	   12-zswap-move.txt 13-zswap-unmap.txt 14-z3fold-slots.txt
	   15-zswap-cluster.txt 16-zswap-owner.txt 17-z3fold-headless.txt)
STEP_FILES=("mm/zbud.c@1" "mm/zbud.c@2" "mm/zbud.c@3"
	    "include/linux/zbud.h@4 mm/zbud.c@4"
	    "mm/zbud_kunit.c@5 tools/testing/zbud/.kunitconfig"
	    "Documentation/mm/zbud.rst@6" "" "" "" ""
	    "include/linux/zbud.h mm/zbud.c mm/zbud_kunit.c
	     Documentation/mm/zbud.rst" "" "" "" "" "" "")
# Pristine files the patch files edit, by step.  mm/Kconfig@1 is
# mm/Kconfig with only the ZBUD help hunk of Kconfig.patch: the patched
# file minus the ZBUD_KUNIT_TEST entry.  mm/zswap.patch holds one change
# per patch, for the patches in ZSWAP_STEPS, and mm/z3fold.patch for those
# in Z3FOLD_STEPS; <file>@N is a file one of them edits with the changes
# up to patch N's applied, and the last change to a file takes it with
# all of them.  Patches 8 to 10 build without include/linux/zpool.patch,
# which patch 11 applies: only the fourth change of mm/zswap.patch needs
# it.
ZSWAP_DOC=Documentation/admin-guide/mm/zswap.rst
STEP_PATCHED=("mm/Kconfig@1" "" "" "" "mm/Kconfig mm/Makefile"
	      "Documentation/mm/index.rst" "mm/z3fold.c@7" "mm/zswap.c@8"
	      "mm/zswap.c@9 $ZSWAP_DOC@9"
	      "mm/zswap.c@10 mm/frontswap.c@10 include/linux/frontswap.h@10
	       $ZSWAP_DOC@10"
	      "include/linux/zpool.h" "mm/zswap.c@12" "mm/zswap.c@13"
	      "mm/z3fold.c@14" "mm/zswap.c@15 $ZSWAP_DOC" "mm/zswap.c"
	      "mm/z3fold.c")
ZSWAP_STEPS=(8 9 10 12 13 15 16)
Z3FOLD_STEPS=(7 14 17)
ZPOOL_STEPS=(11)
[ ${#STEP_FILES[@]} -eq ${#STEP_MSGS[@]} ] &&
	[ ${#STEP_PATCHED[@]} -eq ${#STEP_MSGS[@]} ] ||
	die "STEP_MSGS, STEP_FILES and STEP_PATCHED differ in length"

need_tool git git
need_tool patch patch
need_tool perl perl

name=${SERIES_NAME:-$(git -C "$REPO" config user.name || true)}
email=${SERIES_EMAIL:-$(git -C "$REPO" config user.email || true)}
# A series only linted (make check on a machine with no git identity)
# is never sent: a placeholder author will do.
if [ -n "${SERIES_LINT:-}" ] && { [ -z "$name" ] || [ -z "$email" ]; }; then
	name=${name:-zbud lint} email=${email:-zbud-lint@example.org}
	note "no full git identity: the linted patches are signed by" \
	     "$name <$email>"
fi
[ -n "$name" ] && [ -n "$email" ] ||
	die "no author: set SERIES_NAME and SERIES_EMAIL," \
	    "or git config user.name and user.email"

# Placeholders left in the changelogs, such as @NUMBERS@ where the
# measurements go: not for sending.
partial=""
for m in "${STEP_MSGS[@]}"; do
	[ -f "$SERIES_DIR/msg/$m" ] || continue
	ph=$(grep -v '^#' "$SERIES_DIR/msg/$m" | grep -o '@[A-Z][A-Z_]*@' |
		sort -u | paste -sd' ' -) || true
	[ -z "$ph" ] || partial+=" msg/$m holds $ph;"
done
if [ -n "$partial" ]; then
	[ "${SERIES_PARTIAL:-}" = 1 ] ||
		die "placeholders left in changelogs:${partial%;}: fill them" \
		    "in, or set SERIES_PARTIAL=1 for a series that is not" \
		    "for sending"
	note "SERIES_PARTIAL, not for sending:${partial%;}"
fi

if [ "$SERIES_REV" = worktree ]; then
	date=$(date +%s)
else
	git -C "$REPO" rev-parse -q --verify "$SERIES_REV^{commit}" \
		>/dev/null || die "SERIES_REV=$SERIES_REV is not a commit"
	# The same revision gives the same patches, byte for byte.
	date=$(git -C "$REPO" log -1 --format=%ct "$SERIES_REV")
	# shellcheck disable=SC2086
	dirty=$(git -C "$REPO" status --porcelain -- $SERIES_FILES \
		$OVERLAY_PATCHES MAINTAINERS | tr '\n' ' ')
	[ -z "$dirty" ] ||
		note "not in $SERIES_REV, so not in the series: $dirty"
fi

lock_series
src=$("$ZBUD_DIR/kernel/source.sh")
[ -f "$src/Makefile" ] || die "source.sh printed '$src', not a kernel tree"

# import_tree SRC INDEX: add every file of SRC to INDEX, under the cache
# lock.
import_tree()
{
	(lock_cache && cd "$1" &&
	 GIT_INDEX_FILE=$2 sgit --work-tree="$1" add -A -f)
}

# The pristine tree becomes the base commit.  Its metadata is fixed, so
# the same tree always gives the same commit id.  git only reads $src;
# its index lives in the cache and makes reruns a stat() of each file.
import_base()
{
	local index=$SCACHE/base-${src##*/}.index tree ver

	if [ ! -d "$SGIT" ]; then
		rm -rf "$STREE"
		mkdir -p "$STREE"
		git init -q "$STREE.new"
		git --git-dir="$STREE.new/.git" config gc.auto 0
		mv "$STREE.new/.git" "$SGIT"
		rmdir "$STREE.new"
	fi
	[ -f "$index" ] ||
		note "importing $src into $SGIT (once, about a minute)"
	# -f: Debian's top-level .gitignore ignores every file.
	with_progress "importing $src" \
		'echo "$(du -sm "$SGIT/objects" | cut -f1) MiB of objects"' \
		import_tree "$src" "$index" || die "could not import $src"
	tree=$(GIT_INDEX_FILE=$index sgit write-tree)
	ver=$(awk '/^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) =/ {
			v[$1] = $3
		}
		END {
			printf "%s.%s.%s%s", v["VERSION"], v["PATCHLEVEL"],
				v["SUBLEVEL"], v["EXTRAVERSION"]
		}' "$src/Makefile")
	printf 'Linux %s\n' "$ver" |
		GIT_AUTHOR_NAME="zbud series" GIT_AUTHOR_EMAIL="zbud@localhost" \
		GIT_COMMITTER_NAME="zbud series" \
		GIT_COMMITTER_EMAIL="zbud@localhost" \
		GIT_AUTHOR_DATE="@0 +0000" GIT_COMMITTER_DATE="@0 +0000" \
		sgit commit-tree "$tree"
}

base=$(import_base)
sgit update-ref refs/zbud/base "$base"
echo "$src" >"$SCACHE/base-source"

stage=$(mktemp -d "$SCACHE/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# stage_pristine PATCH: copy the pristine version of every file that the
# patch file PATCH (in $stage) edits into $stage/final, where it is
# patched; each must be taken by some step of the split.
stage_pristine()
{
	local f

	for f in $(sed -n 's|^+++ b/||p' "$stage/$1" | sort -u); do
		case " ${STEP_PATCHED[*]} " in
		*" $f "* | *" $f@"*) ;;
		*) die "$1 edits $f, which no patch of the split takes" ;;
		esac
		mkdir -p "$stage/final/$(dirname "$f")"
		sgit cat-file blob "$base:$f" >"$stage/final/$f" ||
			die "$f is not in the pristine tree"
	done
}

# The files Kconfig.patch edits, patched: the state after the last step.
repo_file Kconfig.patch >"$stage/Kconfig.patch" ||
	die "Kconfig.patch is not in $SERIES_REV"
stage_pristine Kconfig.patch
patch -p1 -s -f --no-backup-if-mismatch -d "$stage/final" \
	<"$stage/Kconfig.patch" >"$stage/patch.log" 2>&1 ||
	die "Kconfig.patch does not apply to $src: $(cat "$stage/patch.log")"

# mm/Kconfig of step 1: the ZBUD_KUNIT_TEST entry taken out again, up to
# the next entry.  It must leave exactly the pristine entries.
awk '
	/^config ZBUD_KUNIT_TEST$/ { skip = 1; next }
	skip && /^(config|menuconfig|choice|endchoice|menu|endmenu)( |$)/ {
		skip = 0
	}
	skip && /^(if|endif|source|comment)( |$)/ { skip = 0 }
	!skip' "$stage/final/mm/Kconfig" >"$stage/final/mm/Kconfig@1"
! grep -q ZBUD_KUNIT_TEST "$stage/final/mm/Kconfig@1" &&
	[ "$(grep -c '^config ' "$stage/final/mm/Kconfig@1")" = \
	  "$(sgit cat-file blob "$base:mm/Kconfig" | grep -c '^config ')" ] ||
	die "cannot take ZBUD_KUNIT_TEST out of the patched mm/Kconfig"

# step_states FILE STEP...: the files a patch file with one change per
# patch of the series edits, after each of its changes; STEP is the patch
# of each change, in order.  Each change starts at a "# N/M:" line; a
# patch file without one is a single change.  Nothing if FILE is not in
# SERIES_REV.
step_states()
{
	local file=$1 name=${1##*/} i n f
	local steps=("${@:2}")

	repo_has "$file" || return 0
	repo_file "$file" >"$stage/$name" || die "cannot read $file"
	# The comment before the first change goes with it: patch skips it.
	awk -v out="$stage/$name" '
		/^# [0-9]+\/[0-9]+: / { n++ }
		{ print > (out "-" (n ? n : 1) ".diff") }' "$stage/$name"
	n=$(ls "$stage/$name"-*.diff 2>/dev/null | wc -l)
	[ "$n" -eq ${#steps[@]} ] ||
		die "$file holds $n changes, not one per patch" \
		    "(${#steps[@]}: patches ${steps[*]})"
	stage_pristine "$name"
	for ((i = 1; i <= n; i++)); do
		patch -p1 -s -f --no-backup-if-mismatch -d "$stage/final" \
			<"$stage/$name-$i.diff" >"$stage/patch.log" 2>&1 ||
			die "change $i of $file does not apply:" \
			    "$(cat "$stage/patch.log")"
		for f in $(sed -n 's|^+++ b/||p' "$stage/$name-$i.diff"); do
			cp "$stage/final/$f" "$stage/final/$f@${steps[i - 1]}"
		done
	done
}
nsteps=${#STEP_MSGS[@]}
step_states include/linux/zpool.patch "${ZPOOL_STEPS[@]}"
step_states mm/z3fold.patch "${Z3FOLD_STEPS[@]}"
step_states mm/zswap.patch "${ZSWAP_STEPS[@]}"

mkdir -p "$stage/split"
split_states "$stage/split"

# What apply-overlay.sh needs to make the tree of the series' sources, as
# of SERIES_REV, for am-check.sh to compare with the series' last patch:
# a file on disk may change before it runs.
overlay_snapshot()
{
	local dir=$SCACHE/overlay-src f

	rm -rf "$dir"
	for f in tools/testing/zbud/kernel/lib.sh \
		 tools/testing/zbud/kernel/apply-overlay.sh \
		 $OVERLAY_FILES $OVERLAY_PATCHES MAINTAINERS; do
		repo_has "$f" || continue
		mkdir -p "$dir/$(dirname "$f")"
		repo_file "$f" >"$dir/$f"
	done
	chmod +x "$dir/tools/testing/zbud/kernel/apply-overlay.sh" 2>/dev/null ||
		true
}
overlay_snapshot

# The repository's ZBUD entry of MAINTAINERS, from its title to a blank.
repo_file MAINTAINERS |
	sed -n '/^ZBUD COMPRESSED PAGE ALLOCATOR$/,/^$/p' | sed '/^$/d' \
	>"$stage/entry" || die "MAINTAINERS is not in $SERIES_REV"
[ -s "$stage/entry" ] ||
	die "MAINTAINERS has no ZBUD COMPRESSED PAGE ALLOCATOR entry"

# Is the F: pattern $1 a path of the tree after the files in $added?
added=""
path_present()
{
	local p=$1 f

	case $p in
	*[*?]*) return 0 ;;
	esac
	sgit cat-file -e "$base:${p%/}" 2>/dev/null && return 0
	for f in $added; do
		[ "$f" = "$p" ] && return 0
		case $p in
		*/) [ "${f#"$p"}" != "$f" ] && return 0 ;;
		esac
	done
	return 1
}

# MAINTAINERS with the ZBUD entry listing the files present so far, all
# of them at the last step.
write_maintainers()
{
	local last=$1 line

	while IFS= read -r line; do
		case $line in
		F:*)
			[ "$last" = 1 ] || path_present "${line#F:*[	 ]}" ||
				continue
			;;
		esac
		printf '%s\n' "$line"
	done <"$stage/entry" >"$stage/entry.now"
	sgit cat-file blob "$base:MAINTAINERS" | awk -v entry="$stage/entry.now" '
		/^ZBUD COMPRESSED PAGE ALLOCATOR$/ {
			while ((getline line < entry) > 0)
				print line
			skip = 1
			found = 1
			next
		}
		skip && /^$/ { skip = 0 }
		!skip
		END { exit !found }' >"$stage/MAINTAINERS" ||
		die "the pristine MAINTAINERS has no ZBUD entry to replace"
}

# changelog MSG: the commit message of a step, with the Signed-off-by.
# A last paragraph of trailers (Fixes:, Link:) takes it as one more line.
changelog()
{
	local text last sep=$'\n'

	text=$(grep -v '^#' "$1" | sed '/./,$!d')
	last=${text##*$'\n\n'}
	grep -qvE '^(Fixes|Link|Closes|Reported-by|Suggested-by|Cc): ' \
		<<<"$last" || sep=
	printf '%s\n%s' "$text" "$sep"
	printf 'Signed-off-by: %s <%s>\n' "$name" "$email"
}

add_blob()
{
	local blob

	blob=$(sgit hash-object -w --stdin) || die "cannot store $1"
	sgit update-index --add --cacheinfo "100644,$blob,$1"
}

export GIT_INDEX_FILE=$SCACHE/series.index
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email
export GIT_AUTHOR_DATE="@$date +0000" GIT_COMMITTER_DATE="@$date +0000"
sgit read-tree "$base"
parent=$base
for ((i = 0; i < nsteps; i++)); do
	missing=""
	for f in ${STEP_FILES[i]}; do
		repo_has "${f%@*}" || missing+=" ${f%@*}"
	done
	for f in ${STEP_PATCHED[i]}; do
		[ -f "$stage/final/$f" ] || missing+=" the patch file for ${f%@*}"
	done
	if [ -n "$missing" ]; then
		[ "${SERIES_PARTIAL:-}" = 1 ] ||
			die "patch $((i + 1)) needs${missing}," \
			    "which is not in $SERIES_REV (commit it, or set" \
			    "SERIES_PARTIAL=1 to leave the patch out)"
		note "SERIES_PARTIAL: leaving out ${STEP_MSGS[i]} (missing${missing})"
		partial+=" patch $((i + 1)) left out;"
		continue
	fi
	for f in ${STEP_FILES[i]}; do
		case $f in
		*@*)
			[ -f "$stage/split/$f" ] ||
				die "no $f: no diff in series/split/ starts" \
				    "from ${f%@*} as patch ${f#*@} leaves it"
			add_blob "${f%@*}" <"$stage/split/$f"
			;;
		*) repo_file "$f" | add_blob "$f" ;;
		esac
		added+=" ${f%@*}"
	done
	for f in ${STEP_PATCHED[i]}; do
		case $f in
		*@*) add_blob "${f%@*}" <"$stage/final/$f" ;;
		*) add_blob "$f" <"$stage/final/$f" ;;
		esac
	done
	last=0
	[ "$i" -eq $((nsteps - 1)) ] && last=1
	write_maintainers "$last"
	add_blob MAINTAINERS <"$stage/MAINTAINERS"
	tree=$(sgit write-tree)
	[ "$tree" != "$(sgit rev-parse "$parent^{tree}")" ] ||
		die "patch $((i + 1)) (${STEP_MSGS[i]}) changes nothing"
	msg=$SERIES_DIR/msg/${STEP_MSGS[i]}
	[ -f "$msg" ] || die "$msg is missing"
	parent=$(changelog "$msg" | sgit commit-tree -p "$parent" "$tree")
done
[ "$parent" != "$base" ] || die "no patch could be made"
# run.sh writes no cover letter for a series that is not for sending.
if [ -n "$partial" ]; then
	partial=${partial# }
	echo "${partial%;}" >"$SCACHE/partial"
else
	rm -f "$SCACHE/partial"
fi
sgit update-ref "refs/heads/$BRANCH" "$parent"
unset GIT_INDEX_FILE

(lock_cache && checkout_tree "$parent") ||
	die "cannot check out the series into $STREE"

# Recipients: maintainers of the touched files in To, lists in Cc.
recipients()
{
	sgit diff "$base" "$parent" >"$stage/all.diff"
	(cd "$STREE" && ./scripts/get_maintainer.pl --no-git \
		--no-git-fallback --no-rolestats "$@" \
		"$stage/all.diff") | paste -sd, -
}
to=${SERIES_TO-$(recipients --m --no-r --no-l)}
cc=${SERIES_CC-$(recipients --no-m --r --l)}

args=(-q --cover-letter --base="$base" -o "$OUTGOING")
[ -n "${SERIES_VERSION:-}" ] && args+=(-v "$SERIES_VERSION")
IFS=, read -ra list <<<"$to"
for r in "${list[@]}"; do
	args+=(--to="$r")
done
IFS=, read -ra list <<<"$cc"
for r in "${list[@]}"; do
	args+=(--cc="$r")
done
mkdir -p "$OUTGOING"
rm -f "$OUTGOING"/*.patch
sgit format-patch "${args[@]}" "$base..refs/heads/$BRANCH"
# The cover letter quotes results and checks: run.sh renders it once the
# checks have passed (cover.sh).
cover=$(ls "$OUTGOING"/*0000-cover-letter.patch)
mv "$cover" "$SCACHE/cover-letter.raw"
echo "${cover##*/}" >"$SCACHE/cover-letter.name"
note "wrote $(ls "$OUTGOING" | wc -l) patches to $OUTGOING"
