#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: run-qemu.sh BZIMAGE INITRD LOG TIMEOUT APPEND [DISK[:ro]]...
#
# Boot the guest in QEMU (TCG: this machine has no KVM) with the serial
# console written to LOG, and each DISK as a raw virtio disk (/dev/vda,
# /dev/vdb, ...).  The guest ends by rebooting, which -no-reboot turns
# into QEMU exiting.  After TIMEOUT seconds QEMU is killed and this fails.
# An oops panics the guest (oops=panic, panic=-1: reboot at once), so a
# crash in a kernel thread ends the run instead of leaving a guest that
# waits out TIMEOUT.
# VM_MEM (MiB, default 256) and VM_CPUS (default 2) size the guest.
# VM_THROTTLE_IOPS=N (default 0, none) limits the first DISK to N
# requests a second (QEMU's throttling.iops-total), as a slow swap disk.
#
# Under TCG the guest's TSC counts at the host's TSC rate, but the guest
# cannot calibrate it (no PIT, HPET or ACPI timer it trusts) and falls
# back to jiffies, which tick every 4 ms: too coarse to time one zpool
# call.  So the host's rate is handed to the guest's TSC code.
set -euo pipefail
. "$(dirname "$0")/vmlib.sh"

[ $# -ge 5 ] ||
	die "usage: ${0##*/} BZIMAGE INITRD LOG TIMEOUT APPEND [DISK[:ro]]..."
kernel=$1 initrd=$2 log=$3 timeout=$4 append=$5
shift 5

khz=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' \
	/proc/cpuinfo)
[ -z "$khz" ] || append+=" tsc_early_khz=$khz tsc=reliable"

args=(-nodefaults -accel tcg -cpu max -smp "${VM_CPUS:-2}"
      -m "${VM_MEM:-256}" -bios /usr/share/qemu/qboot.rom
      -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 panic=-1 oops=panic $append"
      -display none -monitor none -serial "file:$log" -no-reboot)
need_uint VM_THROTTLE_IOPS 0
iops=${VM_THROTTLE_IOPS:-0}
for disk in "$@"; do
	# -drive splits on commas; a comma in the path is written twice.
	path=${disk%:ro}
	opt=file=${path//,/,,},format=raw,if=virtio
	[ "$disk" = "${disk%:ro}" ] || opt+=,readonly=on
	[ "$iops" -eq 0 ] || opt+=,throttling.iops-total=$iops
	iops=0
	args+=(-drive "$opt")
done

# --foreground keeps QEMU in our process group, so that an interrupted
# make stops it too.
rc=0
with_progress "guest running" 'echo "$(wc -l <"$log") console lines"' \
	timeout --foreground --kill-after=10 "$timeout" \
	qemu-system-x86_64 "${args[@]}" || rc=$?
[ $rc -eq 124 ] || [ $rc -eq 137 ] &&
	die "QEMU timed out after $timeout s and was killed (console: $log)"
[ $rc -eq 0 ] || die "QEMU failed with status $rc (console: $log)"
