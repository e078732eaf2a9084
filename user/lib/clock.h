/* SPDX-License-Identifier: GPL-2.0 */
/* clock.h - the clock, and how times are written (clock.c). */
#ifndef HWEVENT_USER_CLOCK_H
#define HWEVENT_USER_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint64_t now_ns(void);
int ms_until(uint64_t deadline);
const char *fmt_timestamp(char *buf, size_t len, uint64_t ns);
const char *fmt_ms(char *buf, size_t len, int64_t ns, bool plus);
const char *fmt_seconds(char *buf, size_t len, uint64_t ns);

#endif /* HWEVENT_USER_CLOCK_H */
