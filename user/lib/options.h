/* SPDX-License-Identifier: GPL-2.0 */
/* options.h - numbers on the command line (options.c). */
#ifndef HWEVENT_USER_OPTIONS_H
#define HWEVENT_USER_OPTIONS_H

int parse_digits(const char *s, int base, unsigned long long *v);
int parse_count_option(const char *s, unsigned long long *count);

#endif /* HWEVENT_USER_OPTIONS_H */
