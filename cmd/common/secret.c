/* SPDX-License-Identifier: BSD-2-Clause */
/* Secrets read from a file or a terminal, without copies left behind. */
#include "secret.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD_STR_(x) #x
#define CMD_STR(x) CMD_STR_(x)

static void secret_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

int cmd_secret_read_line(int fd, char **line, size_t *len, const char **why)
{
	/* Room for the longest line and its CR LF, allocated once: a buffer
	 * grown by realloc would leave copies of the secret behind. */
	size_t cap = LI_SECRET_MAX + 2, have = 0, n;
	char *buf = malloc(cap + 1), *nl = NULL;
	ssize_t got;
	int e;

	*line = NULL;
	*len = 0;
	*why = NULL;
	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	while (nl == NULL && have < cap) {
		got = read(fd, buf + have, cap - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			secret_free(buf, cap + 1);
			errno = e;
			return -1;
		}
		if (got == 0)
			break;
		nl = memchr(buf + have, '\n', (size_t)got);
		have += (size_t)got;
	}
	if (have == 0) {
		free(buf);
		return 1;
	}
	n = nl ? (size_t)(nl - buf) : have;
	while (n > 0 && buf[n - 1] == '\r')
		n--;
	if ((nl == NULL && have == cap) || n > LI_SECRET_MAX)
		*why = "is longer than " CMD_STR(LI_SECRET_MAX) " bytes";
	else if (memchr(buf, '\0', n))
		*why = "holds a NUL byte (a password cannot contain one)";
	/* what was read past the line may be the next line of a secrets file */
	explicit_bzero(buf + n, cap + 1 - n);
	if (*why) {
		secret_free(buf, n);
		return -1;
	}
	*line = buf;
	*len = n;
	return 0;
}
