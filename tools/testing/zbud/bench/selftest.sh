#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Self-test of zbud_bench and pagesizes: well-formed output, known answers
# on tiny traces, and a non-zero exit with a one-line error on bad input.
# No timing is checked: only that the time columns agree with each
# other.  The last line is "N passed, N failed".
#
# usage: selftest.sh ZBUD_BENCH PAGESIZES PAIRING_TEST SPREAD_TEST
set -euo pipefail

[ $# -eq 4 ] || {
	echo "usage: $0 ZBUD_BENCH PAGESIZES PAIRING_TEST SPREAD_TEST" >&2
	exit 2
}
BENCH=$1
PAGESIZES=$2
PAIRING_TEST=$3
SPREAD_TEST=$4
for f in "$BENCH" "$PAGESIZES" "$PAIRING_TEST" "$SPREAD_TEST"; do
	[ -x "$f" ] || { echo "$0: $f is not an executable" >&2; exit 2; }
done

TMP=$(mktemp -d)
SLEEPER=
cleanup()
{
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# Results go to fd 3, so that a check's own output can be redirected.
exec 3>&1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1" >&3; }
bad() { fail=$((fail + 1)); echo "FAIL $1" >&3; }
# check NAME COMMAND...: the command must succeed
check() { local n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }

# fails NAME PATTERN COMMAND...: exit non-zero, one stderr line matching
fails()
{
	local name=$1 pat=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	   grep -q -- "$pat" "$TMP/err"; then
		ok "$name"
	else
		bad "$name (exit $rc, stderr: $(head -c 200 "$TMP/err"))"
	fi
}

# prints NAME PATTERN COMMAND...: exit 0, a stdout line matching.  The
# output goes to a file first: a tool that prints and then fails fails.
prints()
{
	local name=$1 pat=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" -eq 0 ] && grep -q -- "$pat" "$TMP/out"; then
		ok "$name"
	else
		bad "$name (exit $rc, stderr: $(head -c 200 "$TMP/err"))"
	fi
}

# One CSV field of the row for trace $2, allocator $3, column $4 (1-based).
field()
{
	awk -F, -v t="$2" -v a="$3" -v c="$4" \
		'$1 == t && $2 == a { print $c }' "$1"
}

# A trace well-formed: only comments and sizes from 0 to 4096, and some.
well_formed()
{
	awk '/^#/ { next }
	     /^[0-9]+$/ && $1 <= 4096 { n++; next }
	     { bad = 1 }
	     END { exit bad || !n }' "$1"
}

# --- zbud_bench -------------------------------------------------------
printf '# ten zpages of exactly half a page\n' >"$TMP/half.txt"
for i in $(seq 10); do echo 2040; done >>"$TMP/half.txt"
printf '100\n3961\n200\n4096\n300\n\n  400 \n' >"$TMP/refuse.txt"
check "bench: runs on two traces" \
	"$BENCH" --csv --reps 1 "$TMP/half.txt" "$TMP/refuse.txt" \
	>"$TMP/csv" 2>"$TMP/err"
check "bench: csv header" \
	[ "$(head -1 "$TMP/csv")" = \
	  "trace,allocator,stored,rejected,pages,density,alloc_ns,free_ns,move_ns,ns_per_op,ratio_61,bound_ratio,pages_compacted,bytes_moved,moved_per_page,move_failures,run_mid,run_lo,run_hi" ]
check "bench: csv has 4 rows of 19 fields per trace" \
	awk -F, 'NR > 1 && NF == 19 { n++ } END { exit n != 8 || NR != 9 }' \
	"$TMP/csv"
# 2040 + 8 = 2048: two share a page in zbud, never in 6.1's 64-byte
# chunks after its header chunk.  Five live zpages at the end.
check "bench: half pages pair in zbud" \
	[ "$(field "$TMP/csv" half zbud 5)" = 3 ]
check "bench: half pages never pair in zbud-6.1" \
	[ "$(field "$TMP/csv" half zbud-6.1 5)" = 5 ]
check "bench: pairing-bound of five halves is 3" \
	[ "$(field "$TMP/csv" half pairing-bound 5)" = 3 ]
check "bench: pairing-bound leaves times empty" \
	[ "$(field "$TMP/csv" half pairing-bound 7)" = "" ]
# 4096 + 8 is refused by both; 3961 + 8 only by 6.1 (at most 3968).
check "bench: zbud refuses only the oversized page" \
	[ "$(field "$TMP/csv" refuse zbud 4)" = 1 ]
check "bench: zbud-6.1 refuses both" \
	[ "$(field "$TMP/csv" refuse zbud-6.1 4)" = 2 ]
check "bench: refused sizes are skipped for all" \
	[ "$(field "$TMP/csv" refuse zbud 3)" = 4 ]
prints "bench: table mode prints goals" '^goals' \
	"$BENCH" --reps 1 "$TMP/half.txt"

# --- compaction: zbud+compact --------------------------------------------
# Columns 9-16: move_ns ns_per_op ratio_61 bound_ratio pages_compacted
# bytes_moved moved_per_page move_failures.
C=zbud+compact
# zpages of 1008 and 2508 bytes: two small ones share a page, a small
# and a medium one too, two medium ones never.  The fill pairs each small
# one with a medium one, and the teardown frees in slot order, leaving
# lone small zpages that fit together: compaction moves them, and only
# them (the smaller of any pair that fits is small), 1008 bytes each.
{
	for i in $(seq 50); do printf '2500\n2500\n1000\n1000\n'; done
	for i in $(seq 100); do printf '1000\n2500\n'; done
} >"$TMP/twosize.txt"
# All of one size that pairs: at most one page is alone at any time.
for i in $(seq 300); do echo 1000; done >"$TMP/equal.txt"
# Mixed sizes, thin and fat, from a generator of our own (awk's rand()
# differs between awks): x' = 75x + 74 mod 65537 stays exact in doubles.
awk 'function r() { x = (x * 75 + 74) % 65537; return x / 65537 }
	BEGIN { x = 7; for (i = 0; i < 3000; i++)
	print int(r() < 0.5 ? 200 + r() * 1800 : 1500 + r() * 2500) }' \
	>"$TMP/mixed.txt"
check "bench: runs with compaction" \
	"$BENCH" --csv --reps 1 "$TMP/twosize.txt" "$TMP/mixed.txt" \
	"$TMP/equal.txt" >"$TMP/ccsv" 2>"$TMP/err"
check "bench: every trace has a $C row" \
	[ "$(awk -F, -v a=$C '$2 == a' "$TMP/ccsv" | wc -l)" = 3 ]
check "bench: $C moves zpages on twosize" \
	[ "$(field "$TMP/ccsv" twosize $C 13)" -gt 0 ]
check "bench: $C moves only the small zpages" \
	[ "$(field "$TMP/ccsv" twosize $C 15)" = 1008.0 ]
check "bench: $C moves 1008 bytes a page compacted on twosize" \
	awk -F, -v a=$C '$1 == "twosize" && $2 == a && $13 ~ /^[0-9]+$/ &&
		$14 == $13 * 1008 { ok = 1 } END { exit !ok }' "$TMP/ccsv"
check "bench: $C moves zpages on mixed" \
	[ "$(field "$TMP/ccsv" mixed $C 13)" -gt 0 ]
# The replay is deterministic: 761 pages against zbud's 775
# (pairing-bound 757).
check "bench: $C uses fewer pages than zbud on mixed" \
	[ "$(field "$TMP/ccsv" mixed $C 5)" -lt \
	  "$(field "$TMP/ccsv" mixed zbud 5)" ]
check "bench: $C reaches pairing-bound on equal" \
	[ "$(field "$TMP/ccsv" equal $C 5)" = \
	  "$(field "$TMP/ccsv" equal pairing-bound 5)" ]
check "bench: $C bound_ratio is 1 at the bound" \
	[ "$(field "$TMP/ccsv" equal $C 12)" = 1.0000 ]
for t in twosize mixed equal; do
	check "bench: $t: $C no move fails" \
		[ "$(field "$TMP/ccsv" $t $C 16)" = 0 ]
	check "bench: $t: $C never below pairing-bound" \
		[ "$(field "$TMP/ccsv" $t $C 5)" -ge \
		  "$(field "$TMP/ccsv" $t pairing-bound 5)" ]
	# Not "no more pages than zbud": a move frees a page that a later
	# zpage may have to take again, so the end differs by a page or so
	# either way (twosize: 106 against 105 once a free compacts only
	# past a share of the pool).
	check "bench: $t: $C stores what zbud stores" \
		[ "$(field "$TMP/ccsv" $t $C 3),$(field "$TMP/ccsv" $t $C 4)" = \
		  "$(field "$TMP/ccsv" $t zbud 3),$(field "$TMP/ccsv" $t zbud 4)" ]
	# Of two zpages that fit in a page the smaller takes at most half
	# of it, and compaction moves only the smaller of a pair.
	check "bench: $t: each move at most half a page, in whole units" \
		awk -F, -v t=$t -v a=$C '$1 == t && $2 == a {
			ok = $14 <= 2048 * $13 && $14 % 8 == 0 &&
			     ($13 > 0 || $14 == 0) }
			END { exit !ok }' "$TMP/ccsv"
	check "bench: $t: times and ratios positive on the timed rows" \
		awk -F, -v t=$t '$1 == t && $7 != "" { n++
			if (!($7 > 0 && $8 > 0 && $10 > 0 && $11 > 0)) bad = 1 }
			END { exit bad || n != 3 }' "$TMP/ccsv"
	# Nothing pairs better than the optimal pairing.
	check "bench: $t: bound_ratio at most 1, 1 for pairing-bound" \
		awk -F, -v t=$t '$1 == t { n++; if ($12 > 1) bad = 1 }
			$1 == t && $2 == "pairing-bound" && $12 != 1 { bad = 1 }
			END { exit bad || n != 4 }' "$TMP/ccsv"
	# Columns 17-19: the per-rep ratios to zbud-6.1, median and the
	# middle 80%.
	check "bench: $t: run_lo <= run_mid <= run_hi on the timed rows" \
		awk -F, -v t=$t '$1 == t && $7 != "" { n++
			if (!($17 > 0 && $18 <= $17 && $17 <= $19)) bad = 1 }
			$1 == t && $7 == "" && $17 $18 $19 != "" { bad = 1 }
			END { exit bad || n != 3 }' "$TMP/ccsv"
	check "bench: $t: only $C fills the compaction columns" \
		awk -F, -v t=$t -v a=$C '$1 == t && $2 != a {
			if ($9 $13 $14 $15 $16 != "") bad = 1 }
			$1 == t && $2 == a { if ($9 == "" || $13 == "" ||
				$14 == "" || $15 == "" || $16 == "") bad = 1; n++ }
			END { exit bad || n != 1 }' "$TMP/ccsv"
