# SPDX-License-Identifier: GPL-2.0
#
# Collect the figures test programs print, from the console output of a
# check run: awk -f figures.awk console.log
#
# A program prints "# figures: key=value key=value ..." (at any "# " depth
# of the KTAP output); it is attributed to the program the kselftest runner
# (or the guest script's phases) last announced with "# selftests: <collection>:
# <program>", with the bottom half of its pass ("(bottom_half=B)") when the
# collection names one. Output: one "<program>: key=value ..." line per figures line,
# then "total: iterations=N registrations=N" summing those two keys over all
# programs, when any printed them.

BEGIN {
	nsum = split("iterations registrations", sumkeys, " ")
}

{
	sub(/\r$/, "")
	line = $0
	while (substr(line, 1, 2) == "# ")
		line = substr(line, 3)
	if (line ~ /^selftests: [^:]*: /) {
		prog = line
		sub(/^selftests: [^:]*: /, "", prog)
		# A pass of the suite or the phases per bottom half says which.
		coll = line
		sub(/^selftests: /, "", coll)
		sub(/: .*$/, "", coll)
		if (match(coll, /bottom_half=[a-z_]+/))
			prog = prog " (" substr(coll, RSTART, RLENGTH) ")"
		next
	}
	if (line !~ /^figures:/)
		next
	kv = line
	sub(/^figures:[ \t]*/, "", kv)
	printf "%s: %s\n", (prog != "" ? prog : "?"), kv
	n = split(kv, field, /[ \t]+/)
	for (i = 1; i <= n; i++) {
		if (split(field[i], pair, "=") == 2 && pair[2] ~ /^[0-9]+$/) {
			total[pair[1]] += pair[2]
			seen[pair[1]] = 1
		}
	}
}

END {
	out = ""
	for (i = 1; i <= nsum; i++)
		if (sumkeys[i] in seen)
			out = out " " sumkeys[i] "=" total[sumkeys[i]]
	if (out != "")
		print "total:" out
}
