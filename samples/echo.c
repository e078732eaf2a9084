// SPDX-License-Identifier: GPL-2.0
/*
 * echo: one write to /dev/hwecho, then one read of it back, as the KMDF
 * echo sample's echoapp does by default.
 *
 * Windows: WriteFile() and ReadFile() on a synchronous handle. The driver
 * puts each request in a sequential queue (WdfIoQueueDispatchSequential)
 * and a timer completes the one at the head, so each call here blocks for
 * a tick or two (100 ms each by default).
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/hwecho.h>	/* no ioctls: its comments are the contract */

int main(void)
{
	static const char msg[] = "Hello, hwecho";
	size_t len = strlen(msg);
	char buf[64] = "";
	ssize_t n;
	int fd;

	/* Windows: CreateFile() of the echo device's interface */
	fd = open("/dev/hwecho", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwecho");

	/* Windows: WriteFile(hDevice, msg, size, &written, NULL) */
	n = write(fd, msg, len);
	if (n != (ssize_t)len)
		err(1, "write /dev/hwecho");	/* EMSGSIZE: above echo_max_write */

	/* Windows: ReadFile(hDevice, buf, size, &read, NULL) */
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		err(1, "read /dev/hwecho");
	/* Every open file reads the last write, whoever made it. */
	if (n != (ssize_t)len || memcmp(buf, msg, len) != 0)
		errx(1, "read back \"%s\", not what we wrote (another writer?)", buf);

	printf("echo: wrote %zu bytes, read back \"%s\"\n", len, buf);
	close(fd);
	return 0;
}
