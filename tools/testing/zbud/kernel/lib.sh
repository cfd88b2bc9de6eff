# SPDX-License-Identifier: GPL-2.0-only
# Settings and helpers shared by the zbud pipeline scripts.  Source it.

ZBUD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$ZBUD_DIR/../../.." && pwd)
[[ $REPO != *[[:space:]]* ]] || {
	echo "${0##*/}: error: '$REPO': a path with a blank in it" \
	     "cannot work (make splits it): move the repository" >&2
	exit 1
}
CACHE=${CACHE:-$REPO/.cache}
[[ $CACHE = /* ]] || {
	echo "${0##*/}: error: CACHE=$CACHE: must be an absolute path" >&2
	exit 1
}
# Paths under CACHE are listed and removed a line at a time, and make
# splits them at blanks too.
[[ $CACHE != *[[:space:]]* ]] || {
	echo "${0##*/}: error: CACHE='$CACHE': a path with a blank in it" \
	     "cannot work" >&2
	exit 1
}
JOBS=${JOBS:-3}

die()
{
	echo "${0##*/}: error: $*" >&2
	exit 1
}

# no_args "$@": for a script whose knobs are all environment variables,
# so that a stray --help fails at once instead of starting the work.
no_args()
{
	[ $# -eq 0 ] ||
		die "takes no arguments, only the knobs in its header: $*"
}

note()
{
	echo "${0##*/}: $*" >&2
}

# A script whose stdout is its result (a path that callers capture with
# $(...)) calls stdout_to_stderr first and prints that result with
# result: whatever else it or its children print, apt-get and make
# included, then goes to stderr.
stdout_to_stderr()
{
	exec 3>&1 1>&2
	result_pid=$$
}

# A child inherits fd 3, so a script that did not call stdout_to_stderr
# itself would write its result past its caller: refuse.
result()
{
	[ "${result_pid:-}" = "$$" ] ||
		die "result() without stdout_to_stderr() first"
	printf '%s\n' "$*" >&3
}

# descendants PID: PID and every process it started, one a line, from
# /proc (a fresh machine may have no procps).
descendants()
{
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '{
		pid = $1
		sub(/.*\) /, "")	# the name, in parentheses, may hold blanks
		kids[$2] = kids[$2] " " pid
	} END {
		todo[1] = root
		for (n = 1; n >= 1; ) {
			p = todo[n--]
			print p
			k = split(kids[p], list, " ")
			for (i = 1; i <= k; i++)
				todo[++n] = list[i]
		}
	}'
}

# start_stoppable COMMAND...: start COMMAND in the background and set
# stoppable_pid to its pid.  Until the caller's `trap - TERM HUP`, a
# TERM or HUP sent to the script stops COMMAND and all it started, and
# the script exits (bash runs a trap only once a foreground command is
# done, so a script that must be stoppable waits for a background one).
start_stoppable()
{
	# bash makes a background job ignore SIGINT and SIGQUIT: without the
	# reset, a Ctrl-C would leave COMMAND running, holding the cache lock.
	(
		trap - INT QUIT
		"$@"
	) &
	stoppable_pid=$!
	# A process of the list may be gone by the kill: still exit so.
	trap 'kill -TERM $(descendants "$stoppable_pid") 2>/dev/null || :
	      exit 143' TERM
	trap 'kill -TERM $(descendants "$stoppable_pid") 2>/dev/null || :
	      exit 129' HUP
}

# run_stoppable COMMAND...: run COMMAND as start_stoppable does, wait
# for it and return its status.  A script that runs a long child (QEMU,
# a kernel build, another script) this way stops that child when it is
# stopped, instead of leaving it running on its own.
run_stoppable()
{
	local rc=0

	start_stoppable "$@"
	wait "$stoppable_pid" || rc=$?
	trap - TERM HUP
	return $rc
}

