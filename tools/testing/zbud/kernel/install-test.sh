#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The paths a fresh Debian 12 machine takes, on a machine that has every
# package already.  Stub dpkg-query and apt-get, first in PATH, report
# every package missing until the stub apt-get "installs" them, and print
# apt-like lines on stdout as the real apt-get does; a stub id says root,
# or not.  Then the scripts whose stdout callers capture must still hand
# over exactly their result:
#  - kernel/deps.sh takes its install branch and prints nothing on stdout;
#    not as root, it installs nothing and names what is missing;
#  - kernel/source.sh prints the 6.1 tree alone;
#  - vmlib.sh's prepare_vm, the caller vm.sh uses, gets build.sh's output
#    directory and the tree, and prints nothing on stdout;
#  - the harness's source lookup (harness.mk) finds the same tree;
#  - a bad knob (VM_FILL_MIB=abc) or an argument (--help) stops vm.sh on
#    the host, before it builds or boots anything.
# Ends with the line "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/../vm/vmlib.sh"
. "$ZBUD_DIR/kernel/stubs.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stubs=$tmp/bin
make_apt_stubs "$stubs" "$tmp"

# fresh: forget what the stub apt-get installed; root again.
fresh()
{
	rm -f "$tmp/installed" "$tmp/apt.log" "$tmp/uid"
}

# stubbed COMMAND...: run COMMAND with the stubs first in PATH.
stubbed()
{
	PATH=$stubs:$PATH "$@"
}

expected_src=$("$ZBUD_DIR/kernel/source.sh")

fresh
rc=0
stubbed "$ZBUD_DIR/kernel/deps.sh" >"$tmp/deps.out" 2>"$tmp/deps.err" ||
	rc=$?
check "deps.sh took its install branch" grep -q ' install ' "$tmp/apt.log"
check "deps.sh succeeded once the packages were in" [ "$rc" -eq 0 ]
check "deps.sh printed nothing on stdout" [ ! -s "$tmp/deps.out" ]

fresh
echo 1000 >"$tmp/uid"
rc=0
stubbed "$ZBUD_DIR/kernel/deps.sh" >"$tmp/user.out" 2>"$tmp/user.err" ||
	rc=$?
check "deps.sh not as root fails" [ "$rc" -ne 0 ]
check "and installs nothing" [ ! -e "$tmp/apt.log" ]
check "and names what is missing" grep -q "install them as root): .*qemu" \
	"$tmp/user.err"
check "and prints nothing on stdout" [ ! -s "$tmp/user.out" ]

fresh
got=$(stubbed "$ZBUD_DIR/kernel/source.sh" 2>"$tmp/source.err") || true
check "source.sh printed the tree alone ($expected_src)" \
	[ "$got" = "$expected_src" ]

fresh
run=$tmp/run
mkdir -p "$run"
got=$(stubbed bash -c '. "$1"; run=$2; prepare_vm zbud >"$run/prepare.out" &&
	printf "%s\n" "$out" "$tree"' - "$VM_DIR/vmlib.sh" "$run" \
	2> >(tee "$tmp/prepare.err" >&2)) || true
check "prepare_vm got build.sh's directory $run/kernel" \
	[ "$(sed -n 1p <<<"$got")" = "$run/kernel" ]
check "prepare_vm got the patched tree from its info file" \
	[ -f "$(sed -n 2p <<<"$got")/mm/zbud_kunit.c" ]
check "prepare_vm printed nothing on stdout" [ ! -s "$run/prepare.out" ]

fresh
got=$(stubbed make -s --no-print-directory -C "$ZBUD_DIR/harness" \
	HARNESS_KSRC_FILE="$tmp/harness-ksrc" ksrc 2>"$tmp/harness.err") ||
	true
check "the harness found the tree ($expected_src)" \
	[ "$got" = "$expected_src" ]

# latest_vm_run: the run directory vm.sh made last (new_run_dir points
# vm-latest at each new one; it prunes old ones, so a count could stay
# the same).
latest_vm_run()
{
	readlink "$CACHE/runs/vm-latest" || echo none
}

before=$(latest_vm_run)
rc=0
VM_FILL_MIB=abc timeout 60 "$VM_DIR/vm.sh" >"$tmp/knob.out" \
	2>"$tmp/knob.err" || rc=$?
check "VM_FILL_MIB=abc fails vm.sh at once" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
check "and says why" grep -q "VM_FILL_MIB='abc'" "$tmp/knob.err"
check "before making a run directory" [ "$(latest_vm_run)" = "$before" ]

rc=0
timeout 60 "$VM_DIR/vm.sh" --help >"$tmp/args.out" 2>"$tmp/args.err" ||
	rc=$?
check "vm.sh --help fails at once" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
check "and says it takes no arguments" grep -q "takes no arguments" \
	"$tmp/args.err"
check "before making a run directory" [ "$(latest_vm_run)" = "$before" ]

if [ "$failed" -gt 0 ]; then
	for f in deps user source prepare harness knob args; do
		echo "--- $f.err"
		tail -n 5 "$tmp/$f.err" 2>/dev/null || true
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
