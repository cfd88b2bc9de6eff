#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: report.sh RUN_DIR
#
# Print make pressure's tables for the run directory run.sh filled
# (rows, jobs, header, probes, metrics, samples/), and draw a plot per
# job into RUN_DIR/pressure-JOB.svg, which run.sh copies to
# tools/testing/zbud/results/ if the pass passed.  It can be rerun on an
# old run directory ($CACHE/runs/pressure-latest).
#
# metrics has a line per row, run and job: row run job seconds pswpin
# pswpout swap_requests written_back pool_limit_hit rejects peak_MiB
# density wrong ok|FAIL.  A cell is the median over the runs and, with more than one,
# the range in brackets; time is the ratio to zbud-6.1's median for the
# job; wrong objects and corrupt pages are totals over the runs ("?"
# before the number if a run did not say).  A run whose job failed (the
# kernel crashed, a check failed) counts under failed runs and in the
# totals, but not in the other cells: its counters stop where it died.
set -euo pipefail
. "$(dirname "$0")/../kernel/lib.sh"

[ $# -eq 1 ] && [ -f "$1/metrics" ] && [ -f "$1/rows" ] ||
	die "usage: ${0##*/} RUN_DIR (made by run.sh)"
run=$1
mapfile -t rows <"$run/rows"
jobs=$(cat "$run/jobs")

# The median of a[1..n], sorting a in place, for the awk programs below.
awk_med='
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'

label_of()
{
	case $1 in
	zbud-zswap61)	echo "zbud, 6.1 zswap" ;;
	*)		echo "$1" ;;
	esac
}

table()
{
	local job=$1 r wrongname

	wrongname="wrong objects"
	[ "$job" = compile ] || wrongname="corrupt pages"
	echo "job $job"
	echo "row | runs | time vs zbud-6.1 | $wrongname | pswpin | pswpout" \
	     "| swap disk requests | written_back_pages | pool_limit_hit | rejects" \
	     "| peak pool MiB | density at peak | failed runs"
	for r in "${rows[@]}"; do
		label=$(label_of "$r")
		awk -v row="$r" -v job="$job" -v label="$label" "$awk_med"'
			function cell(c, fmt,   n, a, i, m, mf) {
				n = 0
				for (i = 1; i <= ok; i++)
					if (val[i, c] != "-") a[++n] = val[i, c]
				if (n == 0) return "-"
				m = med(a, n)
				# The median of an even count may end in .5.
				mf = (fmt == "%d" && m != int(m)) ? "%.1f" : fmt
				if (n == 1) return sprintf(mf, m)
				return sprintf(mf " (" fmt "-" fmt ")", m, a[1], a[n]) }
			$3 == job && $1 == "zbud-6.1" && $4 != "-" && $14 == "ok" {
				base[++nb] = $4 }
			$3 == job && $1 == row {
				runs++
				if ($13 != "-") wrong += $13; else nowrong++
				if ($14 != "ok") { fails++; next }
				ok++
				for (c = 4; c <= 13; c++) val[ok, c] = $c }
			END {
				b = nb ? med(base, nb) : 0
				for (i = 1; i <= ok; i++)
					val[i, 4] = (b > 0 && val[i, 4] != "-") ? val[i, 4] / b : "-"
				printf "%s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d\n",
				    label, runs, cell(4, "%.2f"), (nowrong ? "?" : "") wrong,
				    cell(5, "%d"), cell(6, "%d"), cell(7, "%d"),
				    cell(8, "%d"), cell(9, "%d"), cell(10, "%d"),
				    cell(11, "%.1f"), cell(12, "%.2f"), fails }' "$run/metrics"
	done
}

# phases: the slide job's swap-ins by pass and step of its workload
# (samples/phases.ROW.N from run.sh), median over each row's runs that
# did not fail, so that a table shows in which step each pool's choice
# of pages paid.  "slide", the steps' sum, is left out.
phases()
{
	local r label files

	grep -q . "$run"/samples/phases.* 2>/dev/null || return 0
	echo
	echo "job slide: pages read from swap (pswpin) in each pass and step"
	awk '$1 != "slide" && !seen[$1]++ { printf "%s%s", sep, $1; sep = " " }
	     END { print "" }' "$run"/samples/phases.* >"$run/phase-names"
	echo "row | runs | $(sed 's/ / | /g' "$run/phase-names")"
	for r in "${rows[@]}"; do
		label=$(label_of "$r")
		files=()
		for f in "$run"/samples/phases."$r".*; do
			[ -s "$f" ] || continue
			awk -v f="${f##*.}" -v row="$r" '$1 == row &&
			    $2 == f && $3 == "slide" && $14 == "ok" { ok = 1 }
			    END { exit !ok }' "$run/metrics" && files+=("$f")
		done
		[ ${#files[@]} -gt 0 ] || continue
		awk -v label="$label" -v runs=${#files[@]} "$awk_med"'
			FNR == 1 && FILENAME == ARGV[1] {
				n = split($0, name, " "); next }
			FILENAME == ARGV[1] { next }
			{ v[$1, ++cnt[$1]] = $2 }
			END {
				line = label " | " runs
				for (i = 1; i <= n; i++) {
					k = cnt[name[i]]
					for (j = 1; j <= k; j++) a[j] = v[name[i], j]
					line = line " | " (k ? sprintf("%d", med(a, k)) : "-")
				}
				print line }' "$run/phase-names" "${files[@]}"
	done
}

# plot JOB: pool pages, stored pages and swap-ins over time, run 1 of
# each row, into $run/pressure-JOB.svg.
plot()
{
	local job=$1 r f plots=()

	for r in "${rows[@]}"; do
		f=$run/samples/$job.$r.1
		[ -s "$f" ] || continue
		samples_dat "$f" >"$f.dat"
		plots+=("$f.dat|$(label_of "$r")")
	done
	plot_svg "$run/pressure-$job.svg" \
		"make pressure, job $job (run 1 of each row)" \
		"2:pool pages;3:stored pages;4:swap-ins (pswpin)" "${plots[@]}"
}

awk '$3 != "" { z[++n] = $3; d[n] = $4; q[n] = $5 }
     END {
	if (!n) { print "probe: no result"; exit }
	for (i = 1; i <= n; i++) { sz += z[i]; sd += d[i]; sq += q[i] }
	printf "probe (in the guest, TCG): zswap load %.1f us, swap read %.1f us, ratio %.1f (mean of %d boots)\n",
	    sz / n, sd / n, sq / n, n }' "$run/probes"
cat "$run/header"
echo "cells: median (min-max) over the runs; plots: results/pressure-JOB.svg"
for j in $jobs; do
	echo
	table "$j"
done
phases
for j in $jobs; do
	plot "$j"
done