# with_progress WHAT PROBE COMMAND...: run COMMAND and, every
# PROGRESS_SECS (30) seconds while it runs, print to stderr WHAT, the
# output of the shell command PROBE (how far it got) and the time taken.
# Returns COMMAND's status.  A TERM or HUP sent to the script meanwhile
# stops COMMAND and all it started, which would otherwise go on in the
# background, holding the cache lock; the script exits then (its EXIT
# trap runs; the scripts that call this set no TERM or HUP trap of their
# own, and this leaves none behind).
# Called in a subshell, as in out=$(with_progress ...), the trap is the
# subshell's: a TERM to the script alone does not reach it, one to the
# process group (Ctrl-C, a CI cancel) does.
with_progress()
{
	local what=$1 probe=$2 start=$SECONDS pid rc=0 next

	shift 2
	next=$((SECONDS + ${PROGRESS_SECS:-30}))
	start_stoppable "$@"
	pid=$stoppable_pid
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[ $SECONDS -ge $next ] || continue
		kill -0 "$pid" 2>/dev/null || break
		note "$what: $(eval "$probe" 2>/dev/null), $((SECONDS - start)) s"
		next=$((SECONDS + ${PROGRESS_SECS:-30}))
	done
	wait "$pid" || rc=$?
	trap - TERM HUP
	return $rc
}

# need_uint NAME [MIN [MAX]]: die unless the variable NAME, if set, is a
# whole number in MIN..MAX (MIN defaults to 1), written without leading
# zeros, which $((...)) would read as octal.
need_uint()
{
	local name=$1 min=${2:-1} max=${3:-} v range

	v=${!name-}
	[ -n "$v" ] || return 0
	range="at least $min"
	[ -z "$max" ] || range="from $min to $max"
	[[ $v =~ ^0[0-9] ]] && range+=", without leading zeros"
	[[ $v =~ ^(0|[1-9][0-9]{0,8})$ ]] && [ "$v" -ge "$min" ] &&
		{ [ -z "$max" ] || [ "$v" -le "$max" ]; } ||
		die "$name='$v': must be a whole number $range"
}

# JOBS is set above, for every script that builds.
need_uint JOBS 1 256
need_uint PROGRESS_SECS 1 3600

# A test run's last line: its totals.
TOTALS_RE='^[0-9]+ passed, [0-9]+ failed$'

# name_totals NAME: copy stdin to stdout a line at a time (for logs read
# while the run goes on), with NAME in front of every totals line, so that
# only the caller's own last line has the bare form.
name_totals()
{
	sed -u -E "s/$TOTALS_RE/$1: &/"
}