done
table_rc=0
"$BENCH" --reps 1 "$TMP/twosize.txt" "$TMP/mixed.txt" >"$TMP/table" \
	2>"$TMP/err" || table_rc=$?
check "bench: table mode exits 0" [ "$table_rc" -eq 0 ]
# The table's cells are separated by '|' and padded with blanks.
CELL=' *[|] *'
check "bench: every table row has the header's 13 cells" \
	awk -F "$CELL" '/^(trace|twosize|mixed) / && NF != 13 { bad = 1 }
		/^(twosize|mixed) / { n++ } END { exit bad || n != 8 }' \
	"$TMP/table"
check "bench: table puts density, pages and the ratios first" \
	awk -F "$CELL" 'NR == 1 { exit !($3 == "density" &&
			$4 == "pages" && $5 == "/bound" && $6 == "mvB/pg" &&
			$7 == "ns/op" && $8 == "/6.1" && NF == 13) }' "$TMP/table"
check "bench: table has a $C row per trace" \
	[ "$(awk -F "$CELL" -v a=$C '$2 == a' "$TMP/table" | wc -l)" = 2 ]
check "bench: table agrees with csv on $C pages" \
	[ "$(awk -F "$CELL" -v a=$C '$1 == "mixed" && $2 == a { print $4 }' \
	     "$TMP/table")" = "$(field "$TMP/ccsv" mixed $C 5)" ]
