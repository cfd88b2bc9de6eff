#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: deps.sh [PACKAGE...]
# Install the Debian packages the pipeline needs (or the PACKAGEs given),
# when some are missing; linux-source-6.1 only if KDIR does not name a
# tree to use instead.
# Only root can install; anyone else gets the list of what is missing.
# It prints nothing on stdout: callers run it inside scripts whose stdout
# is captured, so apt-get's output goes to stderr with everything else.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
exec >&2

PACKAGES="qemu-system-x86 flex bison bc libelf-dev libssl-dev ccache cpio
xz-utils python3 gcc make libc6-dev rsync patch util-linux git perl sparse
python3-ply python3-git liblzo2-dev liblz4-dev libzstd-dev python3-sphinx
clang lld llvm gnuplot-nox"
# A tree of the user's (KDIR) replaces the Debian source.
[ -n "${KDIR:-}" ] || PACKAGES="linux-source-6.1 $PACKAGES"
for pkg in "$@"; do
	[[ $pkg =~ ^[a-z0-9][a-z0-9.+-]*$ ]] ||
		die "'$pkg' is not a Debian package name (usage: deps.sh [PACKAGE...])"
done
[ $# -eq 0 ] || PACKAGES="$*"

command -v dpkg-query >/dev/null ||
	{ note "not a Debian system, not checking packages"; exit 0; }

# Set missing to the packages that are not installed.
find_missing()
{
	local pkg

	missing=()
	for pkg in $PACKAGES; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null |
			grep -q '^ii' || missing+=("$pkg")
	done
}

find_missing
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] ||
	die "missing packages (install them as root): ${missing[*]}"
note "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's first boot often runs unattended-upgrades: wait for
# its dpkg lock instead of failing at once.
apt=(apt-get -q -o DPkg::Lock::Timeout=600)
# apt-get update takes the package lists' lock, which the lock timeout
# does not cover and apt-daily holds on first boot: try a few times.
for try in 1 2 3 4 5; do
	with_progress "apt-get update" \
		'echo "$(ls /var/lib/apt/lists | wc -l) files in /var/lib/apt/lists"' \
		"${apt[@]}" update && break
	[ "$try" -lt 5 ] || die "apt-get update failed 5 times (errors above)"
	note "apt-get update failed (try $try of 5), again in 30 s"
	sleep 30
done
# A download of a few hundred MB can keep apt-get quiet for minutes.
with_progress "apt-get install of ${#missing[@]} packages" \
	'echo "$(ls /var/cache/apt/archives/*.deb 2>/dev/null | wc -l) .deb files in the cache"' \
	"${apt[@]}" install -y --no-install-recommends "${missing[@]}" ||
	die "apt-get install failed (its errors are above; an install" \
	    "that was stopped halfway may need dpkg --configure -a)"
find_missing
[ ${#missing[@]} -eq 0 ] ||
	die "still missing after apt-get install: ${missing[*]}"
