#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: rehearse.sh [DIR [COMMAND...]]
#
# Run the README's two commands as a new user would on a fresh Debian 12
# machine: in a fresh clone of this repository's HEAD at DIR (default:
# zbud-rehearsal beside the repository, so that ../shared is found), with
# nothing cached, and with the stub dpkg-query, apt-get and id of
# kernel/stubs.sh first in PATH, so that each command takes deps.sh's
# install branch without removing anything from this machine.  Each
# command's stdout goes to DIR.<command>.log.out and its stderr to
# DIR.<command>.log; a command whose stdout holds progress, apt, make or
# compiler output counts as failed, and so does a check whose stdout does
# not end with its totals line.  stdout gets one line per command with
# its exit status, time and the last line of its stdout.  COMMAND is vm or
# check (default both, in that order).  Takes about 45 minutes (two cold
# kernel builds in each command).
set -euo pipefail
. "$(dirname "$0")/kernel/lib.sh"
. "$ZBUD_DIR/kernel/stubs.sh"
stdout_to_stderr

case ${1:-} in
-h | --help) sed -n '3,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0" >&2; exit 0 ;;
-*) die "unknown option '$1' (usage: rehearse.sh [DIR [vm|check...]])" ;;
esac
dir=$(realpath -m -- "${1:-$REPO/../zbud-rehearsal}")
shift || true
cmds=${*:-vm check}
for cmd in $cmds; do
	case $cmd in
	vm | check) ;;
	*) die "unknown command '$cmd' (vm, check)" ;;
	esac
done
# The stub id tells deps.sh it runs as root, whoever runs this: run by
# anyone else, the rehearsal would pass the install branch that their
# own commands, refused by deps.sh, never take.
[ "$(id -u)" -eq 0 ] || die "run it as root, as the README's commands are"
[ -d "$(dirname "$dir")/shared" ] ||
	die "$(dirname "$dir")/shared does not exist: put the clone beside shared/"
[ ! -e "$dir" ] || die "$dir exists: remove it or name another DIR"
git clone -q "$REPO" "$dir"
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
make_apt_stubs "$state/bin" "$state"

# run_in_clone COMMAND LOG: make COMMAND in the clone as a new user would,
# stdout to LOG.out and stderr to LOG.  The environment is a new login's:
# none of this shell's knobs (CACHE, VM_*, CHECK_SUITES, ...) reach it.
run_in_clone()
{
	(cd "$dir" &&
	 env -i HOME="$HOME" PATH="$state/bin:$PATH" LANG="${LANG:-C.UTF-8}" \
		make --no-print-directory -C tools/testing/zbud "$1") \
		>"$2.out" 2>"$2"
}

# Progress, apt and build output belong on stderr: lines in the form of
# lib.sh's note(), of apt's output, of make's own messages or of compiler
# commands must not reach stdout.
CHATTER='^[A-Za-z0-9_.-]+\.sh: |^(Get|Hit):[0-9]|^Reading package|^Setting up '
CHATTER+='|^(Need to get|Fetched|Selecting previously|Preparing to unpack|Unpacking'
CHATTER+='|Processing triggers) '
CHATTER+='|^make(\[[0-9]+\])?: |^(ccache )?(gcc|cc|clang) '
# kbuild's short commands: "  CC      mm/zbud.o", "  LD      vmlinux"
CHATTER+='|^  [A-Z][A-Z0-9_]{1,9} +[^ ]'

for cmd in $cmds; do
	rm -f "$state/installed" "$state/apt.log"
	log=$dir.$cmd.log
	note "make --no-print-directory -C tools/testing/zbud $cmd in $dir" \
	     "(log: $log)"
	start=$SECONDS
	rc=0
	with_progress "make $cmd" 'tail -n 1 "$log" | cut -c1-100' \
		run_in_clone "$cmd" "$log" || rc=$?
	grep -q ' install ' "$state/apt.log" 2>/dev/null ||
		die "deps.sh did not take its install branch in make $cmd"
	chatter=$(grep -c -E "$CHATTER" "$log.out" || true)
	[ "$chatter" -eq 0 ] || {
		grep -m 3 -E "$CHATTER" "$log.out" >&2
		[ "$rc" -ne 0 ] || rc=1
		note "make $cmd printed $chatter progress lines on stdout"
	}
	[ "$cmd" != check ] ||
		tail -n 1 "$log.out" | grep -qE "$TOTALS_RE" || {
		[ "$rc" -ne 0 ] || rc=1
		note "make check's stdout does not end with its totals line"
	}
	result "make $cmd: exit $rc, $(((SECONDS - start) / 60)) min," \
	       "stdout: $log.out, last line: $(tail -n 1 "$log.out")"
done
