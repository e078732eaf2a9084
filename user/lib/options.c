// SPDX-License-Identifier: GPL-2.0
/* options.c - numbers on the command line (options.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "options.h"

/*
 * A whole number in base 10 or 16, digits only: strtoull() alone would
 * take leading blanks, a sign ("-1" as a huge number) or a second "0x".
 */
int parse_digits(const char *s, int base, unsigned long long *v)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" :
					  "0123456789";

	if (*s == '\0' || s[strspn(s, digits)] != '\0')
		return -1;
	errno = 0;
	*v = strtoull(s, NULL, base);
	return errno == ERANGE ? -1 : 0;
}

/* -n COUNT: a whole number, at least 1. 0, or -1 after saying why. */
int parse_count_option(const char *s, unsigned long long *count)
{
	if (parse_digits(s, 10, count) < 0) {
		fprintf(stderr,
			"%s: count '%s' is not a positive whole number\n",
			prog_name, s);
		return -1;
	}
	if (*count == 0) {
		fprintf(stderr, "%s: count must be at least 1\n", prog_name);
		return -1;
	}
	return 0;
}