# add_totals NAME OUT STATUS: add the last totals line in OUT, the output
# of the suite NAME, which exited with STATUS, to passed and failed, and
# set suite_passed and suite_failed to it.  A suite that printed no such
# line, ran no test, or exited non-zero counting no failure has one more
# failure, with a line on stdout saying why.
add_totals()
{
	local line why= p=0 f=0

	line=$(grep -E "$TOTALS_RE" "$2" | tail -n 1) || true
	if [ -n "$line" ]; then
		p=${line%% *}
		f=${line#* passed, }
		f=${f%% *}
	fi
	if [ -z "$line" ]; then
		why="printed no 'N passed, N failed' line (exit status $3)"
	elif [ $((p + f)) -eq 0 ]; then
		why="ran no test"
	elif [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exited with status $3"
	fi
	if [ -n "$why" ]; then
		echo "FAIL: $1 $why"
		f=$((f + 1))
	fi
	suite_passed=$p
	suite_failed=$f
	passed=$((passed + p))
	failed=$((failed + f))
}

# need_one_of NAME WORD...: die unless the variable NAME, if set, is one
# of the WORDs.
need_one_of()
{
	local name=$1 v

	v=${!name-}
	shift
	[ -n "$v" ] || return 0
	case " $* " in
	*" $v "*) return 0 ;;
	esac
	die "$name=$v: not one of $*"
}

# Other jobs build kernels on this machine too: every step that touches a
# tree or a build directory under $CACHE runs while holding this lock.
# Scripts started by a holder of the lock inherit it and must not wait for
# it again.
lock_cache()
{
	[ -n "${ZBUD_LOCKED:-}" ] && return
	mkdir -p "$CACHE"
	exec 9>"$CACHE/lock"
	take_lock 9 "$CACHE/lock" "another job is using the kernel trees"
	export ZBUD_LOCKED=1
}

# take_lock FD FILE WHY: flock FD, open on FILE, saying every 30 s while
# it waits, and why (WHY: who holds it).
take_lock()
{
	local start=$SECONDS

	flock -n "$1" && return
	note "waiting for $2 ($3)"
	# 75 is flock's status on a timeout here, any other is an error.
	until flock -w 30 -E 75 "$1"; do
		[ $? -eq 75 ] || die "flock $2 failed"
		note "still waiting for $2, $((SECONDS - start)) s"
	done
}

# Files of the series that are copied into a tree whole.
OVERLAY_FILES="include/linux/zbud.h mm/zbud.c mm/zbud_kunit.c
Documentation/mm/zbud.rst"

# The patch files of the overlay, in the order they are applied.
OVERLAY_PATCHES="Kconfig.patch include/linux/zpool.patch mm/z3fold.patch
mm/zswap.patch"
# What --no-zswap applies: our zbud under 6.1's zswap and z3fold.
OVERLAY_PATCHES_NO_ZSWAP="Kconfig.patch include/linux/zpool.patch"

# overlay_hash [REV]: a short hash of the series' sources (the overlay
# files, the patch files and MAINTAINERS) on disk, or as of
# git revision REV.  Saved results carry it, so that the cover letter can
# tell results of these very sources from stale ones.
overlay_hash()
{
	local f

	for f in $OVERLAY_FILES $OVERLAY_PATCHES MAINTAINERS; do
		echo "== $f"
		if [ -n "${1:-}" ]; then
			git -C "$REPO" cat-file blob "$1:$f" 2>/dev/null || true
		else
			cat "$REPO/$f" 2>/dev/null || true
		fi
	done | sha1sum | cut -c1-12
}

# new_tmp FILE: a new temporary file beside FILE, .NAME.PID.XXXXXX, to be
# renamed over it.  Those of scripts that were killed before the rename
# (their PID is gone) are removed first.
new_tmp()
{
	local dir=${1%/*} f

	for f in "$dir"/.*.[0-9]*.??????*; do
		[[ $f =~ \.([0-9]+)\.[[:alnum:]]{6}(\.gp)?$ ]] || continue
		# Not kill -0: another user's live process refuses it.
		[ -d "/proc/${BASH_REMATCH[1]}" ] || rm -f "$f"
	done
	mktemp "$dir/.${1##*/}.$$.XXXXXX"
}

# save_result NAME: store stdin as tools/testing/zbud/results/NAME, after
# a first line that names the sources it was made from (ZBUD_RUN_HASH).
# Two runs at once each write a file of their own and the last rename
# wins.
save_result()
{
	local tmp

	mkdir -p "$ZBUD_DIR/results"
	tmp=$(new_tmp "$ZBUD_DIR/results/$1")
	{
		echo "# overlay $ZBUD_RUN_HASH, $(date -u '+%Y-%m-%d %H:%M UTC')"
		cat
	} >"$tmp"
	chmod 644 "$tmp"
	mv "$tmp" "$ZBUD_DIR/results/$1"
}

# samples_dat SAMPLES: the guest's sample lines (KEY=VALUE fields, with
# t= seconds, pool_bytes=, stored= and pswpin=) as columns for plot_svg:
# seconds, pool pages, stored pages, pages read from swap since the first.
samples_dat()
{
	awk '{
		for (i = 1; i <= NF; i++)
			if (split($i, kv, "=") == 2)
				v[kv[1]] = kv[2]
		if (NR == 1)
			in0 = v["pswpin"]
		print v["t"], v["pool_bytes"] / 4096, v["stored"],
		      v["pswpin"] - in0 }' "$1"
}

