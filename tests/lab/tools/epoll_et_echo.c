// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin-epoll-echo: a plain AF_INET TCP echo server and its client, written the way
 * event-driven servers (nginx, redis) drive their sockets, and knowing nothing of yasmin:
 * 44-preload-programs runs both unmodified under yasmin-run, so that the preload's sockets
 * meet epoll in edge-triggered mode, where a missed or spurious readiness edge shows up as a
 * hang or as lost bytes rather than as a slower run.
 *
 *   yasmin-epoll-echo serve PORT [--exit-after N]
 *       listens on 0.0.0.0:PORT (0: any port, the first line tells which); one epoll set,
 *       EPOLLET on the listener and on every connection: accept4(SOCK_NONBLOCK) until
 *       EAGAIN, then read/write each connection until EAGAIN, echoing every byte back; a
 *       peer's end of stream is answered, once everything read is written back, by closing.
 *       Any number of connections at once.  With --exit-after, exits after N connections
 *       have been served (the time limit below applies then).  One line per connection,
 *       with the peer's address as getpeername() gives it.
 *   yasmin-epoll-echo client HOST PORT BYTES [CONNECTIONS]
 *       opens CONNECTIONS (default 1) non-blocking connections at once, all in one edge-
 *       triggered epoll set; on each, sends BYTES of a pattern of its own, ends its side
 *       with shutdown(SHUT_WR), and checks that the echo is those very bytes followed by the
 *       end of stream.
 *
 * Output: "ok: ..." or "FAIL: ..." lines; exit status 1 if anything failed (2: bad command
 * line).  Every run has a time limit (YASMIN_EPOLL_ECHO_TIMEOUT seconds, default 300), so a
 * lost edge makes it fail, never hang.  Lab only: never installed for users.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MAX_EVENTS 64
#define CLIENT_CHUNK (16 * 1024)
#define MAX_CLIENT_CONNECTIONS 1024

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: yasmin-epoll-echo: timed out (a readiness edge lost?)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > max)
		return false;
	*out = v;
	return true;
}

static int epoll_add(int ep, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* ---- server ------------------------------------------------------------------------------ */

struct echo_conn {
	int fd;
	char peer[INET6_ADDRSTRLEN + 8];
	unsigned char buf[BUF_SIZE];
	size_t pending, offset;	/* bytes read and not yet written back: buf[offset..pending) */
	uint64_t echoed;
	bool eof;
};

/* Drives one connection as far as it goes: what was read is written back before more is read
 * (the buffer is the only one), so it stops at the first EAGAIN, of the write when the peer
 * reads slower than it sends, of the read otherwise.  Edge-triggered: the next event, of
 * either kind, resumes from there.  Returns false once the connection is finished. */
static bool echo_drive(struct echo_conn *c)
{
	for (;;) {
		if (c->offset < c->pending) {
			ssize_t n = send(c->fd, c->buf + c->offset, c->pending - c->offset,
					 MSG_NOSIGNAL);

			if (n > 0) {
				c->offset += (size_t)n;
				c->echoed += (uint64_t)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return true;
			printf("FAIL: %s: send: %s\n", c->peer, strerror(errno));
			return false;
		}
		c->offset = c->pending = 0;
		if (c->eof)
			return false;
		ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), 0);

		if (n > 0) {
			c->pending = (size_t)n;
			continue;
		}
		if (n == 0) {
			c->eof = true;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return true;
		printf("FAIL: %s: recv: %s\n", c->peer, strerror(errno));
		return false;
	}
}

static void describe_peer(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
			port = ntohs(sin->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
			port = ntohs(sin6->sin6_port);
		} else {
			snprintf(addr, sizeof(addr), "family %d", ss.ss_family);
		}
	}
	snprintf(out, len, "%s:%u", addr, port);
}

struct server_stats {
	uint64_t accepted, served, failed, echoed;
};

/* A connection is over: it was served if the peer ended its stream and got every byte back. */
static void echo_finish(struct echo_conn *c, struct server_stats *st)
{
	if (c->eof) {
		printf("info: %s: echoed %" PRIu64 " bytes\n", c->peer, c->echoed);
		st->echoed += c->echoed;
	} else {
		st->failed++;
	}
	st->served++;
	close(c->fd);	/* also leaves the epoll set */
	free(c);
}

/* Edge-triggered: one event of the listener may stand for many connections, so accept until
 * EAGAIN; a connection not accepted now would wait for the next one's edge. */
