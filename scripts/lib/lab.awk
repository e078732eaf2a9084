# SPDX-License-Identifier: GPL-2.0
#
# The lab (docs/lab.md) as a test, for scripts/lab.sh:
#
#   awk -v mode=extract -v steps=FILE -f lab.awk docs/lab.md > EXPECTED
#   awk -v mode=compare -f lab.awk EXPECTED CONSOLE
#
# In the lab, a ```console block holds commands ("$ command") each followed
# by the output it promises. extract writes the commands to the shell
# script STEPS, each after a marker line, and prints the promises:
# "@@step N<TAB>command" then the expected lines. compare reads those and
# the guest console (STEPS' output, each line prefixed "hwevent-lab: ") and
# prints "ok - lab step N: command" or "not ok - ..." with the lines that
# differ; a step that promises no output says so, "(promises no output)".
#
# Matching: line by line, all of them, trailing blanks ignored. In an
# expected line "…" stands for any text; a line of just "…" for any number
# of lines (what differs from run to run: times, addresses, process ids).

function rtrim(s) {
	sub(/[ \t\r]+$/, "", s)
	return s
}

# Does actual line a fit expected line e ("…" matches any text)?
function line_fits(e, a,    n, seg, i, pos, rest) {
	n = split(e, seg, "…")
	if (n == 1)
		return e == a
	if (substr(a, 1, length(seg[1])) != seg[1])
		return 0
	rest = substr(a, length(seg[1]) + 1)
	for (i = 2; i < n; i++) {
		pos = index(rest, seg[i])
		if (!pos)
			return 0
		rest = substr(rest, pos + length(seg[i]))
	}
	return length(rest) >= length(seg[n]) &&
	       substr(rest, length(rest) - length(seg[n]) + 1) == seg[n]
}

# Expected lines i.. of step s against actual lines j..; backtracks over
# whole-line "…".
function fits(s, i, j) {
	if (i > ne[s])
		return j > na[s]
	if (exp_line[s, i] == "…")
		return fits(s, i + 1, j) || (j <= na[s] && fits(s, i, j + 1))
	return j <= na[s] && line_fits(exp_line[s, i], act_line[s, j]) &&
	       fits(s, i + 1, j + 1)
}

mode == "extract" && /^```console[ \t]*$/ {
	inblock = 1
	next
}
mode == "extract" && inblock && /^```[ \t]*$/ {
	inblock = 0
	next
}
mode == "extract" && inblock && /^\$ / {
	n++
	cmd = substr($0, 3)
	printf "echo '@@step %d'\n%s\n", n, cmd >steps
	printf "@@step %d\t%s\n", n, cmd
	next
}
mode == "extract" && inblock {
	if (!n) {
		printf "lab: %s:%d: output before any command\n", FILENAME, FNR >"/dev/stderr"
		bad = 1
	}
	print rtrim($0)
}

mode == "compare" && FNR == NR {
	if ($0 ~ /^@@step [0-9]+\t/) {
		s = $2 + 0
		step_cmd[s] = substr($0, index($0, "\t") + 1)
		nsteps = s
		ne[s] = 0
		na[s] = 0
	} else {
		exp_line[s, ++ne[s]] = $0
	}
	next
}
mode == "compare" && /^hwevent-lab: / {
	line = rtrim(substr($0, 14))
	if (line ~ /^@@step ([0-9]+|end)$/) {
		cur = $3
		if (cur == "end")
			ended = 1
		else
			ran[cur + 0] = 1
		next
	}
	if (cur != "" && cur != "end")
		act_line[cur + 0, ++na[cur + 0]] = line
}

END {
	if (mode == "extract") {
		printf "echo '@@step end'\n" >steps
		if (!n) {
			print "lab: no \"$ command\" in a ```console block" >"/dev/stderr"
			exit 1
		}
		exit bad
	}
	failed = 0
	for (s = 1; s <= nsteps; s++) {
		# A step that promises no output is a check, not a test
		# (scripts/check.sh counts them apart): say which it is.
		quiet = ne[s] ? "" : " (promises no output)"
		if (!ran[s]) {
			printf "not ok - lab step %d: %s%s (never ran)\n", s, step_cmd[s], quiet
			failed = 1
			continue
		}
		if (fits(s, 1, 1)) {
			printf "ok - lab step %d: %s%s\n", s, step_cmd[s], quiet
			continue
		}
		printf "not ok - lab step %d: %s%s\n", s, step_cmd[s], quiet
		failed = 1
		print "#   the lab promises:"
		for (i = 1; i <= ne[s]; i++)
			print "#   | " exp_line[s, i]
		print "#   the guest printed:"
		for (i = 1; i <= na[s]; i++)
			print "#   | " act_line[s, i]
	}
	if (nsteps && !ended) {
		print "not ok - lab: the steps ran to the end"
		failed = 1
	}
	exit failed
}
