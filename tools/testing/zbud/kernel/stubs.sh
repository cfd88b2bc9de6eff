# SPDX-License-Identifier: GPL-2.0-only
# Stub dpkg-query, apt-get and id that make a machine with every package
# look like a fresh one.  Source it; used by install-test.sh and
# rehearse.sh.

# make_apt_stubs BIN STATE: write the stubs into directory BIN, keeping
# their state in directory STATE.  Status queries say "not installed"
# until the stub apt-get has run an install (STATE/installed), and any
# other query goes to the real dpkg-query; apt-get logs its arguments to
# STATE/apt.log and prints apt-like lines on stdout, as apt-get does.
# id -u says 0, or what STATE/uid holds: the install paths need root, and
# with apt-get stubbed a user who is not root can run them too.
make_apt_stubs()
{
	local bin=$1 state=$2 real real_id

	real=$(command -v dpkg-query) || die "dpkg-query not found"
	real_id=$(command -v id) || die "id not found"
	mkdir -p "$bin" "$state"
	cat >"$bin/dpkg-query" <<STUB
#!/bin/bash
case "\$*" in
*db:Status-Abbrev*)
	[ -e "$state/installed" ] || { printf 'un '; exit 0; }
	;;
esac
exec "$real" "\$@"
STUB
	cat >"$bin/apt-get" <<STUB
#!/bin/bash
echo "apt-get \$*" >>"$state/apt.log"
echo 'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]'
echo 'Reading package lists... Done'
if [[ " \$* " = *" install "* ]]; then
	echo 'Need to get 133 MB of archives.'
	echo 'Fetched 133 MB in 20s (6656 kB/s)'
	echo 'Selecting previously unselected package linux-source-6.1.'
	echo 'Preparing to unpack .../linux-source-6.1_6.1.192-3_all.deb ...'
	echo 'Unpacking linux-source-6.1 (6.1.192-3) ...'
	echo 'Setting up linux-source-6.1 (6.1.192-3) ...'
	echo 'Processing triggers for man-db (2.11.2-2) ...'
	touch "$state/installed"
fi
STUB
	cat >"$bin/id" <<STUB
#!/bin/bash
if [ "\$*" = -u ]; then
	cat "$state/uid" 2>/dev/null || echo 0
	exit 0
fi
exec "$real_id" "\$@"
STUB
	chmod +x "$bin/dpkg-query" "$bin/apt-get" "$bin/id"
}
