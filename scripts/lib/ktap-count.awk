# SPDX-License-Identifier: GPL-2.0
#
# Count the results in the console output of a kselftest run (runner.sh's
# KTAP): awk -f ktap-count.awk console.log
#
# Each "# " prefix is one nesting level: runner.sh prints one top-level
# result per test program ("ok 1 selftests: drivers/misc/hwevent: prog"),
# and the program's own results (harness cases, TAP lines of shell tests)
# come one level deeper, before it. Counted, each test case once: every
# leaf result (one with no sub-results of its own). A result that has
# sub-results (the runner's line for a program that reported its own
# cases) is not counted on top of them, unless it says worse than they do:
# a program whose cases all passed but which then failed (an exit status,
# a timeout) counts as one failure, one whose cases passed but which
# skipped as one skip. A program that reports no cases is one test, its
# runner line. A plan ("1..N") promising more results than arrive counts
# the missing ones as failed: a program or the VM died half way.
#
# Checks, not tests: the "hwevent-check: [not ]ok - what" lines of the
# guest script (module loads, unloads, kmemleak), and every result of the
# programs named in check_progs (space-separated program names; default
# "hwevent_bench.sh", whose lines are the benchmark's sanity checks, not
# tests of the driver): awk -v check_progs="a b" -f ktap-count.awk ...
#
# Output, one line per counted result:
#   "test|check<TAB>pass|fail|skip<TAB>description".
# "ok ... # SKIP" is skip; "ok ... # XFAIL" is pass; any "not ok" is fail.

function classify(line,    low) {
	low = tolower(line)
	if (line ~ /^not ok/)
		return "fail"
	if (low ~ /#[ \t]*skip/)
		return "skip"
	return "pass"
}

function rank(status) {
	return status == "fail" ? 2 : status == "skip" ? 1 : 0
}

# Is the program of "collection: prog" one whose results are checks?
function kind_of(p,    name) {
	name = p
	sub(/^.*: /, "", name)
	sub(/ .*$/, "", name)
	return (name in is_check_prog) ? "check" : "test"
}

function emit(kind, status, desc, d) {
	printf "%s\t%s\t%s\n", kind, status, desc
	if (rank(status) > worst[d])
		worst[d] = rank(status)
}

# Plan of the block at depth d against what it got; then forget it.
function close_block(d,    i) {
	if ((d in plan) && seen[d] < plan[d]) {
		for (i = seen[d] + 1; i <= plan[d]; i++)
			emit(d > 0 && prog != "" ? kind_of(prog) : "test", "fail", \
				sprintf("%smissing result %d of %d (no output: crashed or killed?)", \
					(d > 0 && prog != "" ? prog ": " : ""), i, plan[d]), d)
	}
	delete plan[d]
	seen[d] = 0
}

BEGIN {
	prog = ""
	maxdepth = 0
	if (check_progs == "")
		check_progs = "hwevent_bench.sh"
	n = split(check_progs, names, /[ \t]+/)
	for (i = 1; i <= n; i++)
		if (names[i] != "")
			is_check_prog[names[i]] = 1
}

{
	sub(/\r$/, "")
	line = $0
	depth = 0
	while (substr(line, 1, 2) == "# ") {
		line = substr(line, 3)
		depth++
	}
	if (depth > maxdepth)
		maxdepth = depth

	if (depth == 0 && line ~ /^hwevent-check: (not )?ok - /) {
		what = line
		sub(/^hwevent-check: (not )?ok - /, "", what)
		printf "check\t%s\t%s\n", (line ~ /^hwevent-check: not/ ? "fail" : "pass"), what
		next
	}
	# runner.sh announces each program: "# selftests: <dir>: <prog>"
	if (depth == 1 && line ~ /^selftests: /) {
		prog = line
		sub(/^selftests: /, "", prog)
		next
	}
	# The harness names a case in "#  RUN  fixture.case ..." but not in
	# its "ok N # SKIP reason" line.
	if (depth > 0 && line ~ /^ +RUN +[^ ]/) {
		run = line
		sub(/^ +RUN +/, "", run)
		sub(/ .*$/, "", run)
		runname[depth - 1] = run
		next
	}
	if (line ~ /^1\.\.[0-9]+/) {
		close_block(depth)
		n = line
		sub(/^1\.\./, "", n)
		sub(/[^0-9].*$/, "", n)
		plan[depth] = n + 0
		seen[depth] = 0
		next
	}
	if (line !~ /^(not )?ok([ \t]|$)/)
		next

	# A result closes the blocks nested below it (its sub-results), and
	# learns the worst of what they counted.
	leaf = !kids[depth + 1]
	for (d = depth + 1; d <= maxdepth; d++) {
		close_block(d)
		kids[d] = 0
	}
	sub_worst = 0
	for (d = depth + 1; d <= maxdepth; d++) {
		if (worst[d] > sub_worst)
			sub_worst = worst[d]
		worst[d] = 0
	}
	if (sub_worst > worst[depth])
		worst[depth] = sub_worst
	seen[depth]++
	kids[depth]++

	desc = line
	sub(/^(not )?ok[ \t]*/, "", desc)
	if (desc ~ /^[0-9]+([ \t]+#|[ \t]*$)/ && runname[depth] != "") {
		n = desc
		sub(/[ \t].*$/, "", n)
		rest = substr(desc, length(n) + 1)
		desc = n " " runname[depth] rest
	}
	runname[depth] = ""
	status = classify(line)
	if (!leaf && rank(status) <= sub_worst)
		next
	kind = prog != "" ? kind_of(prog) : "test"
	if (depth == 0) {
		# The runner's own line: the program's kind, if it is one.
		if (desc !~ /selftests: /)
			kind = "test"
		if (!leaf)
			desc = desc " (its cases " (sub_worst ? "did not fail" : "passed") \
				", but the program " (status == "fail" ? "failed" : "skipped") ")"
		emit(kind, status, desc, depth)
	} else {
		emit(kind, status, (prog != "" ? prog ": " : "") desc, depth)
	}
}

END {
	for (d = maxdepth; d >= 0; d--)
		close_block(d)
}
