/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - what every file of user/ needs: ARRAY_SIZE, the nanosecond
 * units, the program's name and where its messages go.
 *
 * user/lib/ holds what hwevent, hwecho and hwevent-bench share, one
 * concern a file: signals.c, clock.c, options.c, module.c, device.c,
 * uapi.c, input.c, output.c, exit.c.
 */
#ifndef HWEVENT_USER_COMMON_H
#define HWEVENT_USER_COMMON_H

#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* The program's name, which starts every message: each program's own. */
extern const char prog_name[];

/*
 * Where messages other than results go: stdout, or stderr with --json.
 * main() sets it before anything is said (output.c).
 */
extern FILE *info_out;

#endif /* HWEVENT_USER_COMMON_H */