check "bench: compaction goals per trace" \
	[ "$(sed -n '/^compaction goals/,$p' "$TMP/table" |
	     grep -cE '^  (twosize|mixed) +density/pairing-bound [0-9.]+ \(>= 0.98: (met|MISSED)\)  alloc\+free\+move .* [0-9.]+ \(<= 1: (met|MISSED); per run [0-9.]+, [0-9.]+-[0-9.]+ of [0-9]+: (met|MISSED|inconclusive)\)$')" = 2 ]
check "bench: compaction goals summary" \
	grep -qE '^  summary: density within 2% of pairing-bound on [0-2] of 2 traces \((met|MISSED)\); time no slower than zbud-6.1 on [0-2] of 2 \((met|MISSED)\); per run met on [0-2], missed on [0-2], inconclusive on [0-2]$' \
	"$TMP/table"
check "bench: the density verdict follows bound_ratio" \
	awk -v a=$C 'FILENAME ~ /ccsv$/ { split($0, f, ",")
			if (f[2] == a) want[f[1]] = f[12] >= 0.98 ? "met" : "MISSED"
			next }
		/density\/pairing-bound/ { n++; got = $6; sub(/\)$/, "", got)
			if (got != want[$1]) bad = 1 }
		END { exit bad || n != 2 }' "$TMP/ccsv" "$TMP/table"