static void accept_all(int ep, int listener, struct server_stats *st)
{
	for (;;) {
		int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct echo_conn *c;

		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (fd < 0) {
			/* ECONNABORTED and the like: that connection only. */
			printf("info: accept4: %s\n", strerror(errno));
			continue;
		}
		st->accepted++;
		c = calloc(1, sizeof(*c));
		if (!c) {
			printf("FAIL: out of memory\n");
			st->failed++;
			close(fd);
			continue;
		}
		c->fd = fd;
		describe_peer(fd, c->peer, sizeof(c->peer));
		if (epoll_add(ep, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c)) {
			printf("FAIL: epoll_ctl: %s\n", strerror(errno));
			echo_finish(c, st);
			continue;
		}
		/* Registering a ready socket reports it once; driving it now does no harm. */
		if (!echo_drive(c))
			echo_finish(c, st);
	}
}

static int serve(uint64_t port, uint64_t exit_after)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct epoll_event events[MAX_EVENTS];
	struct server_stats st = { 0 };
	int one = 1, listener, ep;
	int listener_tag;	/* its address tells the listener's events from connections' */

	listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 128)) {
		printf("FAIL: listen on port %" PRIu64 ": %s\n", port, strerror(errno));
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_add(ep, listener, EPOLLIN | EPOLLET, &listener_tag)) {
		printf("FAIL: epoll: %s\n", strerror(errno));
		return 1;
	}
	/* PORT 0: the kernel's choice, which this line tells (the unit test reads it). */
	socklen_t len = sizeof(addr);

	if (getsockname(listener, (struct sockaddr *)&addr, &len)) {
		printf("FAIL: getsockname: %s\n", strerror(errno));
		return 1;
	}
	printf("info: listening on 0.0.0.0:%u (epoll, edge-triggered)\n", ntohs(addr.sin_port));

	while (!exit_after || st.served < exit_after) {
		int n = epoll_wait(ep, events, MAX_EVENTS, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			printf("FAIL: epoll_wait: %s\n", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct echo_conn *c = events[i].data.ptr;

			if (events[i].data.ptr == &listener_tag)
				accept_all(ep, listener, &st);
			else if (!echo_drive(c))
				echo_finish(c, &st);
		}
	}
	printf("%s: served %" PRIu64 " connections (%" PRIu64 " accepted), echoed %" PRIu64
	       " bytes, %" PRIu64 " failed\n", st.failed ? "FAIL" : "ok", st.served, st.accepted,
	       st.echoed, st.failed);
	return st.failed ? 1 : 0;
}

/* ---- client ------------------------------------------------------------------------------ */

/* The pattern of connection `conn`: every 8-byte word is a splitmix64 of the connection and
 * of the word's offset, so a byte echoed on the wrong connection, twice, or out of place does
 * not match. */
static uint64_t pattern_word(uint64_t conn, uint64_t word)
{
	uint64_t z = (conn << 48) + word + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void pattern_fill(uint64_t conn, uint64_t offset, unsigned char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint64_t at = offset + i, word = pattern_word(conn, at >> 3);

		for (unsigned int b = (unsigned int)(at & 7); b < 8 && i < len; b++, i++)
			buf[i] = (unsigned char)(word >> (b * 8));
	}
}

struct client_conn {
	uint64_t index;
	int fd;
	bool connected, shut, done, failed;
	uint64_t sent, received;
	unsigned char out[CLIENT_CHUNK];
	size_t out_len, out_off;	/* the chunk being sent: out[out_off..out_len) */
};

static void client_fail(struct client_conn *c, const char *what, int err)
{
	printf("FAIL: connection %" PRIu64 ": %s%s%s (sent %" PRIu64 ", received %" PRIu64 ")\n",
	       c->index, what, err ? ": " : "", err ? strerror(err) : "", c->sent, c->received);
	c->failed = c->done = true;
}

