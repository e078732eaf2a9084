// SPDX-License-Identifier: GPL-2.0
/* output.c - where messages go, JSON values, flushing stdout (output.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "common.h"
#include "output.h"

FILE *info_out;

/*
 * Flush stdout. @out_errno: why an earlier write to it failed, or 0.
 * Return 0 if all was written, or the reader has seen enough (a closed
 * pipe, EPIPE), which is no error; else -1 after saying why.
 */
int flush_output(int out_errno)
{
	errno = 0;
	if ((fflush(stdout) == EOF || ferror(stdout)) && !out_errno)
		out_errno = errno ? errno : EIO;
	if (out_errno && out_errno != EPIPE) {
		fprintf(stderr, "%s: writing output: %s\n", prog_name,
			strerror(out_errno));
		return -1;
	}
	return 0;
}

/* A double as JSON: finite with @decimals, else null. */
void json_double(FILE *f, int decimals, double v)
{
	if (isfinite(v))
		fprintf(f, "%.*f", decimals, v);
	else
		fputs("null", f);
}

/* A string as JSON: quotes, backslashes and control characters escaped. */
void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