# The per-run verdict from the range it prints: met if every ratio in it
# is at most 1, missed if every one is above, else, or from fewer than 3
# reps, inconclusive.
check "bench: the per-run verdicts follow their ranges" \
	awk '/[(]<= 1: / { n++; s = $0; sub(/.* per run /, "", s)
		split(s, f, /[ ,:)-]+/); lo = f[2]; hi = f[3]; got = f[6]
		want = hi <= 1 ? "met" : lo > 1 ? "MISSED" : "inconclusive"
		if (f[5] < 3) want = "inconclusive"
		if (got != want) bad = 1 }
		END { exit bad || n != 4 }' "$TMP/table"
check "bench: the summary counts the per-run verdicts" \
	awk '/^compaction goals/ { c = 1 }
		c && /[(]<= 1: / { if ($0 ~ /of [0-9]+: met\)$/) m++
		else if ($0 ~ /: MISSED\)$/) x++; else u++ }
		/summary:/ { s = $0 }
		END { exit s !~ ("per run met on " (m + 0) ", missed on " \
				 (x + 0) ", inconclusive on " (u + 0) "$") }' \
	"$TMP/table"

printf '1\n2\n12x\n' >"$TMP/bad.txt"
fails "bench: malformed line names file:line" "bad.txt:3:" \
	"$BENCH" "$TMP/bad.txt"
printf '1\n-5\n' >"$TMP/neg.txt"
fails "bench: negative size rejected" "neg.txt:2:" "$BENCH" "$TMP/neg.txt"
printf '1\n99999999999\n' >"$TMP/big.txt"
fails "bench: huge size rejected" "big.txt:2:" "$BENCH" "$TMP/big.txt"
fails "bench: missing file" "nonexistent" "$BENCH" "$TMP/nonexistent"
fails "bench: directory" "Is a directory" "$BENCH" "$TMP"
printf '# nothing\n' >"$TMP/empty.txt"
fails "bench: trace without sizes" "no sizes" "$BENCH" "$TMP/empty.txt"
fails "bench: unknown option" "unknown option" "$BENCH" --bogus x
prints "bench: -h prints usage" '^usage: zbud_bench' "$BENCH" -h
fails "bench: bad --reps" "reps" "$BENCH" --reps 0 "$TMP/half.txt"
fails "bench: bad --work-every" "work-every" \
	"$BENCH" --work-every 0 "$TMP/half.txt"
fails "bench: --work-every wants a number" "work-every" \
	"$BENCH" --work-every 4x "$TMP/half.txt"

# --work-every: with more frees between turns than the replay has, the
# worker runs only at the end of the churn, where it compacts fully.
check "bench: runs with --work-every" \
	"$BENCH" --csv --reps 1 --work-every 1000000 "$TMP/mixed.txt" \
	>"$TMP/wcsv" 2>"$TMP/err"
check "bench: --work-every: the catch-up moves zpages" \
	[ "$(field "$TMP/wcsv" mixed $C 13)" -gt 0 ]
