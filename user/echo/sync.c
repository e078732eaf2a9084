// SPDX-License-Identifier: GPL-2.0
/* sync.c - the synchronous test: echoapp without arguments. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/signals.h"

#include "echo/hwecho.h"

/* echoapp's two sizes, in its synchronous test. */
static const size_t sync_sizes[] = { 512, 30 * 1024 };

/* ---- The synchronous test: echoapp without arguments ---- */

static void report_io_error(const char *what, size_t len, int err,
			    const struct state *st)
{
	switch (err) {
	case EMSGSIZE:
		fprintf(stderr,
			PROG ": %s of %zu bytes failed: %s: more than echo_max_write (%u bytes, " PARAM_DIR "echo_max_write)\n",
			what, len, strerror(err), st->max_write);
		break;
	case EAGAIN:
		fprintf(stderr,
			PROG ": %s of %zu bytes failed: %s: the file is non-blocking and its request was queued (a bug: this program does not set O_NONBLOCK)\n",
			what, len, strerror(err));
		break;
	case ESPIPE:
	case EINVAL:
	case ENOTTY:
		fprintf(stderr,
			PROG ": %s of %zu bytes failed: %s: is %s the echo device?\n",
			what, len, strerror(err), st->path);
		break;
	default:
		fprintf(stderr, PROG ": %s of %zu bytes failed: %s\n", what,
			len, strerror(err));
		break;
	}
}

/* A step as JSON; the compare (@ns 0) has no time_ns. */
static void print_step_json(const char *step, size_t size, ssize_t bytes,
			    uint64_t ns, const char *result)
{
	printf("{\"step\":\"%s\",\"size\":%zu,\"bytes\":%zd", step, size,
	       bytes);
	if (ns)
		printf(",\"time_ns\":%llu", (unsigned long long)ns);
	printf(",\"result\":\"%s\"}\n", result);
}

/*
 * One size: write the pattern, read it back, compare (echoapp's
 * PerformWriteReadTest). Return 0; -EINTR if a signal ended a call (the
 * driver took its request out of the queue); -EPIPE if stdout failed;
 * -1 after saying why.
 */
static int sync_step(struct state *st, const struct options *o, size_t size,
		     unsigned char *out, unsigned char *in)
{
	char ms[24];
	uint64_t t0, t1;
	ssize_t n;
	size_t i;

	for (i = 0; i < size; i++)
		out[i] = (unsigned char)(i & 0xff);

	/* Windows: WriteFile(), completed by the timer's next tick. */
	t0 = now_ns();
	n = write(st->fd, out, size);
	t1 = now_ns();
	if (n < 0) {
		if (errno == EINTR)
			return -EINTR;	/* the caller says which signal */
		report_io_error("write", size, errno, st);
		return -1;
	}
	if ((size_t)n != size) {
		fprintf(stderr,
			PROG ": %zd bytes written, not %zu: a write is never partial (a driver bug)\n",
			n, size);
		return -1;
	}
	if (o->json)
		print_step_json("write", size, n, t1 - t0, "ok");
	else
		printf("%zu pattern bytes written in %s ms\n", size,
		       fmt_ms(ms, sizeof(ms), t1 - t0, false));
	if (output_failed(st))
		return -EPIPE;

	/* Windows: ReadFile() of the same length. */
	memset(in, 0, size);
	t0 = now_ns();
	n = read(st->fd, in, size);
	t1 = now_ns();
	if (n < 0) {
		if (errno == EINTR)
			return -EINTR;
		report_io_error("read", size, errno, st);
		return -1;
	}
	if ((size_t)n != size) {
		fprintf(stderr,
			PROG ": %zd bytes read, not %zu: did another program write to the device meanwhile?\n",
			n, size);
		return -1;
	}
	if (o->json)
		print_step_json("read", size, n, t1 - t0, "ok");
	else
		printf("%zu pattern bytes read in %s ms\n", size,
		       fmt_ms(ms, sizeof(ms), t1 - t0, false));
	if (output_failed(st))
		return -EPIPE;

	for (i = 0; i < size; i++) {
		if (in[i] != out[i]) {
			fprintf(stderr,
				PROG ": pattern changed at byte %zu: should be 0x%02x, is 0x%02x\n"
				PROG ": verify failed (did another program write to the device meanwhile?)\n",
				i, out[i], in[i]);
			if (o->json)
				print_step_json("verify", size, n, 0,
						"mismatch");
			return -1;
		}
	}
	if (o->json)
		print_step_json("verify", size, n, 0, "verified");
	else
		printf("pattern verified\n");
	return output_failed(st) ? -EPIPE : 0;
}

int run_sync(struct state *st, const struct options *o)
{
	size_t max = sync_sizes[ARRAY_SIZE(sync_sizes) - 1];
	unsigned char *out, *in;
	uint64_t elapsed;
	char ms[24];
	int ret = 0;
	size_t i;

	out = malloc(max);
	in = malloc(max);
	if (!out || !in) {
		fprintf(stderr, PROG ": out of memory\n");
		free(out);
		free(in);
		return 1;
	}
	fprintf(info_out,
		PROG ": synchronous test: write, read back and verify %zu, then %zu bytes. Press Ctrl-C to quit.\n",
		sync_sizes[0], sync_sizes[1]);
	for (i = 0; i < ARRAY_SIZE(sync_sizes) && !ret; i++)
		ret = stop_signal ? -EINTR :
				    sync_step(st, o, sync_sizes[i], out, in);
	free(out);
	free(in);
	if (ret == -EINTR) {
		fprintf(stderr, PROG ": interrupted by %s before the test ended\n",
			signal_name(stop_signal));
		return 1;
	}
	/* Output closed: main() says so unless it is a closed pipe. */
	if (ret == -EPIPE)
		return 0;
	if (ret)
		return 1;
	elapsed = now_ns() - st->start_ns;
	fprintf(info_out,
		PROG ": done: %zu and %zu bytes written, read back and verified in %s ms",
		sync_sizes[0], sync_sizes[1], fmt_ms(ms, sizeof(ms), elapsed, false));
	print_ticks(st, elapsed);
	fprintf(info_out, "\n");
	return 0;
}
