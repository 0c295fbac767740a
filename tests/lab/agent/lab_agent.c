// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin-lab-agent: how the lab's dom0 runs commands inside its guests.
 *
 *   yasmin-lab-agent serve [PORT]                  in a guest: run commands sent by dom0
 *   yasmin-lab-agent exec [-t SECONDS] IP[:PORT] COMMAND
 *                                                  in dom0: run COMMAND with /bin/sh in the
 *                                                  guest, print its output, exit with its status
 *   yasmin-lab-agent wait [-t SECONDS] IP[:PORT]   in dom0: wait until the guest's agent answers
 *
 * Lab only: it is an unauthenticated remote shell on the lab's private bridge inside the
 * emulated machine, and is never installed by `cmake --install`.
 *
 * Wire format (TCP): the client sends a u32 length (network order) and the command.  The
 * server answers with frames of a type byte, a u32 length and a payload: 'o' output bytes
 * (stdout and stderr merged), then one 'x' whose 4-byte payload is the exit code (128 + signal
 * number when the command was killed).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT 7700
#define MAX_COMMAND (1u << 20)
#define EXIT_TIMEOUT 124
#define EXIT_AGENT_ERROR 125
/* Output still arriving this long after the command exited comes from something it left
 * running in the background with our pipe open; stop waiting for it. */
#define DRAIN_AFTER_EXIT_MS 300

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_frame(int fd, char type, const void *payload, uint32_t len)
{
	unsigned char header[5];
	uint32_t be = htonl(len);

	header[0] = (unsigned char)type;
	memcpy(header + 1, &be, 4);
	if (write_all(fd, header, sizeof(header)))
		return -1;
	return write_all(fd, payload, len);
}

static int parse_endpoint(const char *text, struct sockaddr_in *addr)
{
	char host[64];
	const char *colon = strchr(text, ':');
	size_t host_len = colon ? (size_t)(colon - text) : strlen(text);
	long port = DEFAULT_PORT;

	if (host_len == 0 || host_len >= sizeof(host))
		return -1;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	if (colon) {
		char *end;

		port = strtol(colon + 1, &end, 10);
		if (*end || port <= 0 || port > 65535)
			return -1;
	}
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

/* --- server ------------------------------------------------------------------------------ */

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_AGENT_ERROR;
}

/* Runs one command for one connection; called in a child of the accept loop. */
static void serve_connection(int conn)
{
	uint32_t be_len, len, code;
	char *command;
	int out[2], status = 0, exited = 0;
	pid_t shell;

	if (read_all(conn, &be_len, 4))
		_exit(1);
	len = ntohl(be_len);
	if (len == 0 || len > MAX_COMMAND)
		_exit(1);
	command = malloc(len + 1);
	if (!command || read_all(conn, command, len))
		_exit(1);
	command[len] = '\0';

	if (pipe(out))
		_exit(1);
	shell = fork();
	if (shell < 0)
		_exit(1);
	if (shell == 0) {
		setsid();
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		close(out[0]);
		close(out[1]);
		close(conn);
		int devnull = open("/dev/null", 0);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(out[1]);

	for (;;) {
		struct pollfd pfd = { .fd = out[0], .events = POLLIN };
		char buf[16384];
		int ready = poll(&pfd, 1, exited ? DRAIN_AFTER_EXIT_MS : 100);

		if (ready > 0) {
			ssize_t n = read(out[0], buf, sizeof(buf));

			if (n > 0) {
				if (send_frame(conn, 'o', buf, (uint32_t)n)) {
					/* dom0 went away: the command's group goes too. */
					kill(-shell, SIGKILL);
					_exit(1);
				}
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (exited)
				break;	/* EOF after exit: all output sent */
		} else if (ready == 0 && exited) {
			break;
		}
		if (!exited && waitpid(shell, &status, ready > 0 ? 0 : WNOHANG) == shell)
			exited = 1;
	}
	code = htonl((uint32_t)exit_code_of(status));
	send_frame(conn, 'x', &code, 4);
	_exit(0);
}

static void reap_children(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static int serve(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct sigaction sa = { .sa_handler = reap_children, .sa_flags = SA_RESTART };
	long port = argc > 2 ? strtol(argv[2], NULL, 10) : DEFAULT_PORT;
	int one = 1, listener;

	/* Often PID 1 of a guest: orphans of the commands end up here and must be reaped. */
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	addr.sin_port = htons((uint16_t)port);
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 16)) {
		perror("yasmin-lab-agent: listen");
		return EXIT_AGENT_ERROR;
	}
	for (;;) {
		int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		pid_t child;

		if (conn < 0)
			continue;
		child = fork();
		if (child == 0) {
			close(listener);
			signal(SIGCHLD, SIG_DFL);
			serve_connection(conn);
		}
		close(conn);
	}
}

/* --- client ------------------------------------------------------------------------------ */

static int connect_to(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "yasmin-lab-agent: timed out\n";
	write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(EXIT_TIMEOUT);
}

static int run_remote(const struct sockaddr_in *addr, const char *command)
{
	uint32_t len = (uint32_t)strlen(command), be_len = htonl(len);
	int fd = connect_to(addr);

	if (fd < 0) {
		perror("yasmin-lab-agent: connect");
		return EXIT_AGENT_ERROR;
	}
	if (write_all(fd, &be_len, 4) || write_all(fd, command, len))
		return EXIT_AGENT_ERROR;
	for (;;) {
		unsigned char header[5];
		uint32_t frame_len;
		char buf[16384];

		if (read_all(fd, header, sizeof(header))) {
			fprintf(stderr, "yasmin-lab-agent: connection lost\n");
			return EXIT_AGENT_ERROR;
		}
		memcpy(&frame_len, header + 1, 4);
		frame_len = ntohl(frame_len);
		if (header[0] == 'x' && frame_len == 4) {
			uint32_t code;

			if (read_all(fd, &code, 4))
				return EXIT_AGENT_ERROR;
			return (int)ntohl(code);
		}
		if (header[0] != 'o' || frame_len > sizeof(buf) || read_all(fd, buf, frame_len)) {
			fprintf(stderr, "yasmin-lab-agent: bad frame\n");
			return EXIT_AGENT_ERROR;
		}
		fwrite(buf, 1, frame_len, stdout);
		fflush(stdout);
	}
}

static int wait_for(const struct sockaddr_in *addr)
{
	for (;;) {
		int fd = connect_to(addr);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		usleep(200 * 1000);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: yasmin-lab-agent serve [PORT]\n"
			"       yasmin-lab-agent exec [-t SECONDS] IP[:PORT] COMMAND\n"
			"       yasmin-lab-agent wait [-t SECONDS] IP[:PORT]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	unsigned int timeout = 0;
	int arg = 2;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "serve"))
		return serve(argc, argv);
	if (strcmp(argv[1], "exec") && strcmp(argv[1], "wait"))
		return usage();
	if (argc > arg + 1 && !strcmp(argv[arg], "-t")) {
		timeout = (unsigned int)strtoul(argv[arg + 1], NULL, 10);
		arg += 2;
	}
	if (argc <= arg || parse_endpoint(argv[arg], &addr)) {
		fprintf(stderr, "yasmin-lab-agent: bad endpoint\n");
		return usage();
	}
	signal(SIGPIPE, SIG_IGN);
	if (timeout) {
		signal(SIGALRM, on_alarm);
		alarm(timeout);
	}
	if (!strcmp(argv[1], "wait"))
		return argc == arg + 1 ? wait_for(&addr) : usage();
	return argc == arg + 2 ? run_remote(&addr, argv[arg + 1]) : usage();
}