check "bench: --work-every: fewer moves than a turn per free" \
	[ "$(field "$TMP/wcsv" mixed $C 13)" -lt \
	  "$(field "$TMP/ccsv" mixed $C 13)" ]
check "bench: --work-every: ns_per_op = alloc_ns + free_ns + move_ns" \
	awk -F, '$1 == "mixed" && $7 != "" {
		n++; d = $10 - ($7 + $8 + $9); if (d * d > 0.04) bad = 1 }
		END { exit bad || n != 3 }' "$TMP/wcsv"
check "bench: --work-every: the table says so" \
	sh -c "'$BENCH' --reps 1 --work-every 7 '$TMP/half.txt' \
	       >'$TMP/every' 2>/dev/null &&
	       head -1 '$TMP/every' | grep -q 'after every 7 frees'"

# --- pairing-bound against exhaustive search ---------------------------
check "pairing: optimal on small sets" "$PAIRING_TEST"
# --- the per-rep ratios' median and middle 80% -------------------------
check "spread: median and tenths of known sets" "$SPREAD_TEST"

# --- pagesizes ----------------------------------------------------------
# Pages: random, zero, same-filled word, text, then a 100-byte tail.
{
	head -c 4096 /dev/urandom
	head -c 4096 /dev/zero
	for i in $(seq 512); do printf 'zbudzbud'; done
	seq -f 'line %g of some text' 200 >"$TMP/text"
	head -c 4096 "$TMP/text"
	head -c 100 /dev/urandom
} >"$TMP/pages.bin"
for c in lzo lz4 zstd; do
	check "pagesizes: -c $c on a file" \
		"$PAGESIZES" -c "$c" "$TMP/pages.bin" >"$TMP/ps.$c"
	check "pagesizes: -c $c output well-formed" well_formed "$TMP/ps.$c"
	check "pagesizes: -c $c names its compressor" \
		grep -q "^# compressor: $c" "$TMP/ps.$c"
	check "pagesizes: -c $c skips same-filled pages" \
		[ "$(grep -vc '^#' "$TMP/ps.$c")" = 3 ]
	check "pagesizes: -c $c random page is 4096" \
		[ "$(grep -v '^#' "$TMP/ps.$c" | head -1)" = 4096 ]
done
check "pagesizes: text page shrinks" \
	[ "$(grep -v '^#' "$TMP/ps.lzo" | sed -n 2p)" -lt 2048 ]
check "bench: reads pagesizes output" \
	"$BENCH" --reps 1 --csv "$TMP/ps.lzo" >/dev/null

sleep 300 &
SLEEPER=$!
check "pagesizes: -p on a live process" \
	"$PAGESIZES" -p "$SLEEPER" >"$TMP/proc"
check "pagesizes: -p output names the pid" \
	grep -q "^# source: pid $SLEEPER" "$TMP/proc"
check "pagesizes: -p read some pages" \
	awk '/^# pages / { seen = 1; pages = $3 + 0 }
	     END { exit !(seen && pages > 0) }' "$TMP/proc"
check "pagesizes: -p output is all comments and sizes" \
	awk '!/^#/ && !/^[0-9]+$/ { exit 1 }' "$TMP/proc"
check "pagesizes: -p and a file together" \
	"$PAGESIZES" -c lz4 -p "$SLEEPER" "$TMP/pages.bin" >"$TMP/both"
check "pagesizes: both sources in the header" \
	[ "$(grep -c '^# source:' "$TMP/both")" = 2 ]
kill "$SLEEPER"
wait "$SLEEPER" 2>/dev/null || true
SLEEPER=

fails "pagesizes: bad pid" "pid" "$PAGESIZES" -p 2147483647
fails "pagesizes: pid not a number" "process id" "$PAGESIZES" -p 12ab
fails "pagesizes: missing file" "nonexistent" \
	"$PAGESIZES" "$TMP/nonexistent"
fails "pagesizes: directory" "Is a directory" "$PAGESIZES" "$TMP"
fails "pagesizes: unknown compressor" "unknown compressor" \
	"$PAGESIZES" -c lzma "$TMP/pages.bin"
fails "pagesizes: no input" "nothing to read" "$PAGESIZES"
prints "pagesizes: -h prints usage" '^usage: pagesizes' "$PAGESIZES" -h

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
