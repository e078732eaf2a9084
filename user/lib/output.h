/* SPDX-License-Identifier: GPL-2.0 */
/* output.h - writing results: JSON values, flushing stdout (output.c). */
#ifndef HWEVENT_USER_OUTPUT_H
#define HWEVENT_USER_OUTPUT_H

#include <stdio.h>

void json_double(FILE *f, int decimals, double v);
void json_string(FILE *f, const char *s);
int flush_output(int out_errno);

#endif /* HWEVENT_USER_OUTPUT_H */
