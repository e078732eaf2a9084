// SPDX-License-Identifier: GPL-2.0
/*
 * payload.c - --async: what each write carries (a header that names it,
 * then bytes derived from the run and its number), and each read checked
 * against it.
 */
#include <string.h>

#include "echo/hwecho.h"

uint64_t mix64(uint64_t x)
{
	/* splitmix64's finalizer */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The shortest write: half the longest, and room for the header. */
size_t write_min(const struct state *st)
{
	size_t lo = st->write_max / 2;

	return lo < sizeof(struct echo_header) ? sizeof(struct echo_header) :
						 lo;
}

/* Write @number's length, from write_min() to the longest. */
static size_t write_length(const struct state *st, unsigned long long number)
{
	size_t lo = write_min(st);

	return lo + (size_t)(mix64(((uint64_t)st->run << 32) ^ number) %
			     (st->write_max - lo + 1));
}

/* Write @number's bytes after the header: derived from the run and it. */
static void fill_payload(unsigned char *p, size_t len, uint32_t run,
			 unsigned long long number)
{
	uint64_t x = mix64(((uint64_t)run << 32) ^ mix64(number));
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			x = mix64(x + i);
		p[i] = (unsigned char)(x >> (i % 8 * 8));
	}
}

/* Write @number, whole, as submitted. */
size_t build_write(const struct state *st, unsigned char *buf,
		   unsigned long long number)
{
	size_t len = write_length(st, number);
	struct echo_header h = {
		.magic = ECHO_MAGIC,
		.run = st->run,
		.number = number,
		.length = len,
	};

	memcpy(buf, &h, sizeof(h));
	fill_payload(buf + sizeof(h), len - sizeof(h), st->run, number);
	return len;
}

/*
 * Check what a read returned: one whole write of this run; or, if none of
 * ours had completed when the read was submitted, nothing (no data since
 * the module loaded) or what an earlier run left. *@number is the write's.
 * @why, on READ_BAD, says what is wrong.
 */
enum read_result check_read(struct state *st, const struct slot *s,
			    size_t n, unsigned long long *number,
			    char *why, size_t wlen)
{
	struct echo_header h;
	size_t i, len;

	*number = 0;
	if (n == 0) {
		if (!s->writes_done)
			return READ_EMPTY;
		snprintf(why, wlen,
			 "0 bytes, though %llu write%s of this run had completed before it was submitted",
			 s->writes_done, s->writes_done == 1 ? "" : "s");
		return READ_BAD;
	}
	if (n >= sizeof(h))
		memcpy(&h, s->buf, sizeof(h));
	if (n < sizeof(h) || h.magic != ECHO_MAGIC || h.run != st->run) {
		if (!s->writes_done)
			return READ_EARLIER;
		snprintf(why, wlen,
			 "%zu bytes that no write of this run holds (another program writing to the device?)",
			 n);
		return READ_BAD;
	}
	*number = h.number;
	if (h.number == 0 || h.number > st->writes_submitted) {
		snprintf(why, wlen,
			 "%zu bytes naming write %llu, of %llu submitted",
			 n, (unsigned long long)h.number, st->writes_submitted);
		return READ_BAD;
	}
	len = write_length(st, h.number);
	if (h.length != len || n != len) {
		snprintf(why, wlen,
			 "%zu bytes of write %llu, which had %zu (its header says %llu): not whole",
			 n, (unsigned long long)h.number, len,
			 (unsigned long long)h.length);
		return READ_BAD;
	}
	fill_payload(st->scratch, len - sizeof(h), st->run, h.number);
	if (memcmp(st->scratch, s->buf + sizeof(h), len - sizeof(h))) {
		for (i = 0; st->scratch[i] == s->buf[sizeof(h) + i]; i++)
			;
		snprintf(why, wlen,
			 "%zu bytes of write %llu, but byte %zu is 0x%02x, not 0x%02x",
			 n, (unsigned long long)h.number, sizeof(h) + i,
			 s->buf[sizeof(h) + i], st->scratch[i]);
		return READ_BAD;
	}
	return READ_VERIFIED;
}

/* Room for the 2 N files of the device, the ring and stdio. */
