# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by kunit.sh and vm.sh.  Source it.
. "$(dirname "${BASH_SOURCE[0]}")/../kernel/lib.sh"

VM_DIR=$ZBUD_DIR/vm

# Build kernel FLAVOUR into $run/kernel and the initramfs into $run; sets
# $out, $tree and $initrd.
prepare_vm()
{
	out=$("$ZBUD_DIR/kernel/build.sh" "$1" "$run/kernel")
	tree=$(sed -n 's/^tree=//p' "$out/info")
	initrd=$run/initramfs.cpio
	"$VM_DIR/mkinitramfs.sh" "$out/gen_init_cpio" "$initrd"
}

# Make a fresh directory $run for one run's files; NAME-latest links to
# it, and only the newest 10 runs of NAME are kept.
new_run_dir()
{
	mkdir -p "$CACHE/runs"
	run=$(mktemp -d "$CACHE/runs/$1.$(date +%Y%m%d-%H%M%S).XXXX")
	ln -sfn "$run" "$CACHE/runs/$1-latest"
	ls -dt "$CACHE/runs/$1".*.* | tail -n +11 | xargs -r rm -rf
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