/* Sends, then reads, each until EAGAIN (edge-triggered: the next event resumes both). */
static void client_drive(struct client_conn *c, uint64_t bytes)
{
	unsigned char in[BUF_SIZE], want[BUF_SIZE];

	if (!c->connected) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
			client_fail(c, "connect", err ? err : errno);
			return;
		}
		c->connected = true;
	}
	while (c->sent < bytes || c->out_off < c->out_len) {
		if (c->out_off == c->out_len) {
			uint64_t left = bytes - c->sent;

			c->out_len = left < sizeof(c->out) ? (size_t)left : sizeof(c->out);
			c->out_off = 0;
			pattern_fill(c->index, c->sent, c->out, c->out_len);
			c->sent += c->out_len;
		}
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		client_fail(c, "send", errno);
		return;
	}
	if (c->sent == bytes && c->out_off == c->out_len && !c->shut) {
		if (shutdown(c->fd, SHUT_WR)) {
			client_fail(c, "shutdown(SHUT_WR)", errno);
			return;
		}
		c->shut = true;
	}
	for (;;) {
		ssize_t n = recv(c->fd, in, sizeof(in), 0);

		if (n > 0) {
			if (c->received + (uint64_t)n > bytes) {
				client_fail(c, "more bytes echoed than sent", 0);
				return;
			}
			pattern_fill(c->index, c->received, want, (size_t)n);
			if (memcmp(in, want, (size_t)n)) {
				ssize_t i = 0;

				while (in[i] == want[i])
					i++;
				printf("FAIL: connection %" PRIu64 ": byte %" PRIu64
				       " is 0x%02x, sent 0x%02x\n", c->index, c->received + (uint64_t)i,
				       in[i], want[i]);
				c->failed = c->done = true;
				return;
			}
			c->received += (uint64_t)n;
			continue;
		}
		if (n == 0) {
			if (c->received != bytes)
				client_fail(c, "end of stream before the whole echo", 0);
			else if (!c->shut)
				client_fail(c, "end of stream before we ended ours", 0);
			else
				c->done = true;
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		client_fail(c, "recv", errno);
		return;
	}
}

static int client(const char *host, uint64_t port, uint64_t bytes, uint64_t count)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct epoll_event events[MAX_EVENTS];
	struct client_conn *conns;
	uint64_t left = count, failed = 0;
	double started = now(), seconds;
	int ep;

	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "yasmin-epoll-echo: not an IPv4 address: %s\n", host);
		return 2;
	}
	conns = calloc(count, sizeof(*conns));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || ep < 0) {
		printf("FAIL: setup: %s\n", strerror(errno));
		return 1;
	}
	for (uint64_t i = 0; i < count; i++) {
		struct client_conn *c = &conns[i];

		c->index = i;
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			client_fail(c, "socket", errno);
			continue;
		}
		if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			c->connected = true;
		else if (errno != EINPROGRESS) {
			client_fail(c, "connect", errno);
			continue;
		}
		if (epoll_add(ep, c->fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c)) {
			client_fail(c, "epoll_ctl", errno);
			continue;
		}
	}
	for (uint64_t i = 0; i < count; i++) {
		if (conns[i].done)
			left--;
	}
	while (left) {
		int n = epoll_wait(ep, events, MAX_EVENTS, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			printf("FAIL: epoll_wait: %s\n", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct client_conn *c = events[i].data.ptr;

			if (c->done)
				continue;
			client_drive(c, bytes);
			if (c->done) {
				left--;
				close(c->fd);
			}
		}
	}
	seconds = now() - started;
	for (uint64_t i = 0; i < count; i++)
		failed += conns[i].failed;
	if (failed) {
		printf("FAIL: %" PRIu64 " of %" PRIu64 " connections failed\n", failed, count);
		return 1;
	}
	printf("ok: %" PRIu64 " connections x %" PRIu64 " bytes echoed byte-exact in %.2f s"
	       " (%.1f MiB/s each way) bytes=%" PRIu64 "\n", count, bytes, seconds,
	       (double)(count * bytes) / (1 << 20) / (seconds > 0 ? seconds : 1e-9),
	       count * bytes);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: yasmin-epoll-echo serve PORT [--exit-after N]\n"
			"       yasmin-epoll-echo client HOST PORT BYTES [CONNECTIONS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *limit = getenv("YASMIN_EPOLL_ECHO_TIMEOUT");
	uint64_t port, bytes, count = 1, exit_after = 0, seconds = 300;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (limit && !parse_u64(limit, 86400, &seconds))
		return usage();
	signal(SIGALRM, on_alarm);
	alarm((unsigned int)seconds);
	if (argc >= 3 && strcmp(argv[1], "serve") == 0 && parse_u64(argv[2], 65535, &port)) {
		if (argc == 5 && strcmp(argv[3], "--exit-after") == 0 &&
		    parse_u64(argv[4], UINT32_MAX, &exit_after) && exit_after > 0)
			return serve(port, exit_after);
		if (argc == 3) {
			alarm(0);	/* a server without --exit-after runs until stopped */
			return serve(port, 0);
		}
		return usage();
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "client") == 0 &&
	    parse_u64(argv[3], 65535, &port) && parse_u64(argv[4], UINT64_MAX / 2, &bytes) &&
	    (argc == 5 || (parse_u64(argv[5], MAX_CLIENT_CONNECTIONS, &count) && count > 0)))
		return client(argv[2], port, bytes, count);
	return usage();
}
