# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by kunit.sh and vm.sh.  Source it.
. "$(dirname "${BASH_SOURCE[0]}")/../kernel/lib.sh"

VM_DIR=$ZBUD_DIR/vm

# Build kernel FLAVOUR and the initramfs; sets $out, $tree and $initrd.
prepare_vm()
{
	out=$("$ZBUD_DIR/kernel/build.sh" "$1")
	tree=$(sed -n 's/^tree=//p' "$out/info")
	initrd=$("$VM_DIR/mkinitramfs.sh" "$out/gen_init_cpio")
}

# Make a fresh directory $run for one run's files; NAME-latest links to it.
new_run_dir()
{
	mkdir -p "$CACHE/runs"
	run=$(mktemp -d "$CACHE/runs/$1.$(date +%Y%m%d-%H%M%S).XXXX")
	ln -sfn "$run" "$CACHE/runs/$1-latest"
}

# Kernel reports that fail any run, whatever the tests said.
LOG_PROBLEMS=('WARNING:' 'BUG:' 'Oops' 'Kernel panic' 'Call Trace:'
	      'general protection fault' 'Out of memory')

# Set $problems to the number of kinds of kernel report in console log
# $1, and show the first lines of each.
scan_log()
{
	local pat

	problems=0
	for pat in "${LOG_PROBLEMS[@]}"; do
		grep -q -- "$pat" "$1" || continue
		echo "FAIL: the console shows '$pat':"
		grep -m 3 -- "$pat" "$1" | sed 's/^/    /'
		problems=$((problems + 1))
	done
}
