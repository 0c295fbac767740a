// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin-xs-probe: one XenStore request from inside a guest, to check what the ACLs yasmind
 * sets let a guest do.  The lab's guests are busybox initramfs without xenstore-utils, so this
 * small static program goes in instead.
 *
 *   yasmin-xs-probe read PATH          prints the value
 *   yasmin-xs-probe ls PATH            prints the children, one per line
 *   yasmin-xs-probe write PATH VALUE
 *   yasmin-xs-probe rm PATH
 *
 * Exit 0 on success; on failure prints "denied: EACCES" (or the errno's name) and exits 1;
 * usage errors exit 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case ENOSPC: return "ENOSPC";
	default: return strerror(e);
	}
}

static int fail(const char *what, const char *path)
{
	int e = errno;

	printf("denied: %s\n", errno_name(e));
	fprintf(stderr, "yasmin-xs-probe: %s %s: %s\n", what, path, strerror(e));
	return 1;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	const char *op, *path;
	unsigned int len, i;

	if (argc < 3 || (strcmp(argv[1], "write") == 0) != (argc == 4) || argc > 4) {
		fprintf(stderr, "usage: yasmin-xs-probe read|ls|rm PATH | write PATH VALUE\n");
		return 2;
	}
	op = argv[1];
	path = argv[2];
	xs = xs_open(0);
	if (!xs)
		return fail("open", "XenStore");

	if (strcmp(op, "read") == 0) {
		char *value = xs_read(xs, XBT_NULL, path, &len);

		if (!value)
			return fail(op, path);
		printf("%.*s\n", (int)len, value);
		free(value);
	} else if (strcmp(op, "ls") == 0) {
		char **names = xs_directory(xs, XBT_NULL, path, &len);

		if (!names)
			return fail(op, path);
		for (i = 0; i < len; i++)
			printf("%s\n", names[i]);
		free(names);
	} else if (strcmp(op, "write") == 0) {
		if (!xs_write(xs, XBT_NULL, path, argv[3], strlen(argv[3])))
			return fail(op, path);
	} else if (strcmp(op, "rm") == 0) {
		if (!xs_rm(xs, XBT_NULL, path))
			return fail(op, path);
	} else {
		fprintf(stderr, "yasmin-xs-probe: unknown request '%s'\n", op);
		return 2;
	}
	xs_close(xs);
	return 0;
}
