#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: hostcpu.sh [IDLE_SECS]
#
# The host's view of each boot's compile job, beside a `make pressure`
# with the same CACHE (start this first).  Once a second it reads, from
# /proc, the CPU time of the running QEMU and of each of its threads,
# and the job's phase from the boot's console log: the compile job
# starts after the line "zbudvm: probe zswap_load_us=" and ends at
# "zbudvm: job name=compile".  Per boot it prints one line to stdout:
#
#   LOG host_s=S qemu_cpu_s=C vcpu_cpu_s=V main_cpu_s=M guest_busy_s=G
#
# host_s is the job's wall time on the host, to a second; qemu_cpu_s the
# QEMU process's CPU time over it; vcpu_cpu_s that of its two busiest
# threads (the vCPUs, under TCG); main_cpu_s that of its main thread
# (devices and I/O); guest_busy_s the guest's own user + system seconds
# from its "cpu job=compile" line.  guest_busy_s well above vcpu_cpu_s
# would be time the guest counted as busy while its vCPUs did not run
# (a TCG guest has no steal time).  Exits once no QEMU has run for
# IDLE_SECS (default 120) after the first boot it saw.
set -euo pipefail
. "$(dirname "$0")/../kernel/lib.sh"

IDLE_SECS=${1:-120}
[[ $IDLE_SECS =~ ^[1-9][0-9]*$ ]] || die "usage: ${0##*/} [IDLE_SECS]"
# Without pgrep no boot would ever be seen.
command -v pgrep >/dev/null || die "needs pgrep: install procps"
RUNS=$CACHE/runs
HZ=$(getconf CLK_TCK)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/stamp"

# snapshot PID: "time EPOCH", "total TICKS" and a "TID TICKS" line per
# thread (utime + stime); fails once the process is gone.
snapshot()
{
	local f s

	echo "time $(date +%s.%N)"
	for f in "/proc/$1/stat" "/proc/$1"/task/*/stat; do
		s=$(<"$f") || return 1
		# Fields after "(comm) ": state is 3, utime 14, stime 15.
		read -r -a s <<<"${s##*) }"
		if [ "$f" = "/proc/$1/stat" ]; then
			echo "total $((s[11] + s[12]))"
		else
			f=${f%/stat}
			echo "${f##*/} $((s[11] + s[12]))"
		fi
	done
}

# The console log of the boot that just started: the newest one of the
# current pressure run written since this script started.
find_log()
{
	find -L "$RUNS/pressure-latest/" -maxdepth 1 -name 'console.*.log' \
		-newer "$tmp/stamp" -printf '%T@ %p\n' 2>/dev/null |
		sort -n | tail -n 1 | cut -d' ' -f2-
}

phase_of()
{
	if grep -q 'zbudvm: job name=compile' "$1"; then
		echo 'done'
	elif grep -q 'zbudvm: probe zswap_load_us=' "$1"; then
		echo job
	else
		echo boot
	fi
}

# Prints the line of the boot whose QEMU was PID, if its job was seen
# from start to end.
report_boot()
{
	local pid=$1 log=$2 busy

	if [ ! -s "$tmp/start" ] || [ ! -s "$tmp/end" ]; then
		note "${log##*/}: the compile job was not seen whole; no line"
		return 0
	fi
	busy=$(sed -n 's/.*zbudvm: cpu job=compile user_s=\([0-9.]*\) system_s=\([0-9.]*\).*/\1 \2/p' \
		"$log" | awk '{ printf "%.1f", $1 + $2 }')
	awk -v pid="$pid" -v hz="$HZ" -v name="${log##*/}" -v busy="${busy:-?}" '
		NR == FNR { s[$1] = $2; next }
		$1 == "time" { wall = $2 - s["time"]; next }
		{ d[$1] = $2 - s[$1] }
		END {
			for (t in d) {
				if (t == "total" || t == pid)
					continue
				if (d[t] > a) { b = a; a = d[t] }
				else if (d[t] > b) b = d[t]
			}
			printf "%s host_s=%.0f qemu_cpu_s=%.1f vcpu_cpu_s=%.1f main_cpu_s=%.1f guest_busy_s=%s\n",
			       name, wall, d["total"] / hz, (a + b) / hz,
			       d[pid] / hz, busy
		}' "$tmp/start" "$tmp/end"
}

cur='' log='' last_seen=$SECONDS boots=0 next=$((SECONDS + 30))
while :; do
	pid=$(pgrep -x qemu-system-x86 || true)
	[ "$(wc -w <<<"$pid")" -le 1 ] ||
		die "more than one QEMU is running: cannot tell whose boot it is"
	if [ -n "$cur" ] && [ "$pid" != "$cur" ]; then
		report_boot "$cur" "$log"
		cur=
	fi
	if [ -z "$pid" ]; then
		[ $boots -gt 0 ] && [ $((SECONDS - last_seen)) -ge "$IDLE_SECS" ] &&
			break
	elif [ -z "$cur" ]; then
		log=$(find_log)
		if [ -n "$log" ]; then
			cur=$pid
			boots=$((boots + 1))
			: >"$tmp/start"
			: >"$tmp/end"
			rm -f "$tmp/done"
		fi
	fi
	if [ -n "$cur" ]; then
		last_seen=$SECONDS
		phase=$(phase_of "$log")
		# Sample through the job and once after its line shows.
		if [ "$phase" = job ] ||
		   { [ "$phase" = "done" ] && [ ! -e "$tmp/done" ]; }; then
			if snapshot "$cur" >"$tmp/snap"; then
				[ -s "$tmp/start" ] || cp "$tmp/snap" "$tmp/start"
				cp "$tmp/snap" "$tmp/end"
			fi
		fi
		[ "$phase" != "done" ] || touch "$tmp/done"
	fi
	if [ $SECONDS -ge $next ]; then
		note "watching QEMU under $RUNS/pressure-latest: $boots boots seen, $SECONDS s"
		next=$((SECONDS + 30))
	fi
	sleep 1
done
