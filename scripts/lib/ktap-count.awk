# SPDX-License-Identifier: GPL-2.0
#
# Count the results in the console output of a kselftest run (runner.sh's
# KTAP): awk -f ktap-count.awk console.log
#
# Each "# " prefix is one nesting level: runner.sh prints one top-level
# result per test program ("ok 1 selftests: drivers/misc/hwevent: prog"), and
# the program's own results (harness cases, TAP lines of shell tests) come
# one level deeper, before it. Counted: every top-level result, and every
# deeper result that has no sub-results of its own (a leaf). A plan
# ("1..N") promising more results than arrive counts the missing ones as
# failed: a program or the VM died half way. "hwevent-check: [not ]ok - what"
# lines from the guest script count too.
#
# Output, one line per counted result: "pass|fail|skip<TAB>description".
# "ok ... # SKIP" is skip; "ok ... # XFAIL" is pass; any "not ok" is fail.

function classify(line,    low) {
	low = tolower(line)
	if (line ~ /^not ok/)
		return "fail"
	if (low ~ /#[ \t]*skip/)
		return "skip"
	return "pass"
}

# Plan of the block at depth d against what it got; then forget it.
function close_block(d,    i) {
	if ((d in plan) && seen[d] < plan[d]) {
		for (i = seen[d] + 1; i <= plan[d]; i++)
			printf "fail\t%smissing result %d of %d (no output: crashed or killed?)\n", \
				(d > 0 && prog != "" ? prog ": " : ""), i, plan[d]
	}
	delete plan[d]
	seen[d] = 0
}

BEGIN {
	prog = ""
	maxdepth = 0
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
		printf "%s\t%s\n", (line ~ /^hwevent-check: not/ ? "fail" : "pass"), what
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

	# A result closes the blocks nested below it (its sub-results).
	leaf = !kids[depth + 1]
	for (d = depth + 1; d <= maxdepth; d++) {
		close_block(d)
		kids[d] = 0
	}
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
	if (depth == 0)
		printf "%s\t%s\n", classify(line), desc
	else if (leaf)
		printf "%s\t%s%s\n", classify(line), (prog != "" ? prog ": " : ""), desc
}

END {
	for (d = maxdepth; d >= 0; d--)
		close_block(d)
}
