// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin-msgbench: a small stream-socket benchmark knowing nothing of yasmin or vsock.  The
 * lab runs it plainly over TCP between two guests (netfront), unmodified under yasmin-run
 * (the preload turns its TCP sockets into AF_VSOCK) and over AF_UNIX inside one guest, so it
 * uses only ordinary socket calls: the three runs differ by the transport alone.
 *
 *   yasmin-msgbench serve tcp PORT [--bind IPV4]    (PORT 0: any port, the first line tells)
 *   yasmin-msgbench serve unix PATH
 *       listens and serves connections until killed, one detached thread per connection.
 *       Prints "info: listening on tcp ADDR:PORT" or "info: listening on unix PATH".
 *   yasmin-msgbench stream   tcp HOST PORT | unix PATH --size N --seconds S
 *   yasmin-msgbench pingpong tcp HOST PORT | unix PATH --size N (--iterations I | --seconds S)
 *   yasmin-msgbench connect  tcp HOST PORT | unix PATH --seconds S
 *       the clients; each prints one result line (see the functions of the same names).
 *
 * Every connection starts with a 16-byte header from the client: "YMB1", then three
 * big-endian u32: the mode (1 stream, 2 pingpong, 3 connect), the message size and 0.
 *
 * Emulated guests are slow, so nothing ever waits without a limit: every socket has
 * SO_RCVTIMEO and SO_SNDTIMEO of --timeout seconds (default 60), and a client's whole run
 * has an alarm() of --seconds plus --timeout (with --iterations: --timeout alone, which must
 * then cover the whole run).  The server has no overall limit: it serves until killed.
 *
 * Exit status: 0 ok, 1 failure (a message on stderr), 2 bad command line.  Lab only: never
 * installed for users.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define MAX_SIZE (16u * 1024 * 1024)
#define MAX_SECONDS 86400.0
#define HEADER_SIZE 16
#define MODE_STREAM 1
#define MODE_PINGPONG 2
#define MODE_CONNECT 3
#define WARMUP_ROUND_TRIPS 3
/* The server's read buffer for streams: large reads, whatever the client's message size. */
#define STREAM_READ_BUF (128 * 1024)

static const char MAGIC[4] = { 'Y', 'M', 'B', '1' };

/* Where to connect or listen: an IPv4 address and port, or a path. */
struct endpoint {
	bool unix_family;
	struct sockaddr_in in;
	struct sockaddr_un un;
	const char *text;	/* PATH or HOST:PORT as given, for messages */
};

static unsigned int timeout_s = 60;	/* --timeout: every wait, and the clients' alarm */

/* ---- helpers ----------------------------------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("yasmin-msgbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "yasmin-msgbench: timed out (the --timeout limit of the run)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *family_name(const struct endpoint *ep)
{
	return ep->unix_family ? "unix" : "tcp";
}

/* Strict decimal: no sign, no blanks, no suffix, nothing above max. */
static bool parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* Seconds may be fractional ("0.5"), but must be a positive finite number. */
static bool parse_seconds(const char *text, double *out)
{
	char *end;
	double v;

	if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
		return false;
	errno = 0;
	v = strtod(text, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > MAX_SECONDS)
		return false;
	*out = v;
	return true;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Both directions of a socket give up after --timeout seconds (EAGAIN), so a stalled peer or
 * transport ends in an error message instead of a hang.  Linux applies SO_SNDTIMEO to
 * connect() too; the preload copies both options onto the vsock it substitutes. */
static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = timeout_s };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return -1;
	return 0;
}

static const char *io_error(int err)
{
	static __thread char text[128];

	if (err == EAGAIN || err == EWOULDBLOCK) {
		snprintf(text, sizeof(text), "timed out after %u s", timeout_s);
		return text;
	}
	return strerror(err);
}

/* Writes all len bytes, however many send() calls it takes (a stream socket may take part of
 * a message).  0, or -1 with errno set. */
static int send_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		/* MSG_NOSIGNAL: a vanished peer is an EPIPE to report, not a SIGPIPE. */
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes.  1 when done, 0 at an end of stream before the first byte (a clean
 * end between messages), -1 with errno set otherwise (EPIPE: the stream ended mid-message). */