# plot_svg OUT TITLE PANELS DAT|LABEL...: draw one panel per
# "COLUMN:y label" in PANELS (separated by ';'), one line per DAT file
# (seconds in column 1), into the SVG OUT.  The SVG gets an SPDX line,
# since plots are kept in the repository.  Without gnuplot, or if it
# fails, it says so and draws nothing.
plot_svg()
{
	local out=$1 title=$2 what p sep gp new
	local -a panels

	IFS=';' read -r -a panels <<<"$3"
	shift 3
	[ $# -gt 0 ] || return 0
	command -v gnuplot >/dev/null ||
		{ note "no gnuplot: no ${out##*/}"; return 0; }
	new=$(new_tmp "$out")
	gp=$new.gp
	{
		echo "set terminal svg size 900,$((300 * ${#panels[@]})) dynamic"
		echo "set output '$new'"
		echo "set multiplot layout ${#panels[@]},1 title '$title'"
		echo "set key left top; set grid; set xlabel 'seconds'"
		for what in "${panels[@]}"; do
			echo "set ylabel '${what#*:}'"
			printf 'plot '
			sep=
			for p in "$@"; do
				printf "%s'%s' using 1:%s with lines title '%s'" \
					"$sep" "${p%%|*}" "${what%%:*}" "${p#*|}"
				sep=', '
			done
			echo
		done
		echo "unset multiplot"
	} >"$gp"
	if ! gnuplot "$gp" >&2; then
		note "gnuplot failed on $gp"
		rm -f "$new"
		return 0
	fi
	sed -i '1a <!-- SPDX-License-Identifier: GPL-2.0-only -->' "$new"
	chmod 644 "$new"
	mv "$new" "$out"
	rm -f "$gp"
}

# Where apply-overlay.sh --replay puts replay/zbud_replay.c in a tree.
REPLAY_FILE=mm/zbud_replay.c

# sync_tree SRC [apply-overlay.sh option...]: bring $CACHE/tree/<id of
# SRC>, the tree the zbud kernels share, to SRC with the series applied,
# and set $tree to it.  Call it holding the cache lock.  The overlay's
# files are left out of the mirror, so that apply-overlay.sh rewrites only
# those whose content changed and a rebuild compiles only what did.
sync_tree()
{
	local src=$1 id=${1##*/} f excludes=()

	shift
	# rsync --delete writes into $CACHE/tree/$id: never with a bad id.
	[ -n "$id" ] && [ -f "$src/Makefile" ] ||
		die "'$src' is not a kernel tree"
	tree=$CACHE/tree/$id
	for f in $OVERLAY_FILES $REPLAY_FILE $(patched_files); do
		excludes+=("--exclude=/$f")
	done
	mkdir -p "$tree"
	with_progress "copying $src to $tree" \
		'echo "$(du -sm "$tree" | cut -f1) MiB there"' \
		rsync -a --delete "${excludes[@]}" "$src/" "$tree/" >&2
	"$ZBUD_DIR/kernel/apply-overlay.sh" "$@" "$tree" "$src" >&2
}

# Files of a tree that the overlay edits: those the patch files touch,
# each once, plus MAINTAINERS, whose ZBUD block is replaced.
patched_files()
{
	(cd "$REPO" && sed -n 's|^+++ b/||p' $OVERLAY_PATCHES) |
		awk '!seen[$0]++'
	echo MAINTAINERS
}

# config_unmet CONFIG FRAGMENT...: print "SYMBOL LINE" for each line of
# the fragments that the .config CONFIG does not honour, so a caller can
# excuse the symbols it knows may be absent.
config_unmet()
{
	local config=$1 line sym

	shift
	while read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qxF "$line" "$config" && continue
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$config" || continue
			;;
		*)
			continue
			;;
		esac
		echo "$sym $line"
	done < <(cat "$@")
}

# The sources a run is made of are those on disk when it starts, in the
# first script of this repository that sources this file: a result saved
# at the end names them, although they may have changed meanwhile.
if [ "${ZBUD_RUN_REPO:-}" != "$REPO" ]; then
	ZBUD_RUN_REPO=$REPO
	ZBUD_RUN_HASH=$(overlay_hash)
	export ZBUD_RUN_REPO ZBUD_RUN_HASH
fi
