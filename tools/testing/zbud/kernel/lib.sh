# SPDX-License-Identifier: GPL-2.0-only
# Settings and helpers shared by the zbud pipeline scripts.  Source it.

ZBUD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$ZBUD_DIR/../../.." && pwd)
CACHE=${CACHE:-$REPO/.cache}
JOBS=${JOBS:-3}

die()
{
	echo "${0##*/}: error: $*" >&2
	exit 1
}

note()
{
	echo "${0##*/}: $*" >&2
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
	flock -n 9 && { export ZBUD_LOCKED=1; return; }
	note "waiting for $CACHE/lock (another job is using the kernel trees)"
	flock 9
	export ZBUD_LOCKED=1
}

# Files of the series that are copied into a tree whole.
OVERLAY_FILES="include/linux/zbud.h mm/zbud.c mm/zbud_kunit.c
Documentation/mm/zbud.rst"

# Where apply-overlay.sh --replay puts replay/zbud_replay.c in a tree.
REPLAY_FILE=mm/zbud_replay.c

# Files of a tree that the overlay edits: those Kconfig.patch touches,
# plus MAINTAINERS, whose ZBUD block is replaced.
patched_files()
{
	sed -n 's|^+++ b/||p' "$REPO/Kconfig.patch"
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