static int recv_exact(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, p + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (got == 0)
				return 0;
			errno = EPIPE;
			return -1;
		}
		got += (size_t)n;
	}
	return 1;
}

/* Like recv_exact(), but any short read is a failure the caller reports as "what". */
static void recv_exact_or_die(int fd, void *buf, size_t len, const char *what)
{
	int r = recv_exact(fd, buf, len);

	if (r == 0)
		die("%s: the server closed the connection", what);
	if (r < 0)
		die("%s: %s", what, errno == EPIPE ? "the server closed the connection mid-message"
						   : io_error(errno));
}

/* ---- client ------------------------------------------------------------------------------ */

/* A connected socket with its time limits (and TCP_NODELAY if asked), or exit(1). */
static int client_connect(const struct endpoint *ep, bool nodelay)
{
	int fd = socket(ep->unix_family ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, r;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (set_timeouts(fd) != 0)
		die("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO): %s", strerror(errno));
	if (nodelay && !ep->unix_family &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		die("setsockopt(TCP_NODELAY): %s", strerror(errno));
	do {
		if (ep->unix_family)
			r = connect(fd, (const struct sockaddr *)&ep->un, sizeof(ep->un));
		else
			r = connect(fd, (const struct sockaddr *)&ep->in, sizeof(ep->in));
	} while (r != 0 && errno == EINTR);
	if (r != 0)
		die("connect to %s %s: %s", family_name(ep), ep->text,
		    errno == EINPROGRESS ? io_error(EAGAIN) : strerror(errno));
	return fd;
}

static void send_header(int fd, uint32_t mode, uint32_t size)
{
	unsigned char h[HEADER_SIZE];

	memcpy(h, MAGIC, sizeof(MAGIC));
	put_u32(h + 4, mode);
	put_u32(h + 8, size);
	put_u32(h + 12, 0);
	if (send_all(fd, h, sizeof(h)) != 0)
		die("sending the header: %s", io_error(errno));
}

static void *alloc_message(size_t size)
{
	unsigned char *buf = malloc(size);

	if (!buf)
		die("out of memory for a %zu-byte message", size);
	for (size_t i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	return buf;
}

/* Throughput: messages of size bytes, one send per message, for about seconds; then the end
 * of our stream, and the server's count of what it read, which must be what we sent.  The
 * time runs from the first send to the count's arrival, so that it covers every byte's
 * delivery and not just its queueing in our send buffer. */
static int run_stream(const struct endpoint *ep, uint32_t size, double seconds)
{
	unsigned char *msg = alloc_message(size);
	/* Read the clock about every 64 KiB: often enough to stop on time, rarely enough to
	 * cost nothing next to the sends, even with 1-byte messages. */
	uint64_t check_every = size >= 65536 ? 1 : 65536 / size;
	uint64_t sent = 0, messages = 0, count;
	unsigned char reply[8];
	double start, end, elapsed;
	int fd = client_connect(ep, false);

	send_header(fd, MODE_STREAM, size);
	start = now();
	end = start + seconds;
	for (;;) {
		if (send_all(fd, msg, size) != 0)
			die("stream: send after %" PRIu64 " bytes: %s", sent, io_error(errno));
		sent += size;
		if (++messages % check_every == 0 && now() >= end)
			break;
	}
	if (shutdown(fd, SHUT_WR) != 0)
		die("stream: shutdown(SHUT_WR): %s", strerror(errno));
	recv_exact_or_die(fd, reply, sizeof(reply), "stream: reading the server's byte count");
	elapsed = now() - start;
	close(fd);
	count = (uint64_t)get_u32(reply) << 32 | get_u32(reply + 4);
	if (count != sent)
		die("stream: the server read %" PRIu64 " bytes, %" PRIu64 " were sent", count, sent);
	printf("stream family=%s size=%" PRIu32 " bytes=%" PRIu64 " seconds=%.6f mbit_s=%.3f\n",
	       family_name(ep), size, sent, elapsed, sent * 8.0 / 1e6 / elapsed);
	free(msg);
	return 0;
}

/* One round trip: the whole message out, exactly as many bytes back.  The first bytes carry
 * the round trip's number and are checked on return, so a lost or repeated message (the
 * two directions out of step) is an error rather than a plausible latency. */
static void round_trip(int fd, unsigned char *out, unsigned char *in, uint32_t size,
		       uint64_t number)
{
	size_t stamp = size < sizeof(number) ? size : sizeof(number);

	memcpy(out, &number, stamp);
	if (send_all(fd, out, size) != 0)
		die("pingpong: send of round trip %" PRIu64 ": %s", number, io_error(errno));
	recv_exact_or_die(fd, in, size, "pingpong: reading the echo");
	if (memcmp(in, out, stamp) != 0 || in[size - 1] != out[size - 1])
		die("pingpong: round trip %" PRIu64 ": the echo is not the message sent", number);
}

/* Latency: round trips of size bytes each way, after a few uncounted ones (the first
 * messages pay for page faults, and under the preload for the connection's setup). */
static int run_pingpong(const struct endpoint *ep, uint32_t size, uint64_t iterations,
			double seconds)
{
	unsigned char *out = alloc_message(size), *in = malloc(size);
	uint64_t number = 0, counted = 0;
	double start, end, elapsed;
	int fd = client_connect(ep, true);	/* TCP_NODELAY: no Nagle delay per message */

	if (!in)
		die("out of memory for a %" PRIu32 "-byte message", size);
	send_header(fd, MODE_PINGPONG, size);
	for (int i = 0; i < WARMUP_ROUND_TRIPS; i++)
		round_trip(fd, out, in, size, number++);
	start = now();
	end = start + seconds;
	/* With --seconds, the clock is read after every round trip: each costs a system call
	 * or two at least, next to which clock_gettime() is nothing. */
	while (iterations ? counted < iterations : now() < end) {
		round_trip(fd, out, in, size, number++);
		counted++;
	}
	elapsed = now() - start;
	if (shutdown(fd, SHUT_WR) != 0)
		die("pingpong: shutdown(SHUT_WR): %s", strerror(errno));
	close(fd);
	printf("pingpong family=%s size=%" PRIu32 " round_trips=%" PRIu64
	       " seconds=%.6f usec_per_round_trip=%.3f\n",
	       family_name(ep), size, counted, elapsed, elapsed * 1e6 / (double)counted);
	free(out);
	free(in);
	return 0;
}

/* Connection setup and teardown: socket, connect, the header, the server's close (its end
 * of stream), close, as many times as fit in seconds.  Waiting for the server's close makes
 * each connection cost the whole exchange, accept included, not just the SYN's queueing. */
static int run_connect(const struct endpoint *ep, double seconds)
{
	uint64_t connections = 0;
	double start = now(), end = start + seconds, elapsed;
	unsigned char byte;

	do {
		int fd = client_connect(ep, false);
		ssize_t n;

		send_header(fd, MODE_CONNECT, 0);
		do
			n = recv(fd, &byte, 1, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			die("connect: waiting for the server's close (connection %" PRIu64 "): %s",
			    connections, io_error(errno));
		if (n > 0)
			die("connect: the server sent data instead of closing");
		close(fd);
		connections++;
	} while (now() < end);
	elapsed = now() - start;
	printf("connect family=%s connections=%" PRIu64 " seconds=%.6f per_s=%.3f\n",
	       family_name(ep), connections, elapsed, connections / elapsed);
	return 0;
}

/* ---- server ------------------------------------------------------------------------------ */

/* Stream: reads everything until the client's end of stream, then tells it the count. */
static int serve_stream(int fd)
{
	unsigned char *buf = malloc(STREAM_READ_BUF), reply[8];
	uint64_t total = 0;

	if (!buf) {
		fprintf(stderr, "yasmin-msgbench: stream: out of memory\n");
		return -1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf, STREAM_READ_BUF, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "yasmin-msgbench: stream: recv after %" PRIu64 " bytes: %s\n",
				total, io_error(errno));
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
	}
	free(buf);
	put_u32(reply, (uint32_t)(total >> 32));
	put_u32(reply + 4, (uint32_t)total);
	if (send_all(fd, reply, sizeof(reply)) != 0) {
		fprintf(stderr, "yasmin-msgbench: stream: sending the count: %s\n",
			io_error(errno));
		return -1;
	}
	return 0;
}

/* Pingpong: echoes each whole message of size bytes, until the client's end of stream. */
static int serve_pingpong(int fd, uint32_t size)
{
	unsigned char *buf = malloc(size);
	int r = -1;

	if (!buf) {
		fprintf(stderr, "yasmin-msgbench: pingpong: out of memory for %" PRIu32 " bytes\n",
			size);
		return -1;
	}
	for (;;) {
		int got = recv_exact(fd, buf, size);

		if (got == 0) {
			r = 0;
			break;
		}
		if (got < 0) {
			fprintf(stderr, "yasmin-msgbench: pingpong: recv: %s\n",
				errno == EPIPE ? "the client closed mid-message" : io_error(errno));
			break;
		}
		if (send_all(fd, buf, size) != 0) {
			fprintf(stderr, "yasmin-msgbench: pingpong: send: %s\n", io_error(errno));
			break;
		}
	}
	free(buf);
	return r;
}

struct connection {
	int fd;
	bool tcp;
};

/* One connection's thread: the header says what to do.  Whatever happens, the connection is
 * closed and the thread ends; the accept loop is not concerned. */
static void *serve_connection(void *arg)
{
	struct connection c = *(struct connection *)arg;
	unsigned char h[HEADER_SIZE];
	uint32_t mode, size;
	int one = 1, r;

	free(arg);
	if (set_timeouts(c.fd) != 0)
		fprintf(stderr, "yasmin-msgbench: setsockopt(SO_RCVTIMEO/SO_SNDTIMEO): %s\n",
			strerror(errno));
	/* The echoes of pingpong go out at once, like the client's messages. */
	if (c.tcp)
		setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r = recv_exact(c.fd, h, sizeof(h));
	if (r <= 0) {
		fprintf(stderr, "yasmin-msgbench: reading a header: %s\n",
			r == 0 || errno == EPIPE ? "the client closed before sending it"
						 : io_error(errno));
		goto out;
	}
	mode = get_u32(h + 4);
	size = get_u32(h + 8);
	if (memcmp(h, MAGIC, sizeof(MAGIC)) != 0 || get_u32(h + 12) != 0 ||
	    (mode == MODE_PINGPONG && (size == 0 || size > MAX_SIZE))) {
		fprintf(stderr, "yasmin-msgbench: a bad header (not YMB1, or a bad size): "
			"connection closed\n");
		goto out;
	}
	switch (mode) {
	case MODE_STREAM:
		serve_stream(c.fd);
		break;
	case MODE_PINGPONG:
		serve_pingpong(c.fd, size);
		break;
	case MODE_CONNECT:
		break;	/* closing at once is the whole service */
	default:
		fprintf(stderr, "yasmin-msgbench: a header with unknown mode %" PRIu32
			": connection closed\n", mode);
	}
out:
	close(c.fd);
	return NULL;
}

static int listen_on(const struct endpoint *ep)
{
	int fd = socket(ep->unix_family ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	char where[sizeof(ep->un.sun_path) + 32];

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (ep->unix_family) {
		struct stat st;

		/* A socket file left by an earlier server would make bind() fail; anything else
		 * at that path is not ours to remove. */
		if (lstat(ep->un.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(ep->un.sun_path);
		if (bind(fd, (const struct sockaddr *)&ep->un, sizeof(ep->un)) != 0)
			die("bind to unix %s: %s", ep->un.sun_path, strerror(errno));
		snprintf(where, sizeof(where), "unix %s", ep->un.sun_path);
	} else {
		struct sockaddr_in bound;
		socklen_t len = sizeof(bound);
		char addr[INET_ADDRSTRLEN];

		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
			die("setsockopt(SO_REUSEADDR): %s", strerror(errno));
		if (bind(fd, (const struct sockaddr *)&ep->in, sizeof(ep->in)) != 0)
			die("bind to tcp %s: %s", ep->text, strerror(errno));
		/* Port 0: the kernel's choice is what the caller needs to know. */
		if (getsockname(fd, (struct sockaddr *)&bound, &len) != 0)
			die("getsockname: %s", strerror(errno));
		inet_ntop(AF_INET, &bound.sin_addr, addr, sizeof(addr));
		snprintf(where, sizeof(where), "tcp %s:%u", addr, ntohs(bound.sin_port));
	}
	if (listen(fd, 128) != 0)
		die("listen: %s", strerror(errno));
	printf("info: listening on %s\n", where);
	fflush(stdout);
	return fd;
}

/* Serves until killed: accept() waits without a limit on purpose, the connections' own waits
 * have one.  A failed accept or thread costs that connection only. */
static int run_serve(const struct endpoint *ep)
{
	int listener = listen_on(ep);
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		struct connection *c;
		pthread_t thread;
		int err;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EBADF || errno == EINVAL || errno == ENOTSOCK ||
			    errno == EOPNOTSUPP || errno == EFAULT)
				die("accept: %s", strerror(errno));
			/* EMFILE, ENOBUFS, EPERM...: pause, so as not to spin, and go on. */
			fprintf(stderr, "yasmin-msgbench: accept: %s\n", strerror(errno));
			usleep(100 * 1000);
			continue;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			fprintf(stderr, "yasmin-msgbench: out of memory for a connection\n");
			close(fd);
			continue;
		}
		c->fd = fd;
		c->tcp = !ep->unix_family;
		err = pthread_create(&thread, &attr, serve_connection, c);
		if (err) {
			fprintf(stderr, "yasmin-msgbench: pthread_create: %s\n", strerror(err));
			close(fd);
			free(c);
		}
	}
}

/* ---- command line ------------------------------------------------------------------------ */

static int usage(FILE *out, int status)
{
	fputs("usage: yasmin-msgbench serve tcp PORT [--bind IPV4] | serve unix PATH\n"
	      "       yasmin-msgbench stream   ENDPOINT --size N --seconds S\n"
	      "       yasmin-msgbench pingpong ENDPOINT --size N (--iterations I | --seconds S)\n"
	      "       yasmin-msgbench connect  ENDPOINT --seconds S\n"
	      "  ENDPOINT: tcp HOST PORT | unix PATH\n"
	      "  --size N        message size in bytes, 1 to 16777216\n"
	      "  --seconds S     duration of the run (may be fractional)\n"
	      "  --iterations I  counted round trips (pingpong)\n"
	      "  --timeout T     limit of every wait in seconds (default 60); a client's run\n"
	      "                  ends after S + T seconds (T with --iterations)\n"
	      "  --bind IPV4     address the tcp server listens on (default 0.0.0.0)\n",
	      out);
	return status;
}

static bool parse_ipv4_host(const char *host, struct in_addr *out)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;

	if (inet_pton(AF_INET, host, out) == 1)
		return true;
	/* A name (a guest's): resolved once, before any timing starts. */
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	*out = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return true;
}

enum option_id { OPT_SIZE = 1, OPT_SECONDS, OPT_ITERATIONS, OPT_TIMEOUT, OPT_BIND, OPT_HELP };

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t size = 0, iterations = 0, value;
	double seconds = 0;
	const char *bind_addr = NULL, *mode, **pos;
	struct endpoint ep = { 0 };
	char ep_text[300];
	struct sigaction sa = { .sa_handler = on_alarm };
	int opt, npos;
	bool serve, has_size = false, has_seconds = false, has_iterations = false;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_SIZE:
			if (!parse_u64(optarg, MAX_SIZE, &size) || size == 0) {
				fprintf(stderr, "yasmin-msgbench: --size must be 1 to %u bytes\n",
					MAX_SIZE);
				return usage(stderr, EXIT_USAGE);
			}
			has_size = true;
			break;
		case OPT_SECONDS:
			if (!parse_seconds(optarg, &seconds)) {
				fprintf(stderr, "yasmin-msgbench: --seconds must be a positive number "
					"of seconds\n");
				return usage(stderr, EXIT_USAGE);
			}
			has_seconds = true;
			break;
		case OPT_ITERATIONS:
			if (!parse_u64(optarg, 1000000000, &iterations) || iterations == 0) {
				fprintf(stderr, "yasmin-msgbench: --iterations must be 1 to 1e9\n");
				return usage(stderr, EXIT_USAGE);
			}
			has_iterations = true;
			break;
		case OPT_TIMEOUT:
			if (!parse_u64(optarg, (uint64_t)MAX_SECONDS, &value) || value == 0) {
				fprintf(stderr, "yasmin-msgbench: --timeout must be 1 to %.0f seconds\n",
					MAX_SECONDS);
				return usage(stderr, EXIT_USAGE);
			}
			timeout_s = (unsigned int)value;
			break;
		case OPT_BIND:
			bind_addr = optarg;
			break;
		case OPT_HELP:
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}

	/* Positionals: MODE FAMILY then PORT, HOST PORT or PATH. */
	pos = (const char **)argv + optind;
	npos = argc - optind;
	if (npos < 2)
		return usage(stderr, EXIT_USAGE);
	mode = pos[0];
	serve = strcmp(mode, "serve") == 0;
	if (!serve && strcmp(mode, "stream") && strcmp(mode, "pingpong") &&
	    strcmp(mode, "connect")) {
		fprintf(stderr, "yasmin-msgbench: unknown mode '%s'\n", mode);
		return usage(stderr, EXIT_USAGE);
	}
	if (!serve) {
		/* From here on, before even a host name's resolution, the run has its limit:
		 * its duration (rounded up) plus the limit of a wait. */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		alarm((unsigned int)seconds + (seconds > (unsigned int)seconds) + timeout_s);
	}
	if (strcmp(pos[1], "unix") == 0) {
		if (npos != 3)
			return usage(stderr, EXIT_USAGE);
		if (pos[2][0] == '\0' || strlen(pos[2]) >= sizeof(ep.un.sun_path)) {
			fprintf(stderr, "yasmin-msgbench: the unix path is empty or too long\n");
			return usage(stderr, EXIT_USAGE);
		}
		ep.unix_family = true;
		ep.un.sun_family = AF_UNIX;
		strcpy(ep.un.sun_path, pos[2]);
		ep.text = pos[2];
	} else if (strcmp(pos[1], "tcp") == 0) {
		const char *host = serve ? (bind_addr ? bind_addr : "0.0.0.0") : pos[2];
		const char *port_text = serve ? pos[2] : pos[3];

		if (npos != (serve ? 3 : 4))
			return usage(stderr, EXIT_USAGE);
		/* The server may take port 0 (the kernel picks one); a client may not. */
		if (!parse_u64(port_text, 65535, &value) || (!serve && value == 0)) {
			fprintf(stderr, "yasmin-msgbench: bad port '%s'\n", port_text);
			return usage(stderr, EXIT_USAGE);
		}
		ep.in.sin_family = AF_INET;
		ep.in.sin_port = htons((uint16_t)value);
		if (serve ? inet_pton(AF_INET, host, &ep.in.sin_addr) != 1
			  : !parse_ipv4_host(host, &ep.in.sin_addr)) {
			fprintf(stderr, "yasmin-msgbench: bad %s '%s'\n",
				serve ? "--bind address (IPv4)" : "host", host);
			return serve ? usage(stderr, EXIT_USAGE) : 1;
		}
		snprintf(ep_text, sizeof(ep_text), "%s:%s", host, port_text);
		ep.text = ep_text;
	} else {
		fprintf(stderr, "yasmin-msgbench: unknown family '%s' (tcp or unix)\n", pos[1]);
		return usage(stderr, EXIT_USAGE);
	}

	/* Each mode takes its own options and no others, so a misplaced one is not ignored. */
	if (bind_addr && !(serve && !ep.unix_family)) {
		fprintf(stderr, "yasmin-msgbench: --bind is for serve tcp only\n");
		return usage(stderr, EXIT_USAGE);
	}
	if (serve ? has_size || has_seconds || has_iterations
	    : strcmp(mode, "stream") == 0 ? !has_size || !has_seconds || has_iterations
	    : strcmp(mode, "pingpong") == 0 ? !has_size || has_seconds == has_iterations
	    : has_size || !has_seconds || has_iterations) {
		fprintf(stderr, "yasmin-msgbench: wrong options for %s\n", mode);
		return usage(stderr, EXIT_USAGE);
	}

	/* A peer that vanishes is an EPIPE to report, never a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (serve)
		return run_serve(&ep);

	if (strcmp(mode, "stream") == 0)
		return run_stream(&ep, (uint32_t)size, seconds);
	if (strcmp(mode, "pingpong") == 0)
		return run_pingpong(&ep, (uint32_t)size, iterations, seconds);
	return run_connect(&ep, seconds);
}
