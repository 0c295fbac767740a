// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin-vsock-test: exercises stream sockets the way applications use them, over AF_VSOCK
 * (any transport: vsock_loopback, yasmin) or, for comparison and for testing this program
 * itself, over TCP.  See usage() for the subcommands.
 *
 * A client subcommand talks to a running `serve`.  Each connection starts with a fixed-size
 * command header (struct cmd, 40 bytes, big-endian) that tells the server what to do on that
 * connection: echo, sink and report, send N bytes, hold the connection open, and so on
 * (enum op).  The bytes exchanged are a deterministic pseudo-random stream derived from a
 * seed (stream_word()), so either side can check every byte it receives without keeping a
 * copy, and both sides compute a checksum of what went each way.
 *
 * --type seqpacket runs the same over AF_VSOCK SOCK_SEQPACKET: the command header is one
 * message, the echo answers message by message, and `semantics` runs a suite of message
 * tests (boundaries, truncation, MSG_EOR, sizes) instead of the stream-only ones.
 *
 * Output: every check prints "ok: WHAT" or "FAIL: WHAT: DETAIL" ("info:" and "skip:" lines
 * report without judging); the exit status is 1 if anything failed, 2 for a bad command line.
 * Every wait has a timeout (socket timeouts, poll timeouts, and a global alarm), so a broken
 * transport makes this program fail, never hang.
 *
 * The expected results are those of Linux 6.1's af_vsock with the virtio-family transports
 * (vsock_loopback); where vsock deliberately behaves unlike TCP the check knows the family
 * and says so.  Lab only: never installed for users.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define EXIT_FAILED 1
#define EXIT_USAGE 2

#define CHUNK (64 * 1024)
/* Any single wait (connect, send, recv, poll) longer than this is a failure. */
#define DEFAULT_STALL_MS 30000
/* Server connections give up after this long without progress, so threads never pile up. */
#define SERVER_STALL_MS 300000
#define DEFAULT_CLIENT_TIMEOUT_S 600
/* Linux 6.1 af_vsock defaults (net/vmw_vsock/af_vsock.c). */
#define VSOCK_DEFAULT_BUFFER (256 * 1024)
#define VSOCK_DEFAULT_CONNECT_TIMEOUT_MS 2000

/* ---- options --------------------------------------------------------------------------- */

static int family = AF_VSOCK;
static unsigned int stall_ms = DEFAULT_STALL_MS;
static long refused_port = -1;
static uint64_t opt_seed = 0x79736d6e;	/* "ysmn" */
static bool opt_daemon;
static const char *opt_pidfile, *opt_logfile, *opt_portfile, *opt_bind;
static unsigned int opt_abort_after_ms;
static const char *opt_only;
static int sock_type = SOCK_STREAM;
static long cross_port = -1;
/* Bytes of a transport's own framing per seqpacket message: 0 for virtio, 8 for yasmin. */
static uint64_t opt_record_overhead;
static uint64_t opt_count = 1000, opt_bytes = 1000, opt_max = 100000, opt_hold_seconds;
static bool opt_allow_cap, opt_hold_seconds_given;

static const char *family_name(void)
{
	return family == AF_VSOCK ? "vsock" : "tcp";
}

static bool is_vsock(void)
{
	return family == AF_VSOCK;
}

static bool is_seqpacket(void)
{
	return sock_type == SOCK_SEQPACKET;
}

static const char *type_name(int type)
{
	return type == SOCK_SEQPACKET ? "seqpacket" : "stream";
}

/* ---- reporting ------------------------------------------------------------------------- */

static atomic_int checks_failed, checks_passed;
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static void vreport(const char *tag, const char *what, const char *fmt, va_list ap)
{
	char detail[1024] = "";

	if (fmt)
		vsnprintf(detail, sizeof(detail), fmt, ap);
	pthread_mutex_lock(&output_lock);
	if (what && fmt)
		printf("%s%s: %s\n", tag, what, detail);
	else
		printf("%s%s\n", tag, what ? what : detail);
	fflush(stdout);
	pthread_mutex_unlock(&output_lock);
}

__attribute__((format(printf, 1, 2))) static void ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("ok: ", NULL, fmt, ap);
	va_end(ap);
	atomic_fetch_add(&checks_passed, 1);
}

__attribute__((format(printf, 2, 3))) static void fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("FAIL: ", what, fmt, ap);
	va_end(ap);
	atomic_fetch_add(&checks_failed, 1);
}

__attribute__((format(printf, 1, 2))) static void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("info: ", NULL, fmt, ap);
	va_end(ap);
}

/* check(COND, WHAT, DETAIL...): "ok: WHAT" or "FAIL: WHAT: DETAIL"; returns COND. */
__attribute__((format(printf, 3, 4))) static bool check(bool cond, const char *what,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cond) {
		vreport("ok: ", what, NULL, ap);
		atomic_fetch_add(&checks_passed, 1);
	} else {
		vreport("FAIL: ", what, fmt, ap);
		atomic_fetch_add(&checks_failed, 1);
	}
	va_end(ap);
	return cond;
}

static const char *errname(int err);

/* check() of a call that returns 0 or -1 with errno: errno is read after the call returned
 * (in check()'s own arguments, the order of evaluation is unspecified). */
static bool check_zero(int rc, const char *what)
{
	int err = errno;

	return check(rc == 0, what, "%s", errname(err));
}

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

/* "3 bytes", "-1 ECONNRESET": what a send/recv call returned, for failure details. */
static const char *result_str(ssize_t ret, int err)
{
	static __thread char buf[64];

	if (ret < 0)
		snprintf(buf, sizeof(buf), "-1 %s", errname(err));
	else
		snprintf(buf, sizeof(buf), "%zd", ret);
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: timeout: the whole run took longer than --timeout\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to report to */
	}
	_exit(EXIT_FAILED);
}

/* ---- the data stream and its checksum -------------------------------------------------- */

/*
 * Byte OFFSET of the stream for SEED is byte OFFSET % 8 of stream_word(SEED, OFFSET / 8),
 * little-endian: a counter-based generator (splitmix64), so any part of the stream can be
 * regenerated at any time.
 */
static inline uint64_t stream_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void stream_fill(uint64_t seed, uint64_t offset, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t word = htole64(stream_word(seed, offset / 8));
		size_t skip = offset % 8, n = 8 - skip;

		if (n > len)
			n = len;
		if (n == 8)
			memcpy(p, &word, 8);	/* the common, aligned case: one store */
		else
			memcpy(p, (unsigned char *)&word + skip, n);
		p += n;
		offset += n;
		len -= n;
	}
}

/* The seed of the server-to-client direction, given the client-to-server one. */
static uint64_t reverse_seed(uint64_t seed)
{
	return seed ^ 0xa5a5a5a55a5a5a5aULL;
}

/*
 * A checksum that does not depend on how the stream was cut into send/recv calls:
 * FNV-1a over little-endian 64-bit words, then the length.  Not a CRC: software CRC32C
 * costs several times more CPU, which under TCG emulation would dominate the measurement;
 * every received byte is compared with the regenerated stream anyway, so this is only the
 * end-to-end cross-check between the two ends' accounts of each direction.
 */
struct csum {
	uint64_t hash, len;
	unsigned char part[8];
	unsigned int fill;
};

static void csum_init(struct csum *c)
{
	memset(c, 0, sizeof(*c));
	c->hash = 0xcbf29ce484222325ULL;
}

#define FNV_PRIME 0x100000001b3ULL

static inline void csum_word(struct csum *c, uint64_t word)
{
	c->hash = (c->hash ^ word) * FNV_PRIME;
}

static void csum_update(struct csum *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t word;

	c->len += len;
	while (c->fill && len) {
		c->part[c->fill++] = *p++;
		len--;
		if (c->fill == 8) {
			memcpy(&word, c->part, 8);
			csum_word(c, le64toh(word));
			c->fill = 0;
		}
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&word, p, 8);
		csum_word(c, le64toh(word));
	}
	while (len--)
		c->part[c->fill++] = *p++;
}

static uint64_t csum_final(const struct csum *c)
{
	struct csum t = *c;
	uint64_t word;

	if (t.fill) {
		memset(t.part + t.fill, 0, 8 - t.fill);
		memcpy(&word, t.part, 8);
		csum_word(&t, le64toh(word));
	}
	csum_word(&t, t.len);
	return t.hash;
}

/* Checks received bytes against the stream as they arrive, and checksums them. */
#define NO_MISMATCH UINT64_MAX
struct verifier {
	uint64_t seed, offset, mismatch;	/* first bad stream offset, or NO_MISMATCH */
	struct csum csum;
	unsigned char expect[CHUNK];
};

static void verifier_init(struct verifier *v, uint64_t seed)
{
	v->seed = seed;
	v->offset = 0;
	v->mismatch = NO_MISMATCH;
	csum_init(&v->csum);
}

/* Offset of the first byte of DATA that differs from the stream at OFFSET, or NO_MISMATCH. */
static uint64_t stream_compare(uint64_t seed, uint64_t offset, const unsigned char *data,
			       size_t len, unsigned char *scratch)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK, i = 0;

		stream_fill(seed, offset + done, scratch, n);
		if (memcmp(data + done, scratch, n)) {
			while (data[done + i] == scratch[i])
				i++;
			return offset + done + i;
		}
		done += n;
	}
	return NO_MISMATCH;
}

static void verify_bytes(struct verifier *v, const unsigned char *data, size_t len)
{
	csum_update(&v->csum, data, len);
	if (v->mismatch == NO_MISMATCH)
		v->mismatch = stream_compare(v->seed, v->offset, data, len, v->expect);
	v->offset += len;
}

/*
 * The receiving hot path, one pass over the data: whole words of the stream are compared
 * with the generator and checksummed in the same loop (under TCG emulation every pass over
 * the data costs as much as the transport itself).  The checksum's word boundaries are the
 * stream's, so at a word-aligned offset it holds no partial word.
 */
static void verify(struct verifier *v, const unsigned char *data, size_t len)
{
	size_t head = (8 - v->offset % 8) % 8, words;
	uint64_t index, hash;

	if (head > len)
		head = len;
	verify_bytes(v, data, head);
	data += head;
	len -= head;
	words = len / 8;
	index = v->offset / 8;
	hash = v->csum.hash;
	for (size_t i = 0; i < words; i++) {
		uint64_t word, expected = stream_word(v->seed, index + i);

		memcpy(&word, data + i * 8, 8);
		word = le64toh(word);
		if (word != expected && v->mismatch == NO_MISMATCH)
			v->mismatch = (index + i) * 8 + (uint64_t)__builtin_ctzll(word ^ expected) / 8;
		hash = (hash ^ word) * FNV_PRIME;
	}
	v->csum.hash = hash;
	v->csum.len += words * 8;
	v->offset += words * 8;
	verify_bytes(v, data + words * 8, len - words * 8);
}

/* ---- addresses and sockets ------------------------------------------------------------- */

struct endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_vm vm;
		struct sockaddr_in in;
	} u;
	socklen_t len;
};

static bool parse_u32(const char *text, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || *text == '\0' || *end != '\0' || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* HOST is a CID (vsock) or an IPv4 address (tcp); port 0 means "any" when binding. */
static bool endpoint_make(struct endpoint *ep, const char *host, uint32_t port)
{
	memset(ep, 0, sizeof(*ep));
	if (is_vsock()) {
		uint32_t cid = VMADDR_CID_ANY;

		if (host && !parse_u32(host, &cid))
			return false;
		ep->u.vm.svm_family = AF_VSOCK;
		ep->u.vm.svm_cid = cid;
		ep->u.vm.svm_port = port;
		ep->len = sizeof(ep->u.vm);
		return true;
	}
	if (port > 65535)
		return false;
	ep->u.in.sin_family = AF_INET;
	ep->u.in.sin_port = htons((uint16_t)port);
	ep->len = sizeof(ep->u.in);
	if (!host)
		return true;	/* INADDR_ANY */
	return inet_pton(AF_INET, host, &ep->u.in.sin_addr) == 1;
}

static uint32_t endpoint_port(const struct endpoint *ep)
{
	return is_vsock() ? ep->u.vm.svm_port : ntohs(ep->u.in.sin_port);
}

static void endpoint_set_port(struct endpoint *ep, uint32_t port)
{
	if (is_vsock())
		ep->u.vm.svm_port = port;
	else
		ep->u.in.sin_port = htons((uint16_t)port);
}

static const char *endpoint_str(const struct endpoint *ep)
{
	static __thread char buf[64];
	char ip[INET_ADDRSTRLEN];

	if (is_vsock())
		snprintf(buf, sizeof(buf), "vsock %" PRIu32 ":%" PRIu32, ep->u.vm.svm_cid,
			 ep->u.vm.svm_port);
	else
		snprintf(buf, sizeof(buf), "tcp %s:%u",
			 inet_ntop(AF_INET, &ep->u.in.sin_addr, ip, sizeof(ip)),
			 ntohs(ep->u.in.sin_port));
	return buf;
}

static void set_timeouts(int fd, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int set_vsock_connect_timeout(int fd, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv));
}

static void set_nonblocking(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

/* A socket of TYPE (SOCK_STREAM or, vsock only, SOCK_SEQPACKET) with this program's timeouts. */
static int new_typed_socket(int type, int extra_type)
{
	int fd = socket(family, type | SOCK_CLOEXEC | extra_type, 0);

	if (fd < 0)
		return -1;
	set_timeouts(fd, stall_ms);
	if (is_vsock()) {
		/* af_vsock's default connect timeout is 2 s; a TCG-emulated lab can be slower
		 * than that to set up a first connection, and this program's stall limit is
		 * the one that matters. */
		set_vsock_connect_timeout(fd, stall_ms);
	} else {
		int one = 1;

		/* Small messages (rr, pieces) go out at once, as over vsock. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

/* A socket of the type chosen with --type. */
static int new_socket(int extra_type)
{
	return new_typed_socket(sock_type, extra_type);
}

/* A connected socket, or -1 with errno set. */
static int connect_to(const struct endpoint *ep)
{
	int fd = new_socket(0), err;

	if (fd < 0)
		return -1;
	if (connect(fd, &ep->u.sa, ep->len) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int socket_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return err;
}

static short poll_one(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n > 0 ? pfd.revents : 0;
}

/*
 * poll_one() for a state change the peer causes (its shutdown or close).  6.1's vsock_poll()
 * reads the shutdown bits for POLLHUP/POLLRDHUP before it takes the socket lock and those
 * for POLLIN after: a shutdown handled in between wakes the poller with POLLIN alone.  Once
 * woken, a second look sees the settled state; an application would simply poll again.
 */
static short poll_settled(int fd, short events, int timeout_ms)
{
	return poll_one(fd, events, timeout_ms) ? poll_one(fd, events, 0) : 0;
}

static const char *poll_str(short revents)
{
	static __thread char buf[96];

	snprintf(buf, sizeof(buf), "%s%s%s%s%s%s", revents ? "" : "(none)",
		 revents & POLLIN ? "POLLIN " : "", revents & POLLOUT ? "POLLOUT " : "",
		 revents & POLLRDHUP ? "POLLRDHUP " : "", revents & POLLHUP ? "POLLHUP " : "",
		 revents & POLLERR ? "POLLERR " : "");
	return buf;
}

/* ---- plain I/O helpers ----------------------------------------------------------------- */

/* Sends all of BUF (blocking, or polling for room on a non-blocking socket): LEN or -1. */
static ssize_t send_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, p + done, len - done, MSG_NOSIGNAL);

		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if (!(poll_one(fd, POLLOUT, (int)stall_ms) & (POLLOUT | POLLERR | POLLHUP)))
				return -1;	/* errno is still EAGAIN: stalled */
		} else {
			return -1;
		}
	}
	return (ssize_t)done;
}

/* Receives LEN bytes: LEN, fewer at EOF, or -1 (EAGAIN: nothing for the stall time). */
static ssize_t recv_all(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(fd, p + done, len - done, 0);

		if (n > 0)
			done += (size_t)n;
		else if (n == 0)
			break;
		else if (errno == EINTR)
			continue;
		else if (errno == EAGAIN && (fcntl(fd, F_GETFL) & O_NONBLOCK)) {
			if (!poll_one(fd, POLLIN, (int)stall_ms))
				return -1;
		} else
			return -1;
	}
	return (ssize_t)done;
}

/* recvmsg into one buffer: the length returned (or -1), and the message's flags in MSG_FLAGS. */
static ssize_t recv_msg(int fd, void *buf, size_t len, int flags, int *msg_flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(fd, &msg, flags);
	while (n < 0 && errno == EINTR);
	*msg_flags = n < 0 ? 0 : msg.msg_flags;
	return n;
}

/*
 * Raises RLIMIT_NOFILE to NEED: the hard limit too where allowed (root, as in the lab, whose
 * agent starts commands with 1024/4096), else as far as the hard limit goes.
 */
static void raise_nofile(unsigned long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit both = { .rlim_cur = need, .rlim_max = need };

		if (setrlimit(RLIMIT_NOFILE, &both) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* stream_fill, and the checksum of what it wrote (if CSUM) in the same pass when aligned. */
static void stream_fill_csum(uint64_t seed, uint64_t offset, unsigned char *buf, size_t len,
			     struct csum *csum)
{
	size_t words = len / 8;
	uint64_t hash;

	if (!csum || offset % 8 || csum->fill) {
		stream_fill(seed, offset, buf, len);
		if (csum)
			csum_update(csum, buf, len);
		return;
	}
	hash = csum->hash;
	for (size_t i = 0; i < words; i++) {
		uint64_t word = stream_word(seed, offset / 8 + i), le = htole64(word);

		memcpy(buf + i * 8, &le, 8);
		hash = (hash ^ word) * FNV_PRIME;
	}
	csum->hash = hash;
	csum->len += words * 8;
	stream_fill(seed, offset + words * 8, buf + words * 8, len - words * 8);
	csum_update(csum, buf + words * 8, len - words * 8);
}

/*
 * Sends LEN bytes of the stream SEED from OFFSET, checksumming them into CSUM and counting
 * them in SENT if given.
 */
static int send_stream(int fd, uint64_t seed, uint64_t offset, uint64_t len, struct csum *csum,
		       _Atomic uint64_t *sent)
{
	unsigned char *buf = malloc(CHUNK * 2);
	int rc = 0;

	if (!buf)
		return -1;
	while (len) {
		size_t n = len < CHUNK * 2 ? (size_t)len : CHUNK * 2;

		stream_fill_csum(seed, offset, buf, n, csum);
		if (send_all(fd, buf, n) < 0) {
			rc = -1;
			break;
		}
		if (sent)
			atomic_fetch_add(sent, n);
		offset += n;
		len -= n;
	}
	free(buf);
	return rc;
}

/*
 * Receives LEN bytes into the verifier: 0, or -1 with errno (ENODATA: EOF came first).
 * With SENT (the other direction's count), prints both every 10 s: a slow transport and a
 * stuck one look different in the log.
 */
static int recv_stream(int fd, struct verifier *v, uint64_t len, _Atomic uint64_t *sent)
{
	unsigned char *buf = malloc(CHUNK * 2);
	double started = now(), next_report = started + 10;
	int rc = 0;

	if (!buf)
		return -1;
	while (len) {
		ssize_t n = recv(fd, buf, len < CHUNK * 2 ? (size_t)len : CHUNK * 2, 0);

		if (sent && now() >= next_report) {
			printf("stream: after %.0f s: received %" PRIu64 " bytes, sent %" PRIu64 "\n",
			       now() - started, v->offset, atomic_load(sent));
			next_report += 10;
		}
		if (n > 0) {
			verify(v, buf, (size_t)n);
			len -= (uint64_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n == 0)
				errno = ENODATA;
			rc = -1;
			break;
		}
	}
	free(buf);
	return rc;
}

/* Reads and discards until EOF or an error (or the socket's receive timeout). */
static void drain_until_eof(int fd)
{
	char buf[CHUNK];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR))
		;
}

/*
 * Waits until WANT bytes (at most CHUNK) can be read without consuming them: the count
 * available (possibly less after TIMEOUT_MS), 0 at EOF, -1 on error.
 */
static ssize_t wait_available(int fd, size_t want, int timeout_ms)
{
	static unsigned char scratch[CHUNK];	/* client tests: one thread */
	double deadline = now() + timeout_ms / 1000.0;

	for (;;) {
		ssize_t n = recv(fd, scratch, want, MSG_PEEK | MSG_DONTWAIT);

		if (n >= (ssize_t)want || n == 0)
			return n;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (now() > deadline)
			return n < 0 ? 0 : n;
		/* POLLIN stays set once some data is there, so poll alone would spin. */
		if (n > 0)
			sleep_ms(10);
		else
			poll_one(fd, POLLIN, 100);
	}
}

/* ---- the command protocol -------------------------------------------------------------- */

enum op {
	OP_ECHO = 1,	/* send back everything (seqpacket: message by message), close at EOF.
			 * b != 0 (vsock): first set the socket's buffer size to b and send
			 * one byte 'R', after which the client's side knows the new size */
	OP_SINK,	/* a: ms to wait before reading; b: 1 = no checksum.  Read to EOF, then
			 * send a report {bytes, checksum}, close */
	OP_SOURCE,	/* send a bytes of stream(seed) from its offset b, then read to EOF,
			 * close (b: where a reconnecting client resumes) */
	OP_STREAM,	/* a bytes each way at once (c2s: seed, s2c: reverse_seed), then a
			 * trailer with the server's account, read to EOF, close */
	OP_HOLD,	/* neither read nor write until the peer shuts down its sending side
			 * (a: at most this many ms, 0 = 10 minutes), close */
	OP_CLOSE,	/* close at once */
	OP_SEND_SHUTWR,	/* send a bytes, shutdown(SHUT_WR), read to EOF, close */
	OP_SLEEP_SEND,	/* sleep a ms, send b bytes, read to EOF, close */
	OP_PIECES,	/* a pieces of b bytes, sleeping c ms before each; read to EOF, close */
	OP_SEND_CLOSE,	/* send a bytes, close */
	OP_SHUT_RD,	/* shutdown(SHUT_RD), send 'Y' if recv then returns 0 (else 'N'),
			 * stay open for a ms, close */
	OP_FILL,	/* vsock: b != 0 sets the server socket's buffer size to b; send
			 * without blocking until no room appears for 300 ms, then hold as
			 * OP_HOLD (a) */
	OP_ABORT,	/* after a ms, close with SO_LINGER 0 (TCP: reset) */
	OP_MSG_SOURCE,	/* seqpacket: send the messages of msg_sets[a], message I with MSG_EOR
			 * if bit I of c is set; read to EOF, close */
	OP_MSG_REPORT,	/* seqpacket: answer every message with a report message {length,
			 * flags (MSG_EOR, MSG_TRUNC), checksum}; close at EOF */
	OP_PARK,	/* send 'P', then hand the connection to the server's parking thread,
			 * which closes it once the peer shuts down its sending side: no
			 * thread per connection, so that only the transport limits how many */
	OP_MAX
};

/*
 * The message sequences of OP_MSG_SOURCE, known to both ends: message I of a set is
 * sizes[I] bytes of the stream for seed + I.  Every size is at most the default vsock
 * buffer, so that any message fits into the receiver's buffer.
 */
enum { MSG_SET_BOUNDARIES, MSG_SET_TRUNC, MSG_SET_SMALL };

static const uint32_t msg_sizes_boundaries[] = { 1,     7,     100,    1000, 4096,   4097,
						 65536, 65537, 100000, 3,    200000, 2 };
static const uint32_t msg_sizes_trunc[] = { 1000, 50, 1000, 30 };
static const uint32_t msg_sizes_small[] = { 10, 20, 30, 40 };

static const struct msg_set {
	const uint32_t *sizes;
	size_t count;
} msg_sets[] = {
	[MSG_SET_BOUNDARIES] = { msg_sizes_boundaries, sizeof(msg_sizes_boundaries) / sizeof(uint32_t) },
	[MSG_SET_TRUNC] = { msg_sizes_trunc, sizeof(msg_sizes_trunc) / sizeof(uint32_t) },
	[MSG_SET_SMALL] = { msg_sizes_small, sizeof(msg_sizes_small) / sizeof(uint32_t) },
};
#define NR_MSG_SETS (sizeof(msg_sets) / sizeof(msg_sets[0]))

/* The largest seqpacket message the tests send: the largest buffer size they set. */
#define SEQ_MAX_MSG (1 << 20)
#define MSG_REPORT_SIZE 24

struct cmd {
	uint32_t op;
	uint64_t a, b, c, seed;
};

#define CMD_MAGIC 0x59565431u	/* "YVT1" */
#define CMD_SIZE 40
#define SINK_REPORT_SIZE 16
#define TRAILER_MAGIC 0x5956545452414c52ULL	/* "YVTTRALR" */
#define TRAILER_SIZE 40
#define HOLD_DEFAULT_MS (10 * 60 * 1000)
/* Enough for 1000+ connections to arrive faster than they are accepted. */
#define LISTEN_BACKLOG 1024
/* The server's descriptors: every connection of a scale test, and some. */
#define SERVE_NOFILE 65536

static void put_be32(unsigned char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void put_be64(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static uint32_t get_be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static int send_cmd(int fd, const struct cmd *c)
{
	unsigned char buf[CMD_SIZE];

	put_be32(buf, CMD_MAGIC);
	put_be32(buf + 4, c->op);
	put_be64(buf + 8, c->a);
	put_be64(buf + 16, c->b);
	put_be64(buf + 24, c->c);
	put_be64(buf + 32, c->seed);
	return send_all(fd, buf, sizeof(buf)) < 0 ? -1 : 0;
}

static int recv_cmd(int fd, struct cmd *c)
{
	unsigned char buf[CMD_SIZE];

	if (recv_all(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || get_be32(buf) != CMD_MAGIC)
		return -1;
	c->op = get_be32(buf + 4);
	c->a = get_be64(buf + 8);
	c->b = get_be64(buf + 16);
	c->c = get_be64(buf + 24);
	c->seed = get_be64(buf + 32);
	return c->op > 0 && c->op < OP_MAX ? 0 : -1;
}

/* Connects and sends the command: the socket, or -1 with errno set. */
static int open_cmd(const struct endpoint *ep, struct cmd c)
{
	int fd = connect_to(ep), err;

	if (fd < 0)
		return -1;
	if (send_cmd(fd, &c) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* ---- server ---------------------------------------------------------------------------- */

__attribute__((format(printf, 1, 2))) static void server_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("serve: ", NULL, fmt, ap);
	va_end(ap);
}

/* vsock: SO_VM_SOCKETS_BUFFER_SIZE (the maximum first, or the size would be clamped to it). */
static int set_buffer_size(int fd, uint64_t size)
{
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &size, sizeof(size)))
		return -1;
	return setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, sizeof(size));
}

/*
 * 16 KiB, not CHUNK: a scale test has 1000 echo threads at once in a 256 MiB guest, and the
 * buffer's pages stay with each thread.
 */
#define ECHO_BUF (16 * 1024)

static void serve_stream_echo(int fd)
{
	char buf[ECHO_BUF];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && send_all(fd, buf, (size_t)n) < 0)
			break;
}

/* Each message back as one message, with MSG_EOR if it came with MSG_EOR. */
static void serve_msg_echo(int fd)
{
	unsigned char *buf = malloc(SEQ_MAX_MSG);
	int msg_flags;
	ssize_t n;

	while (buf && (n = recv_msg(fd, buf, SEQ_MAX_MSG, 0, &msg_flags)) > 0) {
		if (msg_flags & MSG_TRUNC) {
			server_log("echo: a message longer than %d bytes", SEQ_MAX_MSG);
			break;
		}
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL | (msg_flags & MSG_EOR)) != n) {
			server_log("echo: sending a %zd-byte message: %s", n, errname(errno));
			break;
		}
	}
	free(buf);
}

static void serve_echo(int fd, const struct cmd *c)
{
	if (is_vsock() && c->b) {
		if (set_buffer_size(fd, c->b)) {
			server_log("echo: buffer size %" PRIu64 ": %s", c->b, errname(errno));
			return;
		}
		if (send_all(fd, "R", 1) != 1)
			return;
	}
	if (is_seqpacket())
		serve_msg_echo(fd);
	else
		serve_stream_echo(fd);
}

static void serve_msg_source(int fd, const struct cmd *c)
{
	const struct msg_set *set = c->a < NR_MSG_SETS ? &msg_sets[c->a] : NULL;
	unsigned char *buf = malloc(VSOCK_DEFAULT_BUFFER);

	for (size_t i = 0; buf && set && i < set->count; i++) {
		int eor = i < 64 && (c->c >> i) & 1 ? MSG_EOR : 0;
		ssize_t n;

		stream_fill(c->seed + i, 0, buf, set->sizes[i]);
		n = send(fd, buf, set->sizes[i], MSG_NOSIGNAL | eor);
		if (n != (ssize_t)set->sizes[i]) {
			server_log("msg-source: message %zu of %" PRIu32 " bytes: sent %s", i,
				   set->sizes[i], result_str(n, errno));
			break;
		}
	}
	free(buf);
	drain_until_eof(fd);
}

static void serve_msg_report(int fd)
{
	unsigned char *buf = malloc(SEQ_MAX_MSG), report[MSG_REPORT_SIZE];
	struct csum csum;
	int msg_flags;
	ssize_t n;

	while (buf && (n = recv_msg(fd, buf, SEQ_MAX_MSG, 0, &msg_flags)) > 0) {
		csum_init(&csum);
		csum_update(&csum, buf, (size_t)n);
		put_be64(report, (uint64_t)n);
		put_be64(report + 8, (uint64_t)(msg_flags & (MSG_EOR | MSG_TRUNC)));
		put_be64(report + 16, csum_final(&csum));
		if (send_all(fd, report, sizeof(report)) != (ssize_t)sizeof(report))
			break;
	}
	free(buf);
}

/* ---- the parking thread: connections held without a thread each ----------------------- */

static int park_epoll = -1;

static void *park_main(void *arg)
{
	struct epoll_event events[64];

	(void)arg;
	for (;;) {
		int n = epoll_wait(park_epoll, events, 64, -1);

		for (int i = 0; i < n; i++) {
			epoll_ctl(park_epoll, EPOLL_CTL_DEL, events[i].data.fd, NULL);
			close(events[i].data.fd);
		}
	}
	return NULL;
}

static int park_start(void)
{
	pthread_t thread;

	park_epoll = epoll_create1(EPOLL_CLOEXEC);
	if (park_epoll < 0 || pthread_create(&thread, NULL, park_main, NULL))
		return -1;
	pthread_detach(thread);
	return 0;
}

/*
 * 'P' tells the client the connection was accepted and parked.  EPOLLRDHUP is level-triggered:
 * a peer that closed before the epoll_ctl is still seen.  False: the caller closes FD.
 */
static bool serve_park(int fd)
{
	struct epoll_event ev = { .events = EPOLLRDHUP, .data.fd = fd };

	return send_all(fd, "P", 1) == 1 && epoll_ctl(park_epoll, EPOLL_CTL_ADD, fd, &ev) == 0;
}

static void serve_sink(int fd, const struct cmd *c)
{
	unsigned char buf[CHUNK], report[SINK_REPORT_SIZE];
	struct csum csum;
	uint64_t total = 0;
	ssize_t n;

	csum_init(&csum);
	sleep_ms((unsigned int)c->a);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0 || (n < 0 && errno == EINTR)) {
		if (n <= 0)
			continue;
		total += (uint64_t)n;
		if (c->b != 1)
			csum_update(&csum, buf, (size_t)n);
	}
	if (n < 0) {
		server_log("sink: recv failed after %" PRIu64 " bytes: %s", total, errname(errno));
		return;
	}
	put_be64(report, total);
	put_be64(report + 8, csum_final(&csum));
	send_all(fd, report, sizeof(report));
}

/* Waits for the peer to shut down its sending side (close or SHUT_WR) without reading. */
static void serve_hold(int fd, uint64_t ms)
{
	poll_one(fd, POLLRDHUP, ms ? (int)ms : HOLD_DEFAULT_MS);
}

struct stream_sender {
	int fd, err;
	uint64_t seed, bytes;
	_Atomic uint64_t sent;
	struct csum csum;
};

static void *stream_sender_main(void *arg)
{
	struct stream_sender *s = arg;

	csum_init(&s->csum);
	s->err = send_stream(s->fd, s->seed, 0, s->bytes, &s->csum, &s->sent) ? errno : 0;
	return NULL;
}

static void serve_stream(int fd, const struct cmd *c)
{
	struct stream_sender sender = { .fd = fd, .seed = reverse_seed(c->seed), .bytes = c->a };
	struct verifier *v = malloc(sizeof(*v));
	unsigned char trailer[TRAILER_SIZE];
	pthread_t thread;

	if (!v || pthread_create(&thread, NULL, stream_sender_main, &sender)) {
		free(v);
		return;
	}
	verifier_init(v, c->seed);
	if (recv_stream(fd, v, c->a, NULL))
		server_log("stream: receiving failed after %" PRIu64 " of %" PRIu64 " bytes: %s",
			   v->offset, c->a, errname(errno));
	pthread_join(thread, NULL);
	if (sender.err)
		server_log("stream: sending failed: %s", errname(sender.err));
	if (v->mismatch != NO_MISMATCH)
		server_log("stream: received data differs at offset %" PRIu64, v->mismatch);
	put_be64(trailer, TRAILER_MAGIC);
	put_be64(trailer + 8, v->offset);
	put_be64(trailer + 16, csum_final(&v->csum));
	put_be64(trailer + 24, csum_final(&sender.csum));
	put_be64(trailer + 32, v->mismatch);
	if (send_all(fd, trailer, sizeof(trailer)) == (ssize_t)sizeof(trailer))
		drain_until_eof(fd);
	free(v);
}

static void serve_shut_rd(int fd, const struct cmd *c)
{
	char byte;
	ssize_t n;

	shutdown(fd, SHUT_RD);
	n = recv(fd, &byte, 1, MSG_DONTWAIT);
	byte = n == 0 ? 'Y' : 'N';
	if (n != 0)
		server_log("shut-rd: recv after SHUT_RD returned %s", result_str(n, errno));
	send_all(fd, &byte, 1);
	sleep_ms((unsigned int)c->a);
}

static void serve_fill(int fd, const struct cmd *c)
{
	static const unsigned char zeros[CHUNK];
	uint64_t total = 0;

	if (is_vsock() && c->b) {
		uint64_t size = c->b;

		setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &size, sizeof(size));
		setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, sizeof(size));
	}

	for (;;) {
		ssize_t n = send(fd, zeros, sizeof(zeros), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			total += (uint64_t)n;
		else if (n < 0 && errno == EAGAIN) {
			if (!(poll_one(fd, POLLOUT, 300) & POLLOUT))
				break;
		} else if (!(n < 0 && errno == EINTR))
			break;
	}
	server_log("fill: the peer's buffer took %" PRIu64 " bytes", total);
	serve_hold(fd, c->a);
}

static void *serve_connection(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct cmd c;

	set_timeouts(fd, SERVER_STALL_MS);
	if (recv_cmd(fd, &c)) {
		server_log("connection without a valid command header");
		close(fd);
		return NULL;
	}
	switch ((enum op)c.op) {
	case OP_ECHO:
		serve_echo(fd, &c);
		break;
	case OP_SINK:
		serve_sink(fd, &c);
		break;
	case OP_SOURCE:
		if (send_stream(fd, c.seed, c.b, c.a, NULL, NULL) == 0)
			drain_until_eof(fd);
		break;
	case OP_STREAM:
		serve_stream(fd, &c);
		break;
	case OP_HOLD:
		serve_hold(fd, c.a);
		break;
	case OP_CLOSE:
		break;
	case OP_SEND_SHUTWR:
		if (send_stream(fd, c.seed, 0, c.a, NULL, NULL) == 0 && shutdown(fd, SHUT_WR) == 0)
			drain_until_eof(fd);
		break;
	case OP_SLEEP_SEND:
		sleep_ms((unsigned int)c.a);
		if (send_stream(fd, c.seed, 0, c.b, NULL, NULL) == 0)
			drain_until_eof(fd);
		break;
	case OP_PIECES:
		for (uint64_t i = 0; i < c.a; i++) {
			sleep_ms((unsigned int)c.c);
			if (send_stream(fd, c.seed, i * c.b, c.b, NULL, NULL))
				break;
		}
		drain_until_eof(fd);
		break;
	case OP_SEND_CLOSE:
		send_stream(fd, c.seed, 0, c.a, NULL, NULL);
		break;
	case OP_SHUT_RD:
		serve_shut_rd(fd, &c);
		break;
	case OP_FILL:
		serve_fill(fd, &c);
		break;
	case OP_ABORT: {
		struct linger abortive = { .l_onoff = 1, .l_linger = 0 };

		sleep_ms((unsigned int)c.a);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
		break;
	}
	case OP_MSG_SOURCE:
		serve_msg_source(fd, &c);
		break;
	case OP_MSG_REPORT:
		serve_msg_report(fd);
		break;
	case OP_PARK:
		if (serve_park(fd))
			return NULL;	/* the parking thread closes it */
		break;
	case OP_MAX:
		break;
	}
	close(fd);
	return NULL;
}

static int write_file(const char *path, long value)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "%ld\n", value);
	return fclose(f);
}

/* Detaches from the caller (the lab agent waits for its pipes to close) and logs to a file. */
static int daemonize(void)
{
	pid_t child = fork();
	int fd;

	if (child < 0)
		return -1;
	if (child > 0) {
		/* The pid file exists by the time the caller's command returns. */
		if (opt_pidfile && write_file(opt_pidfile, child)) {
			perror("yasmin-vsock-test: pid file");
			kill(child, SIGTERM);
			_exit(EXIT_FAILED);
		}
		_exit(0);
	}
	setsid();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(opt_logfile ? opt_logfile : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return 0;
}

static int cmd_serve(uint32_t port)
{
	struct endpoint ep;
	socklen_t len;
	pthread_attr_t attr;
	int listener, one = 1;

	if (!endpoint_make(&ep, is_vsock() ? NULL : opt_bind, port)) {
		fprintf(stderr, "yasmin-vsock-test: bad bind address or port\n");
		return EXIT_USAGE;
	}
	if (is_vsock() && port == 0)
		ep.u.vm.svm_port = VMADDR_PORT_ANY;
	raise_nofile(SERVE_NOFILE);
	listener = socket(family, sock_type | SOCK_CLOEXEC, 0);
	if (listener < 0 ||
	    (!is_vsock() && setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
	    bind(listener, &ep.u.sa, ep.len) || listen(listener, LISTEN_BACKLOG)) {
		fprintf(stderr, "yasmin-vsock-test: cannot listen on %s: %s\n", endpoint_str(&ep),
			strerror(errno));
		return EXIT_FAILED;
	}
	len = ep.len;
	getsockname(listener, &ep.u.sa, &len);
	printf("serve: listening on %s (%s)\n", endpoint_str(&ep), type_name(sock_type));
	if (opt_portfile && write_file(opt_portfile, endpoint_port(&ep))) {
		perror("yasmin-vsock-test: port file");
		return EXIT_FAILED;
	}
	if (opt_daemon && daemonize()) {
		perror("yasmin-vsock-test: fork");
		return EXIT_FAILED;
	}
	/* After daemonize(): threads do not survive fork. */
	if (park_start()) {
		perror("yasmin-vsock-test: parking thread");
		return EXIT_FAILED;
	}
	/* 1000+ concurrent connections, each a thread that needs little stack. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		pthread_t thread;

		if (fd < 0) {
			if (errno != EINTR) {
				server_log("accept: %s", errname(errno));
				sleep_ms(100);
			}
			continue;
		}
		if (!is_vsock())
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		/*
		 * EAGAIN: the guest's task limit (kernel.threads-max, 1050 in 256 MiB; the scale
		 * scenario raises it) or memory, reached for a moment while the threads of closed
		 * connections still exit.  Wait rather than drop the connection, whose client
		 * would report a transport failure that is not one.
		 */
		for (int tries = 0;; tries++) {
			int err = pthread_create(&thread, &attr, serve_connection,
						 (void *)(intptr_t)fd);

			if (!err)
				break;
			if (err != EAGAIN || tries == 100) {
				server_log("no thread for a new connection: %s", errname(err));
				close(fd);
				break;
			}
			sleep_ms(20);
		}
	}
}

/* ---- semantics: one function per behaviour --------------------------------------------- */

static struct endpoint server_ep, refused_ep;

/* Connects with the command; reports a failure under WHAT and returns -1 if it fails. */
static int open_or_fail(const char *what, struct cmd c)
{
	int fd = open_cmd(&server_ep, c);

	if (fd < 0)
		fail(what, "connecting to %s: %s", endpoint_str(&server_ep), errname(errno));
	return fd;
}

/* One small round trip through an echo connection. */
static bool echo_round_trip(int fd, const char *what)
{
	char reply[5] = "";
	ssize_t n;

	if (send_all(fd, "ping", 4) != 4)
		return check(false, what, "send: %s", errname(errno));
	n = recv_all(fd, reply, 4);
	return check(n == 4 && !memcmp(reply, "ping", 4), what, "got %s '%.4s'",
		     result_str(n, errno), reply);
}

static bool same_peer(const struct endpoint *peer)
{
	if (is_vsock())
		return peer->u.vm.svm_cid == server_ep.u.vm.svm_cid &&
		       peer->u.vm.svm_port == server_ep.u.vm.svm_port;
	return peer->u.in.sin_addr.s_addr == server_ep.u.in.sin_addr.s_addr &&
	       peer->u.in.sin_port == server_ep.u.in.sin_port;
}

static void test_blocking_connect(void)
{
	struct endpoint peer = { .len = sizeof(peer.u) }, local = { .len = sizeof(local.u) };
	int fd = new_socket(0), err;
	double started = now();

	if (fd < 0 || !check_zero(connect(fd, &server_ep.u.sa, server_ep.len), "blocking connect")) {
		if (fd >= 0)
			close(fd);
		else
			fail("blocking connect", "socket: %s", errname(errno));
		return;
	}
	info("blocking connect took %.1f ms", (now() - started) * 1000);
	err = socket_error(fd);
	check(err == 0, "SO_ERROR is 0 on a connected socket", "%d", err);
	getpeername(fd, &peer.u.sa, &peer.len);
	check(same_peer(&peer), "getpeername names the server", "got %s", endpoint_str(&peer));
	getsockname(fd, &local.u.sa, &local.len);
	info("local address %s", endpoint_str(&local));
	if (send_cmd(fd, &(struct cmd){ .op = OP_ECHO }) == 0)
		echo_round_trip(fd, "data flows both ways on a blocking-connected socket");
	close(fd);
}

static void test_nonblocking_connect(void)
{
	int fd = new_socket(SOCK_NONBLOCK), rc, err;
	short revents;

	if (fd < 0) {
		fail("non-blocking connect", "socket: %s", errname(errno));
		return;
	}
	rc = connect(fd, &server_ep.u.sa, server_ep.len);
	if (rc == 0)
		info("non-blocking connect completed at once (allowed: the transport answered "
		     "before connect returned)");
	else
		check(errno == EINPROGRESS, "non-blocking connect returns EINPROGRESS", "got %s",
		      errname(errno));
	revents = poll_one(fd, POLLOUT, (int)stall_ms);
	check((revents & POLLOUT) && !(revents & (POLLERR | POLLHUP)),
	      "POLLOUT once the non-blocking connect completes", "poll: %s", poll_str(revents));
	err = socket_error(fd);
	check(err == 0, "SO_ERROR is 0 after the non-blocking connect", "%s", errname(err));
	set_nonblocking(fd, false);
	if (send_cmd(fd, &(struct cmd){ .op = OP_ECHO }) == 0)
		echo_round_trip(fd, "data flows on a non-blocking-connected socket");
	else
		fail("data flows on a non-blocking-connected socket", "send: %s", errname(errno));
	close(fd);
}

/*
 * TCP answers a connect to a closed port with ECONNREFUSED.  vsock 6.1 over the virtio
 * transports (vsock_loopback) answers with a RST packet, which virtio_transport_recv_connecting
 * turns into ECONNRESET; both errors mean "nobody listens there" for vsock.
 */
static bool refused_errno_ok(int err)
{
	return err == ECONNREFUSED || (is_vsock() && err == ECONNRESET);
}

static void test_refused(void)
{
	const char *expected = is_vsock() ? "ECONNRESET or ECONNREFUSED" : "ECONNREFUSED";
	int fd = new_socket(0), rc, err;
	short revents;

	if (fd < 0) {
		fail("connect to a port nobody listens on", "socket: %s", errname(errno));
		return;
	}
	if (is_vsock())
		set_vsock_connect_timeout(fd, 10000);
	rc = connect(fd, &refused_ep.u.sa, refused_ep.len);
	err = errno;
	check(rc < 0 && refused_errno_ok(err), "connect to a port nobody listens on is refused",
	      "%s: got %s, expected %s", endpoint_str(&refused_ep), rc ? errname(err) : "success",
	      expected);
	if (rc < 0)
		info("refused connect fails with %s", errname(err));
	close(fd);

	fd = new_socket(SOCK_NONBLOCK);
	if (fd < 0)
		return;
	rc = connect(fd, &refused_ep.u.sa, refused_ep.len);
	if (rc < 0 && errno == EINPROGRESS) {
		revents = poll_one(fd, POLLOUT, 10000);
		/*
		 * af_vsock's poll reads sk_err before it takes the socket lock and the state
		 * after: a poll racing with the refusal can see the closed state (POLLOUT)
		 * without the error.  The refusal has happened by then; poll once more.
		 */
		if (is_vsock() && !(revents & POLLERR))
			revents = poll_one(fd, POLLOUT, 0);
		check(revents & POLLERR, "POLLERR when a non-blocking connect is refused", "poll: %s",
		      poll_str(revents));
		err = socket_error(fd);
		check(refused_errno_ok(err), "SO_ERROR reports the refusal", "got %s, expected %s",
		      errname(err), expected);
		err = socket_error(fd);
		check(err == 0, "reading SO_ERROR clears it", "still %s", errname(err));
	} else {
		check(rc < 0 && refused_errno_ok(errno), "non-blocking connect is refused",
		      "got %s", rc ? errname(errno) : "success");
	}
	close(fd);
}

/* Many connections accepted on one listener, all open at once, each echoing its own data. */
static void test_concurrent_echo(void)
{
	enum { CONNS = 16 };
	int fds[CONNS], opened = 0, good = 0;
	static unsigned char data[8192], back[8192];

	for (; opened < CONNS; opened++) {
		fds[opened] = open_or_fail("16 concurrent connections", (struct cmd){ .op = OP_ECHO });
		if (fds[opened] < 0)
			break;
	}
	/* All requests first, so that the server must be serving all of them at once. */
	for (int i = 0; i < opened; i++) {
		stream_fill(opt_seed + (uint64_t)i, 0, data, 3000 + (size_t)i * 7);
		send_all(fds[i], data, 3000 + (size_t)i * 7);
	}
	for (int i = 0; i < opened; i++) {
		size_t len = 3000 + (size_t)i * 7;

		stream_fill(opt_seed + (uint64_t)i, 0, data, len);
		if (recv_all(fds[i], back, len) == (ssize_t)len && !memcmp(data, back, len))
			good++;
		close(fds[i]);
	}
	if (opened == CONNS)
		check(good == CONNS, "16 concurrent connections on one listener each echo their own data",
		      "%d of %d echoed correctly", good, CONNS);
}

static void test_partial_write(void)
{
	const size_t len = 32 << 20;	/* more than any TCP or vsock buffer */
	unsigned char *big = calloc(1, len);	/* untouched zero pages: costs no memory */
	int fd = big ? open_or_fail("partial writes", (struct cmd){ .op = OP_HOLD }) : -1;
	ssize_t n, more = 0;
	size_t total;
	short revents;
	double started;

	if (fd < 0) {
		free(big);
		return;
	}
	set_nonblocking(fd, true);
	n = send(fd, big, len, MSG_NOSIGNAL);
	check(n > 0 && (size_t)n < len,
	      "non-blocking send of 32 MiB to a peer that does not read returns a short count",
	      "returned %s", result_str(n, errno));
	total = n > 0 ? (size_t)n : 0;
	/* TCP may still find room as its buffers grow; vsock's credit is fixed. */
	for (int i = 0; i < 64; i++) {
		more = send(fd, big, len, MSG_NOSIGNAL);
		if (more <= 0)
			break;
		total += (size_t)more;
	}
	check(more < 0 && errno == EAGAIN, "then send fails with EAGAIN", "returned %s",
	      result_str(more, errno));
	info("%zu bytes accepted before EAGAIN", total);
	if (is_vsock()) {
		/*
		 * TCP reports POLLOUT again as soon as acknowledged data frees send buffer,
		 * even though the peer reads nothing; vsock's room is the peer's credit.  The
		 * server reads our command (a few bytes) and then nothing: if it read it only
		 * after we filled the buffer (a slow emulated guest), that room is legitimately
		 * reported, so fill it too; after that, no POLLOUT may come at all.
		 */
		for (int round = 0; round < 3; round++) {
			revents = poll_one(fd, POLLOUT, (int)stall_ms);
			if (!(revents & POLLOUT))
				break;
			more = send(fd, big, len, MSG_NOSIGNAL);
			info("POLLOUT after the fill: %s more bytes (the server read its command late)",
			     result_str(more, errno));
			while (send(fd, big, len, MSG_NOSIGNAL) > 0)
				;
		}
		check(!(revents & POLLOUT), "no POLLOUT while the peer's buffer is full", "poll: %s",
		      poll_str(revents));
	}

	set_nonblocking(fd, false);
	{
		struct timeval tv = { .tv_usec = 300000 };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	started = now();
	n = send(fd, big, len, MSG_NOSIGNAL);
	check(((n < 0 && errno == EAGAIN) || (n > 0 && (size_t)n < len)) &&
		      now() - started >= 0.25,
	      "a blocking send with SO_SNDTIMEO 300 ms gives up after the timeout",
	      "returned %s after %.0f ms", result_str(n, errno), (now() - started) * 1000);
	close(fd);
	free(big);
}

static void test_empty_reads(void)
{
	int fd = open_or_fail("reads with nothing to read", (struct cmd){ .op = OP_ECHO });
	struct timeval tv = { .tv_usec = 200000 };
	char byte;
	ssize_t n;
	double started;

	if (fd < 0)
		return;
	n = recv(fd, &byte, 1, MSG_DONTWAIT);
	check(n < 0 && errno == EAGAIN, "recv(MSG_DONTWAIT) with nothing to read fails with EAGAIN",
	      "returned %s", result_str(n, errno));
	set_nonblocking(fd, true);
	n = recv(fd, &byte, 1, 0);
	check(n < 0 && errno == EAGAIN, "recv on an O_NONBLOCK socket with nothing to read: EAGAIN",
	      "returned %s", result_str(n, errno));
	set_nonblocking(fd, false);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	started = now();
	n = recv(fd, &byte, 1, 0);
	check(n < 0 && errno == EAGAIN && now() - started >= 0.15,
	      "a blocking recv with SO_RCVTIMEO 200 ms gives up with EAGAIN",
	      "returned %s after %.0f ms", result_str(n, errno), (now() - started) * 1000);
	close(fd);
}

static void test_peek(void)
{
	int fd = open_or_fail("MSG_PEEK", (struct cmd){ .op = OP_SOURCE, .a = 1000, .seed = opt_seed });
	unsigned char want[1000], first[100], again[100], got[1000];
	ssize_t n1, n2, n3;

	if (fd < 0)
		return;
	stream_fill(opt_seed, 0, want, sizeof(want));
	n1 = wait_available(fd, sizeof(want), (int)stall_ms);
	if (!check(n1 == (ssize_t)sizeof(want), "1000 bytes arrive", "%s", result_str(n1, errno)))
		goto out;
	n1 = recv(fd, first, sizeof(first), MSG_PEEK);
	check(n1 == 100 && !memcmp(first, want, 100), "MSG_PEEK returns the data",
	      "returned %s", result_str(n1, errno));
	n2 = recv(fd, again, sizeof(again), MSG_PEEK | MSG_DONTWAIT);
	check(n2 == 100 && !memcmp(again, want, 100), "a second MSG_PEEK returns the same data",
	      "returned %s", result_str(n2, errno));
	n3 = recv_all(fd, got, sizeof(got));
	check(n3 == (ssize_t)sizeof(got) && !memcmp(got, want, sizeof(want)),
	      "recv then consumes the peeked data and the rest, in order", "returned %s",
	      result_str(n3, errno));
out:
	close(fd);
}

static void test_waitall(void)
{
	/* The server sends 4 pieces of 1000 bytes, 150 ms apart. */
	int fd = open_or_fail("MSG_WAITALL", (struct cmd){ .op = OP_PIECES, .a = 4, .b = 1000,
							   .c = 150, .seed = opt_seed });
	unsigned char want[4000], got[4000];
	double started = now();
	ssize_t n;

	if (fd < 0)
		return;
	n = recv(fd, got, sizeof(got), MSG_WAITALL);
	stream_fill(opt_seed, 0, want, sizeof(want));
	check(n == (ssize_t)sizeof(got) && !memcmp(got, want, sizeof(want)) &&
		      now() - started >= 0.4,
	      "MSG_WAITALL waits for all 4000 bytes sent in 4 slow pieces",
	      "returned %s after %.0f ms", result_str(n, errno), (now() - started) * 1000);
	if (is_vsock()) {
		/* af_vsock refuses a recv whose target (len with MSG_WAITALL) is at least the
		 * transport's rcvhiwat (the buffer size for virtio): "impossible to handle
		 * cases where target is greater than the queue size". */
		static unsigned char big[VSOCK_DEFAULT_BUFFER];

		n = recv(fd, big, sizeof(big), MSG_WAITALL | MSG_DONTWAIT);
		info("vsock recv(MSG_WAITALL) of %zu bytes (the default buffer size) returns %s",
		     sizeof(big), result_str(n, errno));
	}
	close(fd);
}

static void test_shut_wr(void)
{
	int fd = open_or_fail("shutdown(SHUT_WR)", (struct cmd){ .op = OP_SINK });
	unsigned char data[5000], report[SINK_REPORT_SIZE];
	struct csum csum;
	ssize_t n;

	if (fd < 0)
		return;
	stream_fill(opt_seed, 0, data, sizeof(data));
	csum_init(&csum);
	csum_update(&csum, data, sizeof(data));
	send_all(fd, data, sizeof(data));
	check_zero(shutdown(fd, SHUT_WR), "shutdown(SHUT_WR)");
	n = send(fd, data, 10, MSG_NOSIGNAL);
	check(n < 0 && errno == EPIPE, "send after our SHUT_WR fails with EPIPE", "returned %s",
	      result_str(n, errno));
	n = recv_all(fd, report, sizeof(report));
	check(n == (ssize_t)sizeof(report) && get_be64(report) == sizeof(data) &&
		      get_be64(report + 8) == csum_final(&csum),
	      "the peer reads all data then EOF, and our read side still works after SHUT_WR",
	      "report %s, %" PRIu64 " bytes", result_str(n, errno),
	      n == (ssize_t)sizeof(report) ? get_be64(report) : 0);
	close(fd);
}

static void test_peer_shut_wr(void)
{
	int fd = open_or_fail("peer shutdown(SHUT_WR)",
			      (struct cmd){ .op = OP_SEND_SHUTWR, .a = 3000, .seed = opt_seed });
	unsigned char want[3000], got[3000];
	ssize_t n;
	short revents;

	if (fd < 0)
		return;
	stream_fill(opt_seed, 0, want, sizeof(want));
	n = recv_all(fd, got, sizeof(got));
	check(n == (ssize_t)sizeof(got) && !memcmp(got, want, sizeof(got)),
	      "all data sent before the peer's SHUT_WR arrives", "returned %s", result_str(n, errno));
	n = recv(fd, got, sizeof(got), 0);
	check(n == 0, "then recv returns 0 (EOF)", "returned %s", result_str(n, errno));
	n = recv(fd, got, sizeof(got), 0);
	check(n == 0, "and again 0: EOF stays", "returned %s", result_str(n, errno));
	revents = poll_one(fd, POLLIN | POLLOUT | POLLRDHUP, 0);
	check((revents & (POLLIN | POLLRDHUP | POLLOUT)) == (POLLIN | POLLRDHUP | POLLOUT) &&
		      !(revents & POLLHUP),
	      "poll after the peer's SHUT_WR: POLLIN POLLRDHUP POLLOUT, no POLLHUP", "got %s",
	      poll_str(revents));
	n = send(fd, "still open", 10, MSG_NOSIGNAL);
	check(n == 10, "our sending side still works after the peer's SHUT_WR", "returned %s",
	      result_str(n, errno));
	shutdown(fd, SHUT_WR);
	revents = poll_settled(fd, POLLIN | POLLRDHUP, (int)stall_ms);
	check(revents & POLLHUP, "POLLHUP once both directions are shut down", "got %s",
	      poll_str(revents));
	close(fd);
}

static void test_shut_rd_local(void)
{
	int fd = open_or_fail("shutdown(SHUT_RD)",
			      (struct cmd){ .op = OP_SOURCE, .a = 100, .seed = opt_seed });
	unsigned char got[1000];
	ssize_t n;
	short revents;

	if (fd < 0)
		return;
	n = wait_available(fd, 100, (int)stall_ms);
	if (!check(n == 100, "100 bytes arrive", "%s", result_str(n, errno)))
		goto out;
	check_zero(shutdown(fd, SHUT_RD), "shutdown(SHUT_RD) with 100 bytes unread");
	n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
	if (is_vsock()) {
		/* af_vsock's recvmsg returns 0 as soon as RCV_SHUTDOWN is set, before looking
		 * at the queue: unread data is no longer readable. */
		check(n == 0, "vsock: recv after our SHUT_RD returns 0 even with data queued",
		      "returned %s", result_str(n, errno));
	} else {
		/* TCP still delivers what was queued, then EOF. */
		check(n == 100, "tcp: recv after our SHUT_RD still returns the queued data",
		      "returned %s", result_str(n, errno));
		n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
		check(n == 0, "tcp: then recv returns 0", "returned %s", result_str(n, errno));
	}
	revents = poll_one(fd, POLLIN | POLLRDHUP, 0);
	check((revents & (POLLIN | POLLRDHUP)) == (POLLIN | POLLRDHUP),
	      "poll after our SHUT_RD: POLLIN POLLRDHUP", "got %s", poll_str(revents));
	n = send(fd, "0123456789", 10, MSG_NOSIGNAL);
	check(n == 10, "our sending side still works after our SHUT_RD", "returned %s",
	      result_str(n, errno));
out:
	close(fd);
}

static void test_shut_rd_peer(void)
{
	int fd = open_or_fail("peer shutdown(SHUT_RD)", (struct cmd){ .op = OP_SHUT_RD, .a = 10000 });
	char verdict = 0;
	ssize_t n = -1;
	int sends = 0;
	double deadline;

	if (fd < 0)
		return;
	n = recv_all(fd, &verdict, 1);
	check(n == 1 && verdict == 'Y', "the peer's recv returns 0 right after its own SHUT_RD",
	      "peer says %s '%c'", result_str(n, errno), verdict ? verdict : '?');
	if (is_vsock()) {
		/* vsock forwards SHUT_RD to the peer (a SHUTDOWN packet with the RCV flag), and
		 * af_vsock's sendmsg fails with EPIPE once peer_shutdown has RCV_SHUTDOWN.  The
		 * shutdown was sent before the verdict byte, but allow a transport to deliver
		 * it a little later than the data. */
		deadline = now() + 2;
		while ((n = send(fd, "x", 1, MSG_NOSIGNAL)) == 1 && now() < deadline) {
			sends++;
			sleep_ms(20);
		}
		check(n < 0 && errno == EPIPE,
		      "vsock: send fails with EPIPE once the peer has shut down its reading side",
		      "returned %s", result_str(n, errno));
		if (sends)
			info("%d sends succeeded before EPIPE: the peer's SHUT_RD arrived after the "
			     "data it sent later", sends);
	} else {
		/* TCP does not tell the peer about SHUT_RD: sending still succeeds. */
		n = send(fd, "x", 1, MSG_NOSIGNAL);
		check(n == 1, "tcp: send still succeeds after the peer's SHUT_RD", "returned %s",
		      result_str(n, errno));
	}
	close(fd);
}

static void test_shut_rdwr(void)
{
	int fd = open_or_fail("shutdown(SHUT_RDWR)", (struct cmd){ .op = OP_ECHO });
	char byte;
	ssize_t n;
	short revents;

	if (fd < 0)
		return;
	check_zero(shutdown(fd, SHUT_RDWR), "shutdown(SHUT_RDWR)");
	revents = poll_one(fd, POLLIN | POLLOUT | POLLRDHUP, 0);
	check((revents & (POLLHUP | POLLIN | POLLRDHUP)) == (POLLHUP | POLLIN | POLLRDHUP),
	      "poll after SHUT_RDWR: POLLHUP POLLIN POLLRDHUP", "got %s", poll_str(revents));
	n = recv(fd, &byte, 1, 0);
	check(n == 0, "recv after SHUT_RDWR returns 0", "returned %s", result_str(n, errno));
	n = send(fd, "x", 1, MSG_NOSIGNAL);
	check(n < 0 && errno == EPIPE, "send after SHUT_RDWR fails with EPIPE", "returned %s",
	      result_str(n, errno));
	close(fd);
}

static atomic_int sigpipes;

static void count_sigpipe(int sig)
{
	(void)sig;
	atomic_fetch_add(&sigpipes, 1);
}

/*
 * After the peer's close: vsock's sendmsg fails with EPIPE at once (peer_shutdown has
 * RCV_SHUTDOWN).  TCP learns it only from the RST that answers our first send after the
 * FIN, so the first send may succeed, and the error is EPIPE or ECONNRESET.
 */
static ssize_t send_after_peer_close(int fd, int *attempts)
{
	ssize_t n;

	*attempts = 0;
	do {
		if (*attempts)
			sleep_ms(50);
		n = send(fd, "x", 1, MSG_NOSIGNAL);
		(*attempts)++;
	} while (n > 0 && !is_vsock() && *attempts < 40);
	return n;
}

static void test_peer_close(void)
{
	int fd = open_or_fail("peer close",
			      (struct cmd){ .op = OP_SEND_CLOSE, .a = 5000, .seed = opt_seed });
	unsigned char want[5000], got[5000];
	struct sigaction counting = { .sa_handler = count_sigpipe }, ignore = { .sa_handler = SIG_IGN };
	ssize_t n;
	short revents;
	int attempts;

	if (fd < 0)
		return;
	revents = poll_settled(fd, POLLRDHUP, (int)stall_ms);
	check(revents & POLLRDHUP, "POLLRDHUP once the peer has closed", "got %s", poll_str(revents));
	stream_fill(opt_seed, 0, want, sizeof(want));
	n = recv_all(fd, got, sizeof(got));
	check(n == (ssize_t)sizeof(got) && !memcmp(got, want, sizeof(got)),
	      "data the peer sent before closing is still readable", "returned %s",
	      result_str(n, errno));
	n = recv(fd, got, sizeof(got), 0);
	check(n == 0, "then EOF", "returned %s", result_str(n, errno));
	n = send_after_peer_close(fd, &attempts);
	if (is_vsock())
		check(n < 0 && errno == EPIPE, "vsock: send to a closed peer fails with EPIPE at once",
		      "returned %s", result_str(n, errno));
	else
		check(n < 0 && (errno == EPIPE || errno == ECONNRESET),
		      "tcp: send to a closed peer fails (EPIPE or ECONNRESET)", "returned %s after %d sends",
		      result_str(n, errno), attempts);

	/* Without MSG_NOSIGNAL: TCP raises SIGPIPE; af_vsock in 6.1 never sends a signal. */
	atomic_store(&sigpipes, 0);
	sigaction(SIGPIPE, &counting, NULL);
	n = send(fd, "x", 1, 0);
	sigaction(SIGPIPE, &ignore, NULL);
	if (is_vsock())
		check(n < 0 && errno == EPIPE && atomic_load(&sigpipes) == 0,
		      "vsock: EPIPE without MSG_NOSIGNAL raises no SIGPIPE (6.1)",
		      "returned %s, %d SIGPIPE", result_str(n, errno), atomic_load(&sigpipes));
	else
		check(n < 0 && atomic_load(&sigpipes) == 1,
		      "tcp: a failed send without MSG_NOSIGNAL raises SIGPIPE",
		      "returned %s, %d SIGPIPE", result_str(n, errno), atomic_load(&sigpipes));
	close(fd);

	fd = open_or_fail("peer closes at once", (struct cmd){ .op = OP_CLOSE });
	if (fd < 0)
		return;
	n = recv(fd, got, sizeof(got), 0);
	check(n == 0, "a connection the peer closes at once reads EOF", "returned %s",
	      result_str(n, errno));
	close(fd);
}

static void test_poll(void)
{
	int fd = open_or_fail("poll", (struct cmd){ .op = OP_SLEEP_SEND, .a = 300, .b = 10,
						    .seed = opt_seed });
	static unsigned char buf[CHUNK];
	unsigned char report[SINK_REPORT_SIZE];
	uint64_t total = 0;
	short revents;
	ssize_t n;

	if (fd < 0)
		return;
	revents = poll_one(fd, POLLOUT, 0);
	check(revents == POLLOUT, "POLLOUT on a fresh connection", "got %s", poll_str(revents));
	revents = poll_one(fd, POLLIN, 0);
	check(revents == 0, "no POLLIN before data arrives", "got %s", poll_str(revents));
	revents = poll_one(fd, POLLIN, (int)stall_ms);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	check((revents & POLLIN) && n == 10, "POLLIN when data arrives (300 ms later)",
	      "poll %s, then recv returned %s", poll_str(revents), result_str(n, errno));
	close(fd);

	/* Fill the pipe while the server waits 500 ms before reading: POLLOUT must come back
	 * once it reads (the transport's "space available" wake-up). */
	fd = open_or_fail("POLLOUT after a full buffer", (struct cmd){ .op = OP_SINK, .a = 500, .b = 1 });
	if (fd < 0)
		return;
	set_nonblocking(fd, true);
	while (total < (256u << 20) && (n = send(fd, buf, sizeof(buf), MSG_NOSIGNAL)) > 0)
		total += (uint64_t)n;
	check(n < 0 && errno == EAGAIN, "filling the buffer ends in EAGAIN", "returned %s after %" PRIu64
	      " bytes", result_str(n, errno), total);
	revents = poll_one(fd, POLLOUT, (int)stall_ms);
	check(revents & POLLOUT, "POLLOUT again once the peer reads", "got %s", poll_str(revents));
	set_nonblocking(fd, false);
	shutdown(fd, SHUT_WR);
	n = recv_all(fd, report, sizeof(report));
	check(n == (ssize_t)sizeof(report) && get_be64(report) == total,
	      "the peer received every byte", "report %s: %" PRIu64 " of %" PRIu64 " bytes",
	      result_str(n, errno), n == (ssize_t)sizeof(report) ? get_be64(report) : 0, total);
	close(fd);
}

/*
 * Edge-triggered epoll reports only changes: a transport that forgets a wake-up (data or
 * room arriving just as the reader goes to sleep) leaves the application waiting forever.
 * Each round reads until EAGAIN, as epoll(7) asks of EPOLLET users, then waits for the event
 * the new data (or room) must cause.  Stale events are allowed (they lead to an EAGAIN and
 * another wait); a missing one shows up as a wait that times out.
 */
static void test_epoll_et(void)
{
	int fd = open_or_fail("epoll EPOLLET", (struct cmd){ .op = OP_ECHO });
	static unsigned char out[20000], in[20000];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep = epoll_create1(EPOLL_CLOEXEC), round, lost = 0;
	unsigned char report[SINK_REPORT_SIZE];
	uint64_t total = 0;
	ssize_t n;

	if (fd < 0 || ep < 0)
		goto out;
	set_nonblocking(fd, true);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	for (round = 0; round < 20 && !lost; round++) {
		size_t len = 1 + ((size_t)round * 4099) % sizeof(out), got = 0;

		stream_fill(opt_seed + (uint64_t)round, 0, out, len);
		send_all(fd, out, len);
		while (got < len) {
			if (epoll_wait(ep, &ev, 1, (int)stall_ms) != 1) {
				lost = 1;
				fail("epoll EPOLLET: an EPOLLIN for new data after reading until EAGAIN",
				     "round %d: no EPOLLIN with %zu of %zu echoed bytes read", round, got, len);
				break;
			}
			while ((n = recv(fd, in + got, sizeof(in) - got, 0)) > 0)
				got += (size_t)n;
			if (n == 0 || errno != EAGAIN) {
				lost = 1;
				fail("epoll EPOLLET", "round %d: recv returned %s", round, result_str(n, errno));
				break;
			}
		}
		if (!lost && (got != len || memcmp(in, out, len))) {
			lost = 1;
			fail("epoll EPOLLET: data", "round %d: %zu bytes echoed for %zu, or different", round,
			     got, len);
		}
	}
	if (!lost)
		ok("epoll EPOLLET: an EPOLLIN for new data after reading until EAGAIN (20 rounds)");
	close(fd);
	close(ep);

	/* The same for room to write: the sink waits 300 ms before it starts reading. */
	ep = epoll_create1(EPOLL_CLOEXEC);
	fd = open_or_fail("epoll EPOLLET (EPOLLOUT)", (struct cmd){ .op = OP_SINK, .a = 300, .b = 1 });
	if (fd < 0 || ep < 0)
		goto out;
	set_nonblocking(fd, true);
	ev.events = EPOLLOUT | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	lost = 0;
	for (round = 0; round < 5 && !lost; round++) {
		uint64_t this_round = 0;

		/* A sink that keeps up may never let us reach EAGAIN: cap the round. */
		while (this_round < (2u << 20) && (n = send(fd, out, sizeof(out), MSG_NOSIGNAL)) > 0)
			this_round += (uint64_t)n;
		total += this_round;
		if (n > 0)
			continue;	/* the sink kept up: no EAGAIN, nothing to wait for */
		if (errno != EAGAIN) {
			lost = 1;
			fail("epoll EPOLLET (EPOLLOUT)", "send: %s", errname(errno));
			break;
		}
		for (;;) {
			if (epoll_wait(ep, &ev, 1, (int)stall_ms) != 1) {
				lost = 1;
				fail("epoll EPOLLET: an EPOLLOUT once room appears",
				     "round %d: no EPOLLOUT for %u ms after EAGAIN", round, stall_ms);
				break;
			}
			n = send(fd, out, sizeof(out), MSG_NOSIGNAL);
			if (n > 0) {
				total += (uint64_t)n;
				break;
			}
		}
	}
	set_nonblocking(fd, false);
	shutdown(fd, SHUT_WR);
	n = recv_all(fd, report, sizeof(report));
	if (!lost)
		check(n == (ssize_t)sizeof(report) && get_be64(report) == total,
		      "epoll EPOLLET: an EPOLLOUT after each write-until-EAGAIN, and the peer got it all",
		      "report %s: %" PRIu64 " of %" PRIu64 " bytes", result_str(n, errno),
		      n == (ssize_t)sizeof(report) ? get_be64(report) : 0, total);
out:
	if (fd >= 0)
		close(fd);
	if (ep >= 0)
		close(ep);
}

/*
 * An EPOLLET reader that takes exactly the bytes it expects and goes back to epoll_wait
 * without seeing EAGAIN (epoll(7) advises against it, but protocols with known message
 * sizes do it): TCP and the virtio vsock transports wake the socket on every arrival
 * (sk_data_ready), so new data still produces an event there.
 */
static void test_epoll_et_nodrain(void)
{
	int fd = open_or_fail("epoll EPOLLET without draining", (struct cmd){ .op = OP_ECHO });
	static unsigned char out[3000], in[3000];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep = epoll_create1(EPOLL_CLOEXEC), round, wait_ms = stall_ms < 10000 ? (int)stall_ms : 10000;
	ssize_t n;

	if (fd < 0 || ep < 0)
		goto out;
	set_nonblocking(fd, true);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	for (round = 0; round < 10; round++) {
		size_t len = 100 + (size_t)round * 250, got = 0;

		stream_fill(opt_seed + (uint64_t)round, 0, out, len);
		send_all(fd, out, len);
		while (got < len) {
			if (epoll_wait(ep, &ev, 1, wait_ms) != 1)
				break;
			/* Never more than what is still expected: no EAGAIN once it is all there. */
			while (got < len && (n = recv(fd, in + got, len - got, 0)) > 0)
				got += (size_t)n;
		}
		if (got < len || memcmp(in, out, len))
			break;
	}
	check(round == 10, "epoll EPOLLET: new data wakes a reader that stopped before EAGAIN "
	      "(as with TCP and virtio vsock)", "round %d: no EPOLLIN within %d ms", round, wait_ms);
out:
	if (fd >= 0)
		close(fd);
	if (ep >= 0)
		close(ep);
}

static void test_rcvlowat(void)
{
	/* 4 pieces of 100 bytes, 150 ms apart; poll must wait for 3 of them. */
	int fd = open_or_fail("SO_RCVLOWAT", (struct cmd){ .op = OP_PIECES, .a = 4, .b = 100,
							   .c = 150, .seed = opt_seed });
	unsigned char got[400], want[400];
	int lowat = 300, one = 1;
	short revents;
	ssize_t n, peeked;
	size_t have = 0;

	if (fd < 0)
		return;
	check_zero(setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)),
		   "setsockopt(SO_RCVLOWAT, 300)");
	revents = poll_one(fd, POLLIN, (int)stall_ms);
	peeked = recv(fd, got, sizeof(got), MSG_PEEK | MSG_DONTWAIT);
	check((revents & POLLIN) && peeked >= lowat,
	      "poll reports POLLIN only once SO_RCVLOWAT bytes are queued",
	      "poll %s with %s bytes queued", poll_str(revents), result_str(peeked, errno));
	n = recv(fd, got, sizeof(got), 0);
	check(n >= lowat, "recv returns at least SO_RCVLOWAT bytes", "returned %s",
	      result_str(n, errno));
	if (n > 0)
		have = (size_t)n;
	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one));
	if (have < sizeof(got)) {
		n = recv_all(fd, got + have, sizeof(got) - have);
		if (n > 0)
			have += (size_t)n;
	}
	stream_fill(opt_seed, 0, want, sizeof(want));
	check(have == sizeof(got) && !memcmp(got, want, sizeof(want)), "all 400 bytes, in order",
	      "got %zu bytes", have);
	if (is_vsock()) {
		uint64_t buffer = VSOCK_DEFAULT_BUFFER;
		socklen_t len = sizeof(buffer);
		int too_big, rc, err;

		/* vsock_set_rcvlowat: a low-water mark above the buffer could never be met. */
		getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &buffer, &len);
		too_big = (int)buffer + 1;
		rc = setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &too_big, sizeof(too_big));
		err = errno;
		check(rc < 0 && err == EINVAL,
		      "vsock: SO_RCVLOWAT above SO_VM_SOCKETS_BUFFER_SIZE fails with EINVAL", "got %s",
		      rc ? errname(err) : "success");
	}
	close(fd);
}

static void test_fionread(void)
{
	int fd = open_or_fail("FIONREAD", (struct cmd){ .op = OP_SOURCE, .a = 100, .seed = opt_seed });
	int count = -1, rc;

	if (fd < 0)
		return;
	wait_available(fd, 100, (int)stall_ms);
	rc = ioctl(fd, FIONREAD, &count);
	if (is_vsock())
		/* af_vsock 6.1 has no ioctl at all (sock_no_ioctl): FIONREAD/SIOCINQ is later. */
		check(rc < 0 && errno == EOPNOTSUPP, "vsock 6.1: FIONREAD is not supported (EOPNOTSUPP)",
		      "returned %d (%d), %s", rc, count, errname(errno));
	else
		check(rc == 0 && count == 100, "tcp: FIONREAD counts the queued bytes",
		      "returned %d, count %d", rc, count);
	close(fd);
}

static int get_u64(int fd, int opt, uint64_t *value)
{
	socklen_t len = sizeof(*value);

	return getsockopt(fd, AF_VSOCK, opt, value, &len);
}

static int set_u64(int fd, int opt, uint64_t value)
{
	return setsockopt(fd, AF_VSOCK, opt, &value, sizeof(value));
}

/*
 * How many bytes the server could send before it had to wait, with our receive buffer set
 * to BUFFER and the server's socket to SERVER_BUFFER (0: the defaults): what
 * SO_VM_SOCKETS_BUFFER_SIZE changes.
 */
static long long bytes_in_flight(uint64_t buffer, uint64_t server_buffer, uint64_t *after_connect)
{
	static unsigned char buf[CHUNK];
	int fd = new_socket(0);
	long long total = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (buffer && (set_u64(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, buffer) ||
		       set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, buffer))) {
		close(fd);
		return -1;
	}
	if (connect(fd, &server_ep.u.sa, server_ep.len) ||
	    send_cmd(fd, &(struct cmd){ .op = OP_FILL, .a = 60000, .b = server_buffer })) {
		close(fd);
		return -1;
	}
	get_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, after_connect);
	/* The server stops after 300 ms without room; give it time to fill and give up. */
	poll_one(fd, POLLIN, (int)stall_ms);
	sleep_ms(1500);
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += n;
	close(fd);
	return total;
}

static void test_vsock_options(void)
{
	uint64_t size = 0, min = 0, max = 0, after_default = 0, after_big = 0, after_both = 0;
	const uint64_t big = 1 << 20;
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);
	long long flight_default, flight_big, flight_both;
	int fd;

	if (!is_vsock()) {
		printf("skip: SO_VM_SOCKETS_* options are vsock only\n");
		return;
	}
	/* A fresh socket has no transport yet: these are af_vsock's own defaults. */
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail("vsock options", "socket: %s", errname(errno));
		return;
	}
	get_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, &size);
	get_u64(fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE, &min);
	get_u64(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &max);
	check(size == VSOCK_DEFAULT_BUFFER && max == VSOCK_DEFAULT_BUFFER && min == 128,
	      "default buffer size/min/max 262144/128/262144",
	      "got %" PRIu64 "/%" PRIu64 "/%" PRIu64, size, min, max);
	getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, &len);
	check(tv.tv_sec * 1000 + tv.tv_usec / 1000 == VSOCK_DEFAULT_CONNECT_TIMEOUT_MS,
	      "default SO_VM_SOCKETS_CONNECT_TIMEOUT is 2 s", "got %ld.%06ld s", (long)tv.tv_sec,
	      (long)tv.tv_usec);
	set_vsock_connect_timeout(fd, 1500);
	len = sizeof(tv);
	getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, &len);
	check(tv.tv_sec == 1 && tv.tv_usec == 500000, "SO_VM_SOCKETS_CONNECT_TIMEOUT reads back",
	      "got %ld.%06ld s", (long)tv.tv_sec, (long)tv.tv_usec);
	set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, big);
	get_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, &size);
	check(size == VSOCK_DEFAULT_BUFFER, "a buffer size above the maximum is clamped to it",
	      "got %" PRIu64, size);
	set_u64(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, big);
	set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, big);
	get_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, &size);
	check(size == big, "buffer size 1 MiB after raising the maximum first", "got %" PRIu64, size);
	close(fd);

	/* Reported, not judged: how much a peer may have in flight is the transport's
	 * choice.  (6.1.192's virtio transports cap it at the smaller of both ends' buffer
	 * sizes, so a bigger receive buffer alone changes nothing there.) */
	flight_default = bytes_in_flight(0, 0, &after_default);
	flight_big = bytes_in_flight(big, 0, &after_big);
	flight_both = bytes_in_flight(big, big, &after_both);
	info("buffer size after connect: default %" PRIu64 ", asked 1 MiB %" PRIu64,
	     after_default, after_big);
	info("bytes the server could send before waiting: %lld with both buffers default, %lld "
	     "with our buffer 1 MiB, %lld with both 1 MiB", flight_default, flight_big, flight_both);
	if (flight_default <= 0 || flight_big <= 0 || flight_both <= 0)
		fail("SO_VM_SOCKETS_BUFFER_SIZE effect", "a fill connection failed: %s",
		     errname(errno));
}

/* ---- semantics of SOCK_SEQPACKET (--type seqpacket): message by message ---------------- */

static unsigned char msg_buf[SEQ_MAX_MSG + 1];	/* client tests: one thread */

static const char *msg_flags_str(int flags)
{
	static __thread char buf[48];

	snprintf(buf, sizeof(buf), "%s%s%s", flags & (MSG_EOR | MSG_TRUNC) ? "" : "(none)",
		 flags & MSG_EOR ? "MSG_EOR " : "", flags & MSG_TRUNC ? "MSG_TRUNC " : "");
	return buf;
}

/* Do LEN bytes of DATA equal the start of message INDEX of the stream for opt_seed? */
static bool msg_data_ok(size_t index, const unsigned char *data, size_t len)
{
	static unsigned char scratch[CHUNK];

	return stream_compare(opt_seed + index, 0, data, len, scratch) == NO_MISMATCH;
}

/* Connects to an OP_MSG_SOURCE of SET and waits until its first message is there. */
static int open_msg_source(const char *what, unsigned int set, uint64_t eor_mask)
{
	int fd = open_or_fail(what, (struct cmd){ .op = OP_MSG_SOURCE, .a = set, .c = eor_mask,
						  .seed = opt_seed });

	if (fd >= 0 && !(poll_one(fd, POLLIN, (int)stall_ms) & POLLIN)) {
		fail(what, "no message within %u ms", stall_ms);
		close(fd);
		return -1;
	}
	return fd;
}

static void test_msg_socket_type(void)
{
	int fd = open_or_fail("SO_TYPE", (struct cmd){ .op = OP_ECHO }), type = -1;
	socklen_t len = sizeof(type);

	if (fd < 0)
		return;
	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	check(type == SOCK_SEQPACKET, "SO_TYPE of the connected socket is SOCK_SEQPACKET", "got %d",
	      type);
	close(fd);
}

/*
 * A connect of the other socket type is refused: the virtio transports answer a packet whose
 * type differs from the listener's with a reset (virtio_transport_recv_pkt).
 */
static void test_msg_cross_type(void)
{
	int fd = new_typed_socket(SOCK_STREAM, 0), rc, err;

	if (fd < 0) {
		fail("cross type", "socket: %s", errname(errno));
		return;
	}
	set_vsock_connect_timeout(fd, 10000);
	rc = connect(fd, &server_ep.u.sa, server_ep.len);
	err = errno;
	check(rc < 0 && refused_errno_ok(err),
	      "a SOCK_STREAM connect to the SOCK_SEQPACKET listener is refused",
	      "%s: got %s, expected ECONNRESET or ECONNREFUSED", endpoint_str(&server_ep),
	      rc ? errname(err) : "success");
	close(fd);

	if (cross_port < 0) {
		printf("skip: a SOCK_SEQPACKET connect to a SOCK_STREAM listener: no --cross-port\n");
		return;
	}
	{
		struct endpoint stream_ep = server_ep;

		endpoint_set_port(&stream_ep, (uint32_t)cross_port);
		fd = new_typed_socket(SOCK_SEQPACKET, 0);
		if (fd < 0)
			return;
		set_vsock_connect_timeout(fd, 10000);
		rc = connect(fd, &stream_ep.u.sa, stream_ep.len);
		err = errno;
		check(rc < 0 && refused_errno_ok(err),
		      "a SOCK_SEQPACKET connect to a SOCK_STREAM listener is refused",
		      "%s: got %s, expected ECONNRESET or ECONNREFUSED", endpoint_str(&stream_ep),
		      rc ? errname(err) : "success");
		close(fd);
	}
}

/* Server to client: every recv returns exactly one message, whatever is queued behind it. */
static void test_msg_boundaries_in(void)
{
	const struct msg_set *set = &msg_sets[MSG_SET_BOUNDARIES];
	int fd = open_msg_source("message boundaries", MSG_SET_BOUNDARIES, 0), msg_flags;
	size_t good = 0;
	ssize_t n = 0;
	bool data_ok = true;

	if (fd < 0)
		return;
	/* Several messages queue up meanwhile: a recv that ignored the boundaries would
	 * return more than one. */
	sleep_ms(300);
	for (; good < set->count; good++) {
		size_t want = set->sizes[good];

		n = recv_msg(fd, msg_buf, sizeof(msg_buf), 0, &msg_flags);
		data_ok = n == (ssize_t)want && msg_data_ok(good, msg_buf, want);
		if (n != (ssize_t)want || (msg_flags & MSG_TRUNC) || !data_ok)
			break;
	}
	check(good == set->count,
	      "every recv returns exactly one whole message (12 messages of 1 to 200000 bytes)",
	      "message %zu of %" PRIu32 " bytes: recv returned %s, flags %s, data %s", good,
	      good < set->count ? set->sizes[good] : 0, result_str(n, errno),
	      msg_flags_str(msg_flags), data_ok ? "as sent" : "differs or short");
	if (good == set->count) {
		n = recv(fd, msg_buf, sizeof(msg_buf), MSG_DONTWAIT);
		check(n < 0 && errno == EAGAIN, "and no more messages than were sent",
		      "recv returned %s", result_str(n, errno));
	}
	close(fd);
}

/* Client to server: the server reports each message it received, its length and flags. */
static void test_msg_boundaries_out(void)
{
	const struct msg_set *set = &msg_sets[MSG_SET_BOUNDARIES];
	int fd = open_or_fail("message boundaries to the server", (struct cmd){ .op = OP_MSG_REPORT });
	unsigned char report[MSG_REPORT_SIZE];
	struct csum csum;
	size_t good = 0;
	ssize_t n = 0;

	if (fd < 0)
		return;
	for (size_t i = 0; i < set->count; i++) {
		stream_fill(opt_seed + i, 0, msg_buf, set->sizes[i]);
		n = send(fd, msg_buf, set->sizes[i], MSG_NOSIGNAL);
		if (n != (ssize_t)set->sizes[i]) {
			fail("message boundaries to the server", "sending message %zu of %" PRIu32
			     " bytes: %s", i, set->sizes[i], result_str(n, errno));
			close(fd);
			return;
		}
	}
	for (; good < set->count; good++) {
		n = recv_all(fd, report, sizeof(report));
		stream_fill(opt_seed + good, 0, msg_buf, set->sizes[good]);
		csum_init(&csum);
		csum_update(&csum, msg_buf, set->sizes[good]);
		if (n != (ssize_t)sizeof(report) || get_be64(report) != set->sizes[good] ||
		    get_be64(report + 16) != csum_final(&csum))
			break;
	}
	check(good == set->count,
	      "the peer receives every message whole and alone (12 messages of 1 to 200000 bytes)",
	      "message %zu: report %s, the peer got %" PRIu64 " bytes for %" PRIu32, good,
	      result_str(n, errno), n == (ssize_t)sizeof(report) ? get_be64(report) : 0,
	      good < set->count ? set->sizes[good] : 0);
	close(fd);
}

/*
 * A buffer shorter than the message: recv returns what fits and MSG_TRUNC in msg_flags, and
 * the rest of that message is gone; with MSG_TRUNC in the flags, recv returns the message's
 * real length (__vsock_seqpacket_recvmsg).
 */
static void test_msg_truncation(void)
{
	int fd = open_msg_source("truncation", MSG_SET_TRUNC, 0), msg_flags;
	ssize_t n;

	if (fd < 0)
		return;
	n = recv_msg(fd, msg_buf, 100, 0, &msg_flags);
	check(n == 100 && (msg_flags & MSG_TRUNC) && msg_data_ok(0, msg_buf, 100),
	      "recv with 100 bytes of room for a 1000-byte message: its first 100 bytes, MSG_TRUNC "
	      "in msg_flags", "returned %s, flags %s", result_str(n, errno), msg_flags_str(msg_flags));
	n = recv_msg(fd, msg_buf, sizeof(msg_buf), 0, &msg_flags);
	check(n == 50 && !(msg_flags & MSG_TRUNC) && msg_data_ok(1, msg_buf, 50),
	      "the rest of the truncated message is discarded: the next recv returns the next "
	      "message (50 bytes)", "returned %s, flags %s", result_str(n, errno),
	      msg_flags_str(msg_flags));
	n = recv_msg(fd, msg_buf, 10, MSG_TRUNC, &msg_flags);
	check(n == 1000 && (msg_flags & MSG_TRUNC) && msg_data_ok(2, msg_buf, 10),
	      "recv(MSG_TRUNC) with 10 bytes of room returns the real length (1000), MSG_TRUNC in "
	      "msg_flags, and the first 10 bytes", "returned %s, flags %s", result_str(n, errno),
	      msg_flags_str(msg_flags));
	n = recv_msg(fd, msg_buf, 30, 0, &msg_flags);
	check(n == 30 && !(msg_flags & MSG_TRUNC) && msg_data_ok(3, msg_buf, 30),
	      "a buffer exactly the message's size: the whole message, no MSG_TRUNC",
	      "returned %s, flags %s", result_str(n, errno), msg_flags_str(msg_flags));
	close(fd);
}

/*
 * MSG_EOR: 6.1's virtio transports mark the last packet of a message sent with MSG_EOR
 * (VIRTIO_VSOCK_SEQ_EOR) and set MSG_EOR in the receiver's msg_flags for that message only.
 */
static void test_msg_eor(void)
{
	const struct msg_set *set = &msg_sets[MSG_SET_SMALL];
	const uint64_t mask = 0x5;	/* messages 0 and 2 with MSG_EOR, 1 and 3 without */
	unsigned char report[MSG_REPORT_SIZE];
	int fd = open_msg_source("MSG_EOR", MSG_SET_SMALL, mask), msg_flags = 0;
	size_t good = 0;
	ssize_t n = 0;

	if (fd < 0)
		return;
	for (; good < set->count; good++) {
		bool eor = (mask >> good) & 1;

		n = recv_msg(fd, msg_buf, sizeof(msg_buf), 0, &msg_flags);
		if (n != (ssize_t)set->sizes[good] || !(msg_flags & MSG_EOR) != !eor)
			break;
	}
	check(good == set->count,
	      "MSG_EOR in msg_flags exactly for the messages the peer sent with MSG_EOR",
	      "message %zu (sent %s MSG_EOR): returned %s, flags %s", good,
	      good < set->count && ((mask >> good) & 1) ? "with" : "without", result_str(n, errno),
	      msg_flags_str(msg_flags));
	close(fd);

	fd = open_or_fail("MSG_EOR to the server", (struct cmd){ .op = OP_MSG_REPORT });
	if (fd < 0)
		return;
	good = 0;
	for (size_t i = 0; i < set->count; i++) {
		stream_fill(opt_seed + i, 0, msg_buf, set->sizes[i]);
		send(fd, msg_buf, set->sizes[i], MSG_NOSIGNAL | ((mask >> i) & 1 ? MSG_EOR : 0));
	}
	for (; good < set->count; good++) {
		n = recv_all(fd, report, sizeof(report));
		if (n != (ssize_t)sizeof(report) || get_be64(report) != set->sizes[good] ||
		    !(get_be64(report + 8) & MSG_EOR) != !((mask >> good) & 1))
			break;
	}
	check(good == set->count, "the peer sees MSG_EOR exactly on the messages sent with MSG_EOR",
	      "message %zu: report %s, flags %s", good, result_str(n, errno),
	      n == (ssize_t)sizeof(report) ? msg_flags_str((int)get_be64(report + 8)) : "?");
	close(fd);
}

/*
 * Zero lengths in 6.1: a zero-length send returns 0 and sends nothing (the sendmsg loop
 * never runs), and a zero-length recv returns 0 at once without consuming a message.
 */
static void test_msg_zero_length(void)
{
	int fd = open_or_fail("zero-length messages", (struct cmd){ .op = OP_MSG_REPORT }), msg_flags;
	unsigned char report[MSG_REPORT_SIZE];
	ssize_t n;

	if (fd < 0)
		return;
	n = send(fd, msg_buf, 0, MSG_NOSIGNAL);
	check(n == 0, "a zero-length send returns 0", "returned %s", result_str(n, errno));
	send(fd, "hello", 5, MSG_NOSIGNAL);
	n = recv_all(fd, report, sizeof(report));
	check(n == (ssize_t)sizeof(report) && get_be64(report) == 5,
	      "it sends nothing: the peer's first message is the 5 bytes sent after it",
	      "report %s: %" PRIu64 " bytes", result_str(n, errno),
	      n == (ssize_t)sizeof(report) ? get_be64(report) : 0);
	close(fd);

	fd = open_msg_source("zero-length recv", MSG_SET_SMALL, 0);
	if (fd < 0)
		return;
	n = recv(fd, msg_buf, 0, 0);
	check(n == 0, "a zero-length recv with a message queued returns 0", "returned %s",
	      result_str(n, errno));
	n = recv_msg(fd, msg_buf, sizeof(msg_buf), 0, &msg_flags);
	check(n == 10 && msg_data_ok(0, msg_buf, 10),
	      "and consumes nothing: the next recv returns that message (10 bytes)", "returned %s",
	      result_str(n, errno));
	close(fd);
}

/* Sends one message of LEN bytes of the stream for opt_seed + INDEX; send's result. */
static ssize_t send_msg(int fd, size_t index, size_t len)
{
	stream_fill(opt_seed + index, 0, msg_buf, len);
	return send(fd, msg_buf, len, MSG_NOSIGNAL);
}

/* Sends a message of LEN bytes to an echo and checks that it comes back whole. */
static void echo_msg(int fd, size_t index, size_t len, const char *what)
{
	int msg_flags = 0;
	ssize_t n = send_msg(fd, index, len);

	if (n != (ssize_t)len) {
		fail(what, "send returned %s", result_str(n, errno));
		return;
	}
	n = recv_msg(fd, msg_buf, sizeof(msg_buf), 0, &msg_flags);
	check(n == (ssize_t)len && !(msg_flags & MSG_TRUNC) && msg_data_ok(index, msg_buf, len), what,
	      "the echo returned %s, flags %s", result_str(n, errno), msg_flags_str(msg_flags));
}

/*
 * A message must fit into the receiver's buffer: 6.1's virtio transports refuse one longer
 * than the smaller of both ends' buffer sizes (EMSGSIZE from seqpacket_enqueue, which
 * af_vsock's sendmsg turns into ENOMEM, as it does every transport error in 6.1).  The
 * buffer size is what SO_VM_SOCKETS_BUFFER_SIZE reads once connected (a transport may set its
 * own at connect: 256 KiB for virtio), and both ends are taken to have the same default.
 * yasmin frames each message in its ring with a header (--record-overhead 8), and sizes the
 * accepting end's ring when it accepts, so a server cannot enlarge it afterwards: there the
 * second part (buffers raised on an accepted socket) does not apply.
 */
static void test_msg_big(void)
{
	const size_t big = SEQ_MAX_MSG;
	int fd = open_or_fail("big messages", (struct cmd){ .op = OP_ECHO });
	uint64_t buffer = 0, largest;
	ssize_t n;
	char ready = 0;

	if (fd < 0)
		return;
	if (get_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, &buffer) || buffer < 2 || buffer >= big) {
		fail("big messages", "buffer size after connect: %" PRIu64 " (%s), expected 2 to %zu",
		     buffer, errname(errno), big - 1);
		close(fd);
		return;
	}
	info("buffer size after connect: %" PRIu64 ", framing per message: %" PRIu64, buffer,
	     opt_record_overhead);
	largest = buffer - opt_record_overhead;
	echo_msg(fd, 0, largest, "a message as big as the buffer (less the framing) comes back whole");
	n = send_msg(fd, 1, largest + 1);
	check(n < 0 && errno == ENOMEM,
	      "a message 1 byte bigger than that fails with ENOMEM (6.1)",
	      "returned %s", result_str(n, errno));
	echo_msg(fd, 2, 100, "the connection still works after the refused message");
	close(fd);
	if (opt_record_overhead) {
		info("skip: buffers raised after accept: the transport sized its rings at accept");
		return;
	}

	/* Both ends' buffers at 1 MiB: ours before connecting, the server's at its 'R'. */
	fd = new_socket(0);
	if (fd < 0 || set_buffer_size(fd, big) ||
	    connect(fd, &server_ep.u.sa, server_ep.len) ||
	    send_cmd(fd, &(struct cmd){ .op = OP_ECHO, .b = big }) ||
	    recv_all(fd, &ready, 1) != 1 || ready != 'R') {
		fail("a 1 MiB message with 1 MiB buffers", "setting up: %s", errname(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	echo_msg(fd, 3, big, "with both buffers at 1 MiB (SO_VM_SOCKETS_BUFFER_SIZE), a 1 MiB "
		 "message comes back whole");
	n = send_msg(fd, 4, big + 1);
	check(n < 0 && errno == ENOMEM, "a message 1 byte bigger than that fails with ENOMEM",
	      "returned %s", result_str(n, errno));
	close(fd);
}

/*
 * MSG_PEEK: 6.1's virtio transports do not peek at seqpacket messages (EOPNOTSUPP, reported
 * as ENOMEM by af_vsock); what matters is that the message is still there afterwards.
 */
static void test_msg_peek(void)
{
	int fd = open_msg_source("MSG_PEEK", MSG_SET_SMALL, 0), msg_flags;
	ssize_t n;

	if (fd < 0)
		return;
	n = recv(fd, msg_buf, sizeof(msg_buf), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		info("recv(MSG_PEEK) on a seqpacket socket fails with %s", errname(errno));
	check(n < 0, "recv(MSG_PEEK) is not supported on seqpacket sockets (6.1)", "returned %s",
	      result_str(n, errno));
	n = recv_msg(fd, msg_buf, sizeof(msg_buf), 0, &msg_flags);
	check(n == 10 && msg_data_ok(0, msg_buf, 10), "the message is still there after the peek",
	      "returned %s", result_str(n, errno));
	close(fd);
}

static void test_msg_poll(void)
{
	int fd = open_or_fail("poll", (struct cmd){ .op = OP_SLEEP_SEND, .a = 300, .b = 10,
						    .seed = opt_seed });
	short revents;
	ssize_t n;

	if (fd < 0)
		return;
	revents = poll_one(fd, POLLOUT, 0);
	check(revents == POLLOUT, "POLLOUT on a fresh connection", "got %s", poll_str(revents));
	revents = poll_one(fd, POLLIN, 0);
	check(revents == 0, "no POLLIN before a message arrives", "got %s", poll_str(revents));
	revents = poll_one(fd, POLLIN, (int)stall_ms);
	n = recv(fd, msg_buf, sizeof(msg_buf), MSG_DONTWAIT);
	check((revents & POLLIN) && n == 10, "POLLIN when the message arrives (300 ms later)",
	      "poll %s, then recv returned %s", poll_str(revents), result_str(n, errno));
	/* The server closes once it reads our EOF. */
	shutdown(fd, SHUT_WR);
	revents = poll_settled(fd, POLLIN | POLLRDHUP, (int)stall_ms);
	n = recv(fd, msg_buf, sizeof(msg_buf), MSG_DONTWAIT);
	check((revents & (POLLIN | POLLRDHUP)) == (POLLIN | POLLRDHUP) && n == 0,
	      "POLLIN POLLRDHUP once the peer closed, then recv returns 0 (EOF)",
	      "poll %s, then recv returned %s", poll_str(revents), result_str(n, errno));
	close(fd);
}

struct semantics_test {
	const char *name;
	void (*run)(void);
};

static const struct semantics_test stream_tests[] = {
	{ "blocking-connect", test_blocking_connect },
	{ "nonblocking-connect", test_nonblocking_connect },
	{ "refused", test_refused },
	{ "concurrent", test_concurrent_echo },
	{ "partial-write", test_partial_write },
	{ "empty-reads", test_empty_reads },
	{ "peek", test_peek },
	{ "waitall", test_waitall },
	{ "shut-wr", test_shut_wr },
	{ "peer-shut-wr", test_peer_shut_wr },
	{ "shut-rd", test_shut_rd_local },
	{ "peer-shut-rd", test_shut_rd_peer },
	{ "shut-rdwr", test_shut_rdwr },
	{ "peer-close", test_peer_close },
	{ "poll", test_poll },
	{ "epoll-et", test_epoll_et },
	{ "epoll-et-nodrain", test_epoll_et_nodrain },
	{ "rcvlowat", test_rcvlowat },
	{ "fionread", test_fionread },
	{ "vsock-options", test_vsock_options },
	{ NULL, NULL },
};

/* --type seqpacket: the stream tests that hold for messages too, then the message tests. */
static const struct semantics_test seqpacket_tests[] = {
	{ "blocking-connect", test_blocking_connect },
	{ "nonblocking-connect", test_nonblocking_connect },
	{ "refused", test_refused },
	{ "cross-type", test_msg_cross_type },
	{ "socket-type", test_msg_socket_type },
	{ "concurrent", test_concurrent_echo },
	{ "boundaries", test_msg_boundaries_in },
	{ "boundaries-out", test_msg_boundaries_out },
	{ "truncation", test_msg_truncation },
	{ "eor", test_msg_eor },
	{ "zero-length", test_msg_zero_length },
	{ "big-message", test_msg_big },
	{ "peek", test_msg_peek },
	{ "poll", test_msg_poll },
	{ "empty-reads", test_empty_reads },
	{ "shut-wr", test_shut_wr },
	{ "peer-shut-wr", test_peer_shut_wr },
	{ "peer-shut-rd", test_shut_rd_peer },
	{ "shut-rdwr", test_shut_rdwr },
	{ "peer-close", test_peer_close },
	{ NULL, NULL },
};

static const struct semantics_test *semantics_tests(void)
{
	return is_seqpacket() ? seqpacket_tests : stream_tests;
}

/* Is NAME in the comma-separated LIST? */
static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, len) && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/* ONLY: comma-separated test names, or NULL for all of them. */
static int cmd_semantics(const char *only)
{
	printf("semantics: %s %s against %s (refused port %" PRIu32 ")\n", family_name(),
	       type_name(sock_type), endpoint_str(&server_ep), endpoint_port(&refused_ep));
	for (const struct semantics_test *t = semantics_tests(); t->name; t++) {
		if (only && !listed(only, t->name))
			continue;
		double started = now();
		int failed_before = atomic_load(&checks_failed);

		printf("--- %s\n", t->name);
		t->run();
		printf("--- %s: %.1f s\n", t->name, now() - started);
		/* Without a first connection every other test would only wait for its timeout. */
		if (t->run == test_blocking_connect &&
		    atomic_load(&checks_failed) > failed_before) {
			fail("semantics", "no connection to the server: the other tests are not run");
			break;
		}
	}
	return 0;
}

/* ---- stream: both directions at once on one connection --------------------------------- */

static int cmd_stream(uint64_t bytes)
{
	struct stream_sender sender = { .seed = opt_seed, .bytes = bytes };
	struct verifier *v = malloc(sizeof(*v));
	unsigned char trailer[TRAILER_SIZE];
	uint64_t s_rx_bytes, s_rx_csum, s_tx_csum, s_mismatch, c_rx_csum, c_tx_csum;
	pthread_t thread;
	double started, seconds;
	ssize_t n;
	int fd;

	if (!v)
		return EXIT_FAILED;
	fd = open_or_fail("stream", (struct cmd){ .op = OP_STREAM, .a = bytes, .seed = opt_seed });
	if (fd < 0)
		goto out;
	started = now();
	sender.fd = fd;
	if (pthread_create(&thread, NULL, stream_sender_main, &sender)) {
		fail("stream", "no sender thread");
		close(fd);
		goto out;
	}
	verifier_init(v, reverse_seed(opt_seed));
	n = -1;
	if (recv_stream(fd, v, bytes, &sender.sent))
		fail("stream: server->client", "receiving failed after %" PRIu64 " of %" PRIu64
		     " bytes: %s", v->offset, bytes, errno == ENODATA ? "premature EOF" : errname(errno));
	else
		n = recv_all(fd, trailer, sizeof(trailer));
	seconds = now() - started;
	/* The sender gives up within the stall time if the server stopped reading. */
	pthread_join(thread, NULL);
	if (sender.err)
		fail("stream: client->server", "sending failed: %s", errname(sender.err));
	close(fd);
	if (v->offset != bytes ||
	    !check(n == (ssize_t)sizeof(trailer) && get_be64(trailer) == TRAILER_MAGIC,
		   "the server's account arrives after its data", "got %s", result_str(n, errno)))
		goto out;

	s_rx_bytes = get_be64(trailer + 8);
	s_rx_csum = get_be64(trailer + 16);
	s_tx_csum = get_be64(trailer + 24);
	s_mismatch = get_be64(trailer + 32);
	c_rx_csum = csum_final(&v->csum);
	c_tx_csum = csum_final(&sender.csum);
	printf("stream: client->server checksum client=%016" PRIx64 " server=%016" PRIx64 "\n",
	       c_tx_csum, s_rx_csum);
	printf("stream: server->client checksum server=%016" PRIx64 " client=%016" PRIx64 "\n",
	       s_tx_csum, c_rx_csum);
	check(s_rx_bytes == bytes && s_mismatch == NO_MISMATCH && s_rx_csum == c_tx_csum,
	      "client->server: every byte verified by the server, checksums equal",
	      "server got %" PRIu64 " bytes, first mismatch at %" PRId64 ", checksums %s",
	      s_rx_bytes, s_mismatch == NO_MISMATCH ? (int64_t)-1 : (int64_t)s_mismatch,
	      s_rx_csum == c_tx_csum ? "equal" : "differ");
	check(v->offset == bytes && v->mismatch == NO_MISMATCH && s_tx_csum == c_rx_csum,
	      "server->client: every byte verified by the client, checksums equal",
	      "client got %" PRIu64 " bytes, first mismatch at %" PRId64 ", checksums %s",
	      v->offset, v->mismatch == NO_MISMATCH ? (int64_t)-1 : (int64_t)v->mismatch,
	      s_tx_csum == c_rx_csum ? "equal" : "differ");
	printf("stream bytes=%" PRIu64 " seconds=%.3f MBps_each_way=%.1f\n", bytes, seconds,
	       (double)bytes / seconds / 1e6);
out:
	free(v);
	return 0;
}

/* ---- many: CONNS connections at once, one thread, epoll -------------------------------- */

struct mconn {
	int fd;
	uint64_t seed, sent, received, mismatch;
	bool done;
};


/* Handles readiness on one connection; returns false on a fatal error (already reported). */
static bool many_step(struct mconn *c, uint32_t events, uint64_t bytes, int ep,
		      unsigned char *buf, unsigned char *scratch)
{
	ssize_t n;

	if ((events & EPOLLOUT) && c->sent < bytes) {
		size_t len = bytes - c->sent < CHUNK ? (size_t)(bytes - c->sent) : CHUNK;

		stream_fill(c->seed, c->sent, buf, len);
		n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->sent += (uint64_t)n;
		} else if (errno != EAGAIN) {
			fail("many: send", "connection seed %" PRIu64 ": %s", c->seed, errname(errno));
			return false;
		}
		if (c->sent == bytes) {
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

			/* The echo server closes after echoing everything once it sees EOF. */
			shutdown(c->fd, SHUT_WR);
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return true;
	while ((n = recv(c->fd, buf, CHUNK, MSG_DONTWAIT)) > 0) {
		if (c->mismatch == NO_MISMATCH)
			c->mismatch = stream_compare(c->seed, c->received, buf, (size_t)n, scratch);
		c->received += (uint64_t)n;
	}
	if (n == 0) {
		c->done = true;
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		return true;
	}
	if (errno != EAGAIN) {
		fail("many: recv", "connection seed %" PRIu64 " after %" PRIu64 " bytes: %s", c->seed,
		     c->received, errname(errno));
		return false;
	}
	return true;
}

static int cmd_many(unsigned int conns, uint64_t bytes)
{
	struct mconn *c = calloc(conns, sizeof(*c));
	unsigned char *buf = malloc(CHUNK), *scratch = malloc(CHUNK);
	struct epoll_event events[64];
	unsigned int opened = 0, done = 0, good = 0;
	double started;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	bool healthy = true;

	if (!c || !buf || !scratch || ep < 0)
		return EXIT_FAILED;
	raise_nofile(conns + 64);
	started = now();
	/* Every connection is open before any data moves. */
	for (; opened < conns; opened++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };

		c[opened].seed = opt_seed + opened;
		c[opened].mismatch = NO_MISMATCH;
		c[opened].fd = open_cmd(&server_ep, (struct cmd){ .op = OP_ECHO });
		if (c[opened].fd < 0) {
			fail("many: connect", "connection %u of %u: %s", opened + 1, conns,
			     errname(errno));
			break;
		}
		/* The first byte's echo proves the server accepted this connection.  Without it
		 * the connects can outrun accept(): the listener's backlog (128) overflows, and
		 * vsock answers that with a reset, TCP with a dropped SYN. */
		stream_fill(c[opened].seed, 0, buf, 1);
		if (send_all(c[opened].fd, buf, 1) != 1 || recv_all(c[opened].fd, scratch, 1) != 1 ||
		    buf[0] != scratch[0]) {
			fail("many: connect", "connection %u of %u: no echo of the first byte: %s",
			     opened + 1, conns, errname(errno));
			close(c[opened].fd);
			break;
		}
		c[opened].sent = c[opened].received = 1;
		set_nonblocking(c[opened].fd, true);
		ev.data.ptr = &c[opened];
		epoll_ctl(ep, EPOLL_CTL_ADD, c[opened].fd, &ev);
	}
	if (opened == conns)
		ok("%u connections open at the same time (%.1f s to open)", conns, now() - started);
	started = now();
	while (healthy && done < opened) {
		int n = epoll_wait(ep, events, 64, (int)stall_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail("many: progress", "nothing moved for %u ms with %u of %u connections "
			     "unfinished", stall_ms, opened - done, opened);
			break;
		}
		for (int i = 0; i < n && healthy; i++) {
			struct mconn *m = events[i].data.ptr;

			healthy = many_step(m, events[i].events, bytes, ep, buf, scratch);
			if (m->done) {
				done++;
				good += m->received == bytes && m->mismatch == NO_MISMATCH;
			}
		}
	}
	check(opened == conns && done == conns && good == conns,
	      "many: every connection moved its bytes both ways, verified",
	      "%u opened, %u finished, %u correct of %u", opened, done, good, conns);
	printf("many conns=%u held=%u bytes_each=%" PRIu64 " seconds=%.3f MBps_total=%.1f\n", conns,
	       opened, bytes, now() - started, 2.0 * (double)bytes * good / (now() - started) / 1e6);
	for (unsigned int i = 0; i < opened; i++)
		if (!c[i].done)
			close(c[i].fd);
	close(ep);
	free(c);
	free(buf);
	free(scratch);
	return 0;
}

/* ---- cycles: connections made and closed one after the other --------------------------- */

/*
 * One cycle: connect, BYTES of the stream for SEED to an echo, our EOF, the whole echo
 * verified, the server's EOF, close.  0, or -1 with errno and the failed step in *STEP.
 */
static int one_cycle(uint64_t seed, size_t bytes, unsigned char *out, unsigned char *in,
		     const char **step)
{
	int fd, err = 0;
	ssize_t n;

	*step = "connect";
	fd = open_cmd(&server_ep, (struct cmd){ .op = OP_ECHO });
	if (fd < 0)
		return -1;
	stream_fill(seed, 0, out, bytes);
	if (send_all(fd, out, bytes) != (ssize_t)bytes) {
		*step = "send";
		err = errno;
	} else if (shutdown(fd, SHUT_WR)) {
		*step = "shutdown";
		err = errno;
	} else if ((n = recv_all(fd, in, bytes)) != (ssize_t)bytes) {
		*step = "receive the echo";
		err = n < 0 ? errno : ENODATA;
	} else if (memcmp(in, out, bytes)) {
		*step = "verify the echo";
		err = EBADMSG;
	} else if ((n = recv(fd, in, 1, 0)) != 0) {
		*step = "the server's EOF";
		err = n < 0 ? errno : EPROTO;
	}
	close(fd);
	errno = err;
	return err ? -1 : 0;
}

/* COUNT sequential cycles; stops at the first failure. */
static int cmd_cycles(uint64_t count, uint64_t bytes)
{
	unsigned char *out = malloc(bytes ? bytes : 1), *in = malloc(bytes ? bytes : 1);
	double started = now(), next_report = started + 10, seconds;
	const char *step = "";
	uint64_t done = 0;
	int err = 0;

	if (!out || !in)
		return EXIT_FAILED;
	for (; done < count; done++) {
		if (one_cycle(opt_seed + done, (size_t)bytes, out, in, &step)) {
			err = errno;
			break;
		}
		if (now() >= next_report) {
			printf("cycles: %" PRIu64 " done after %.0f s\n", done + 1, now() - started);
			next_report += 10;
		}
	}
	seconds = now() - started;
	check(done == count, "cycles: every connect / echo / close cycle worked, every echo verified",
	      "cycle %" PRIu64 " of %" PRIu64 " failed at %s: %s", done + 1, count, step,
	      errname(err));
	printf("cycles family=%s count=%" PRIu64 " done=%" PRIu64 " bytes_each=%" PRIu64
	       " seconds=%.3f cycles_per_s=%.1f\n", family_name(), count, done, bytes, seconds,
	       seconds > 0 ? (double)done / seconds : 0.0);
	free(out);
	free(in);
	return 0;
}

/* ---- exhaust: connections until the transport runs out -------------------------------- */

/* The errors that mean "out of resources": what a transport may answer to one too many. */
static bool resource_errno(int err)
{
	return err == ENOBUFS || err == ENOSPC || err == ENOMEM;
}

/* Until --hold-seconds have passed, or else until stdin reaches EOF. */
static void exhaust_hold(void)
{
	char buf[256];

	if (opt_hold_seconds_given) {
		info("holding the connections for %" PRIu64 " s", opt_hold_seconds);
		sleep_ms((unsigned int)(opt_hold_seconds * 1000));
		return;
	}
	info("holding the connections until stdin is closed");
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0 || errno == EINTR)
		;
}

/*
 * Parked connections (OP_PARK: no server thread each) opened one after the other, each
 * counted once the server confirms it, until one fails or MAX are open.
 */
static int cmd_exhaust(uint64_t max)
{
	int *fds = calloc(max ? max : 1, sizeof(*fds)), err = 0;
	double started = now(), next_report = started + 10;
	const char *step = "connect";
	uint64_t opened = 0;

	if (!fds)
		return EXIT_FAILED;
	raise_nofile(max + 64);
	while (opened < max) {
		int fd = open_cmd(&server_ep, (struct cmd){ .op = OP_PARK });
		char ack = 0;
		ssize_t n;

		if (fd < 0) {
			err = errno;
			step = "connect";
			break;
		}
		n = recv_all(fd, &ack, 1);
		if (n != 1 || ack != 'P') {
			err = n < 0 ? errno : EPROTO;
			step = "the server's confirmation";
			close(fd);
			break;
		}
		fds[opened++] = fd;
		if (now() >= next_report) {
			printf("exhaust: %" PRIu64 " open after %.0f s\n", opened, now() - started);
			next_report += 10;
		}
	}
	printf("exhaust opened=%" PRIu64 " max=%" PRIu64 " failure=%s seconds=%.1f\n", opened, max,
	       opened < max ? errname(err) : "none", now() - started);
	if (opened == max)
		check(opt_allow_cap, "exhaust: the cap was reached and --allow-cap was given",
		      "%" PRIu64 " connections open without a failure", opened);
	else
		check(resource_errno(err),
		      "exhaust: the first failure is a resource error (ENOBUFS, ENOSPC or ENOMEM)",
		      "connection %" PRIu64 " failed at %s with %s", opened + 1, step, errname(err));
	exhaust_hold();
	for (uint64_t i = 0; i < opened; i++)
		close(fds[i]);
	info("closed %" PRIu64 " connections", opened);
	free(fds);
	return 0;
}

/* ---- benchmarks ------------------------------------------------------------------------ */

static int cmd_bench_tput(double seconds, size_t msgsize)
{
	unsigned char *buf = malloc(msgsize), report[SINK_REPORT_SIZE];
	uint64_t total = 0;
	double started, elapsed;
	ssize_t n;
	int fd;

	if (!buf)
		return EXIT_FAILED;
	/* b = 1: the sink skips its checksum, so only the transport is measured. */
	fd = open_or_fail("bench tput", (struct cmd){ .op = OP_SINK, .b = 1 });
	if (fd < 0)
		return 0;
	stream_fill(opt_seed, 0, buf, msgsize);
	started = now();
	while (now() - started < seconds) {
		if (send_all(fd, buf, msgsize) < 0) {
			fail("bench tput", "send after %" PRIu64 " bytes: %s", total, errname(errno));
			close(fd);
			return 0;
		}
		total += msgsize;
	}
	shutdown(fd, SHUT_WR);
	n = recv_all(fd, report, sizeof(report));
	elapsed = now() - started;
	close(fd);
	if (check(n == (ssize_t)sizeof(report) && get_be64(report) == total,
		  "bench tput: the server received every byte", "report %s", result_str(n, errno)))
		printf("bench tput family=%s bytes=%" PRIu64 " seconds=%.3f MBps=%.1f\n",
		       family_name(), total, elapsed, (double)total / elapsed / 1e6);
	free(buf);
	return 0;
}

static int cmd_bench_rr(unsigned long iterations)
{
	int fd = open_or_fail("bench rr", (struct cmd){ .op = OP_ECHO });
	double started;
	char byte = 'r';

	if (fd < 0)
		return 0;
	for (int i = 0; i < 10; i++)	/* warm up: first-use costs are not latency */
		if (send_all(fd, &byte, 1) != 1 || recv_all(fd, &byte, 1) != 1)
			break;
	started = now();
	for (unsigned long i = 0; i < iterations; i++) {
		ssize_t n;

		if (send_all(fd, &byte, 1) != 1 || (n = recv_all(fd, &byte, 1)) != 1) {
			fail("bench rr", "round trip %lu: %s", i, errname(errno));
			close(fd);
			return 0;
		}
	}
	printf("bench rr family=%s iterations=%lu usec_per_roundtrip=%.1f\n", family_name(),
	       iterations, (now() - started) * 1e6 / (double)iterations);
	close(fd);
	return 0;
}

/* ---- the peer goes away ---------------------------------------------------------------- */

static int cmd_wait_reset(void)
{
	struct cmd c = { .op = OP_HOLD };
	/* --hold-seconds: a live migration under emulation can take minutes before it suspends. */
	struct timeval tv = { .tv_sec = opt_hold_seconds_given ? (time_t)opt_hold_seconds : 60 };
	char byte;
	ssize_t n;
	int fd;

	/* --abort-after: the server resets the connection itself (tests this program over
	 * TCP; vsock has no abortive close). */
	if (opt_abort_after_ms)
		c = (struct cmd){ .op = OP_ABORT, .a = opt_abort_after_ms };
	fd = open_or_fail("wait-reset", c);
	if (fd < 0)
		return 0;
	ok("connected to %s, the server holds the connection: waiting up to %ld s for a reset",
	   endpoint_str(&server_ep), (long)tv.tv_sec);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, &byte, 1, 0);
	check(n < 0 && errno == ECONNRESET, "recv fails with ECONNRESET when the peer goes away",
	      "%s", n == 0 ? "EOF instead" : n < 0 && errno == EAGAIN ? "nothing in time" :
	      result_str(n, errno));
	n = send(fd, "x", 1, MSG_NOSIGNAL);
	info("a send after the reset returns %s", result_str(n, errno));
	close(fd);
	return 0;
}

/* ---- one stream across resets: reconnect-stream ----------------------------------------- */

/*
 * The peer to connect to: ADDR is a CID, or "view:IP", which is looked up again before every
 * connection in /proc/net/yasmin_view (docs/contract.md): a peer that was saved and restored
 * or migrated comes back at a new CID, and the view is how a guest learns it.  While a
 * migration is under way the view can list the address twice (the old domain and the paused
 * incoming one); the last line wins, and a wrong pick only costs one connect timeout.
 * Returns false if the address is not (yet) in the view.
 */
#define VIEW_PREFIX "view:"

static bool peer_cid(const char *addr, uint32_t *cid)
{
	char line[256], ip[64];
	uint32_t found = 0;
	FILE *f;

	if (strncmp(addr, VIEW_PREFIX, strlen(VIEW_PREFIX)))
		return parse_u32(addr, cid);
	f = fopen("/proc/net/yasmin_view", "r");
	if (!f)
		return false;
	/* The first line is "generation N domid D"; then "ADDRESS CID" per address. */
	while (fgets(line, sizeof(line), f)) {
		unsigned long value;

		if (sscanf(line, "%63s %lu", ip, &value) == 2 &&
		    !strcmp(ip, addr + strlen(VIEW_PREFIX)) && value <= UINT32_MAX)
			found = (uint32_t)value;
	}
	fclose(f);
	*cid = found;
	return found != 0;
}

/*
 * A connection to ADDR's current CID asking for the stream from OFFSET on, retried (every
 * 100 ms, each connect waiting at most 2 s) until RECONNECT_MS have passed: the peer may be
 * suspended, not yet in the view, or not yet reachable (ENETUNREACH until dom0 re-creates
 * the rendezvous directories).  The socket, or -1 after reporting why.
 */
static int reconnect(const char *addr, uint32_t port, uint64_t offset, unsigned int reconnect_ms,
		     uint32_t *cid)
{
	struct cmd c = { .op = OP_SOURCE, .a = UINT64_MAX - offset, .b = offset, .seed = opt_seed };
	double deadline = now() + reconnect_ms / 1000.0;
	int last_err = 0;

	for (;;) {
		struct endpoint ep;
		int fd;

		if (!peer_cid(addr, cid)) {
			last_err = ENOENT;	/* not in the view */
		} else if (endpoint_make(&ep, NULL, port)) {
			ep.u.vm.svm_cid = *cid;
			fd = new_socket(0);
			if (fd >= 0) {
				set_vsock_connect_timeout(fd, 2000);
				if (connect(fd, &ep.u.sa, ep.len) == 0 && send_cmd(fd, &c) == 0)
					return fd;
				last_err = errno;
				close(fd);
			} else {
				last_err = errno;
			}
		}
		if (now() > deadline) {
			fail("reconnect-stream", "no connection to %s port %" PRIu32 " within %u ms (last: %s)",
			     addr, port, reconnect_ms, last_err == ENOENT ? "not in the view" : errname(last_err));
			return -1;
		}
		sleep_ms(100);
	}
}

/*
 * reconnect-stream ADDR PORT SECONDS: reads one endless stream from the server for SECONDS
 * (or until the --stop-file exists), at --rate bytes/s if given.  When the connection is
 * reset (the peer was saved, restored or migrated), it connects again and asks for the stream
 * from the first byte it has not received, so in the end every byte of one contiguous stream
 * has been checked, whatever the resets cut.  A connection that neither moves nor fails for
 * --stall-ms is a hang: a failure, as is a connection that ends any other way than with
 * ECONNRESET.  Last line: "reconnect-stream bytes=N connections=N resets=N cids=A,B,...".
 */
static const char *opt_stop_file;
static uint64_t opt_rate;
static unsigned int opt_reconnect_ms = 120000;

static int cmd_reconnect_stream(const char *addr, uint32_t port, uint64_t seconds)
{
	struct verifier *v = malloc(sizeof(*v));
	unsigned char *buf = malloc(CHUNK);
	double started = now(), end = started + (double)seconds;
	unsigned int connections = 0, resets = 0;
	char cids[512] = "";
	uint32_t cid = 0, last_cid = 0;
	int fd = -1;

	if (!v || !buf) {
		fail("reconnect-stream", "out of memory");
		goto out;
	}
	verifier_init(v, opt_seed);
	while (now() < end && !(opt_stop_file && access(opt_stop_file, F_OK) == 0)) {
		ssize_t n;

		if (fd < 0) {
			double asked = now();

			fd = reconnect(addr, port, v->offset, opt_reconnect_ms, &cid);
			if (fd < 0)
				break;
			connections++;
			if (cid != last_cid) {
				size_t used = strlen(cids);

				snprintf(cids + used, sizeof(cids) - used, "%s%" PRIu32, used ? "," : "", cid);
				last_cid = cid;
			}
			info("connection %u: vsock %" PRIu32 ":%" PRIu32 " from offset %" PRIu64
			     " (%.2f s to connect)", connections, cid, port, v->offset, now() - asked);
		}
		n = recv(fd, buf, CHUNK, 0);
		if (n > 0) {
			verify(v, buf, (size_t)n);
			if (v->mismatch != NO_MISMATCH) {
				fail("reconnect-stream", "received data differs from the stream at offset %" PRIu64,
				     v->mismatch);
				break;
			}
			/* --rate: sleep off whatever is ahead of the average since the start. */
			if (opt_rate) {
				double ahead = (double)v->offset / (double)opt_rate - (now() - started);

				if (ahead > 0)
					sleep_ms((unsigned int)(ahead * 1000));
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET) {
			resets++;
			info("connection %u reset at offset %" PRIu64 " after %.1f s: reconnecting",
			     connections, v->offset, now() - started);
		} else {
			/* EAGAIN: SO_RCVTIMEO (--stall-ms) expired with the connection up. */
			fail("reconnect-stream", "connection %u ended at offset %" PRIu64 " with %s, not ECONNRESET%s",
			     connections, v->offset, n == 0 ? "EOF" : errname(errno),
			     n < 0 && errno == EAGAIN ? " (no data and no reset: a hang)" : "");
			close(fd);
			fd = -1;
			break;
		}
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (v->mismatch == NO_MISMATCH)
		check(v->offset > 0, "every byte received over all connections is the stream's, in order, none missing",
		      "nothing received");
	printf("reconnect-stream bytes=%" PRIu64 " connections=%u resets=%u seconds=%.1f cids=%s\n",
	       v->offset, connections, resets, now() - started, cids);
out:
	free(buf);
	free(v);
	return 0;
}

static int cmd_connect_timeout(unsigned int ms)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0), rc, err;
	double started, elapsed, expected = ms / 1000.0;

	if (fd < 0 || set_vsock_connect_timeout(fd, ms)) {
		fail("connect-timeout", "socket: %s", errname(errno));
		return 0;
	}
	started = now();
	rc = connect(fd, &server_ep.u.sa, server_ep.len);
	err = errno;
	elapsed = now() - started;
	close(fd);
	check(rc < 0 && err == ETIMEDOUT,
	      "connect to a peer that never answers fails with ETIMEDOUT", "got %s after %.3f s",
	      rc ? errname(err) : "success", elapsed);
	/* Jiffies round the timeout; an emulated machine adds its own slowness. */
	check(elapsed >= expected - 0.05 && elapsed <= expected * 1.5 + 3,
	      "connect honours SO_VM_SOCKETS_CONNECT_TIMEOUT",
	      "gave up after %.3f s with a timeout of %.3f s", elapsed, expected);
	return 0;
}

/* ---- command line ---------------------------------------------------------------------- */

static int usage(FILE *out, int status)
{
	fprintf(out,
		"usage: yasmin-vsock-test SUBCOMMAND [OPTIONS] ARGS\n"
		"\n"
		"  serve PORT                     serve the test commands (PORT 0: any free port)\n"
		"  semantics ADDR PORT            the socket-semantics suite against a server\n"
		"  stream ADDR PORT BYTES         BYTES each way at once, verified, with checksums\n"
		"  many ADDR PORT CONNS BYTES     CONNS connections open at once, BYTES each way\n"
		"  cycles ADDR PORT [--count N] [--bytes B]\n"
		"                                 N connect / echo B bytes / close cycles in a row\n"
		"  exhaust ADDR PORT [--max N] [--allow-cap] [--hold-seconds S]\n"
		"                                 connections until connect fails; passes only if\n"
		"                                 it fails with ENOBUFS, ENOSPC or ENOMEM (or N are\n"
		"                                 open and --allow-cap); holds them S s or until\n"
		"                                 stdin is closed, then closes them\n"
		"  bench-tput ADDR PORT SECONDS [MSGSIZE]   one-way throughput (MB = 10^6 bytes)\n"
		"  bench-rr ADDR PORT ITERATIONS  1-byte ping-pong latency\n"
		"  wait-reset ADDR PORT           hold a connection, expect ECONNRESET (--hold-seconds)\n"
		"  reconnect-stream ADDR PORT SECONDS\n"
		"                                 read one stream from the server for SECONDS,\n"
		"                                 reconnecting where a reset cut it (vsock; ADDR\n"
		"                                 may be view:IP: the CID /proc/net/yasmin_view\n"
		"                                 gives IP, looked up at every connection)\n"
		"  connect-timeout ADDR PORT MS   vsock: connect to a silent peer, expect ETIMEDOUT\n"
		"\n"
		"ADDR is a CID for --family vsock (default) or an IPv4 address for --family tcp.\n"
		"\n"
		"options:\n"
		"  --family vsock|tcp     address family (default vsock)\n"
		"  --type stream|seqpacket  vsock socket type (default stream): serve, semantics,\n"
		"                         stream, cycles\n"
		"  --timeout SECONDS      fail if the whole run takes longer (clients: default %d)\n"
		"  --stall-ms MS          fail any single wait longer than this (default %d)\n"
		"  --seed N               seed of the data streams\n"
		"  --refused-port PORT    semantics: a port nobody listens on (default PORT+1)\n"
		"  --only T1,T2...        semantics: run only these tests (names: --list)\n"
		"  --list                 semantics: list the tests (of --type)\n"
		"  --cross-port PORT      semantics --type seqpacket: a port with a stream listener\n"
		"  --record-overhead N    semantics --type seqpacket: the largest message is the\n"
		"                         buffer size minus N (yasmin: 8, its record header)\n"
		"  --count N              cycles: how many (default 1000)\n"
		"  --bytes B              cycles: bytes echoed per cycle, at most %d (default 1000)\n"
		"  --max N                exhaust: stop after N connections (default 100000)\n"
		"  --allow-cap            exhaust: reaching --max passes\n"
		"  --hold-seconds S       exhaust: hold the connections S s (default: until stdin EOF);\n"
		"                         wait-reset: wait S s for the reset (default 60)\n"
		"  --abort-after MS       wait-reset: ask the server to reset the connection itself\n"
		"  --stop-file FILE       reconnect-stream: stop once FILE exists\n"
		"  --rate BYTES           reconnect-stream: read at most BYTES per second on average\n"
		"  --reconnect-ms MS      reconnect-stream: give up reconnecting after MS (default\n"
		"                         120000)\n"
		"  --daemon               serve: detach (stdio to /dev/null or --log)\n"
		"  --pidfile FILE         serve --daemon: write the server's pid\n"
		"  --log FILE             serve --daemon: append output to FILE\n"
		"  --port-file FILE       serve: write the port listened on\n"
		"  --bind IPV4            serve --family tcp: address to listen on (default any)\n"
		"\n"
		"Prints \"ok: WHAT\" or \"FAIL: WHAT: DETAIL\" for every check; exits 1 if any failed.\n",
		DEFAULT_CLIENT_TIMEOUT_S, DEFAULT_STALL_MS, CHUNK);
	return status;
}

static bool parse_number(const char *text, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(text, &end, 0);
	return !errno && *text && !*end && text[0] != '-';
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stall-ms", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "refused-port", required_argument, NULL, 'r' },
		{ "abort-after", required_argument, NULL, 'a' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "bind", required_argument, NULL, 'b' },
		{ "only", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'L' },
		{ "type", required_argument, NULL, 'T' },
		{ "cross-port", required_argument, NULL, 'x' },
		{ "record-overhead", required_argument, NULL, 'O' },
		{ "count", required_argument, NULL, 'c' },
		{ "bytes", required_argument, NULL, 'B' },
		{ "max", required_argument, NULL, 'm' },
		{ "allow-cap", no_argument, NULL, 'A' },
		{ "hold-seconds", required_argument, NULL, 'H' },
		{ "stop-file", required_argument, NULL, 'F' },
		{ "rate", required_argument, NULL, 'R' },
		{ "reconnect-ms", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sub;
	uint64_t n[3] = { 0 }, timeout = DEFAULT_CLIENT_TIMEOUT_S, value;
	uint32_t port;
	char **args;
	int nargs, opt;
	bool list = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help"))
		return usage(stdout, 0);
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "vsock"))
				family = AF_VSOCK;
			else if (!strcmp(optarg, "tcp"))
				family = AF_INET;
			else
				return usage(stderr, EXIT_USAGE);
			break;
		case 't':
			if (!parse_number(optarg, &timeout))
				return usage(stderr, EXIT_USAGE);
			break;
		case 's':
			if (!parse_number(optarg, &value) || !value || value > INT32_MAX)
				return usage(stderr, EXIT_USAGE);
			stall_ms = (unsigned int)value;
			break;
		case 'S':
			if (!parse_number(optarg, &opt_seed))
				return usage(stderr, EXIT_USAGE);
			break;
		case 'r':
			if (!parse_number(optarg, &value) || value > UINT32_MAX)
				return usage(stderr, EXIT_USAGE);
			refused_port = (long)value;
			break;
		case 'a':
			if (!parse_number(optarg, &value) || value > INT32_MAX)
				return usage(stderr, EXIT_USAGE);
			opt_abort_after_ms = (unsigned int)value;
			break;
		case 'd':
			opt_daemon = true;
			break;
		case 'p':
			opt_pidfile = optarg;
			break;
		case 'l':
			opt_logfile = optarg;
			break;
		case 'P':
			opt_portfile = optarg;
			break;
		case 'b':
			opt_bind = optarg;
			break;
		case 'o':
			opt_only = optarg;
			break;
		case 'L':
			list = true;
			break;
		case 'T':
			if (!strcmp(optarg, "stream"))
				sock_type = SOCK_STREAM;
			else if (!strcmp(optarg, "seqpacket"))
				sock_type = SOCK_SEQPACKET;
			else
				return usage(stderr, EXIT_USAGE);
			break;
		case 'x':
			if (!parse_number(optarg, &value) || value > UINT32_MAX)
				return usage(stderr, EXIT_USAGE);
			cross_port = (long)value;
			break;
		case 'O':
			if (!parse_number(optarg, &opt_record_overhead) || opt_record_overhead > 4096)
				return usage(stderr, EXIT_USAGE);
			break;
		case 'c':
			if (!parse_number(optarg, &opt_count))
				return usage(stderr, EXIT_USAGE);
			break;
		case 'B':
			if (!parse_number(optarg, &opt_bytes) || opt_bytes > CHUNK)
				return usage(stderr, EXIT_USAGE);
			break;
		case 'm':
			if (!parse_number(optarg, &opt_max) || opt_max > 10000000)
				return usage(stderr, EXIT_USAGE);
			break;
		case 'A':
			opt_allow_cap = true;
			break;
		case 'H':
			if (!parse_number(optarg, &opt_hold_seconds) || opt_hold_seconds > 86400)
				return usage(stderr, EXIT_USAGE);
			opt_hold_seconds_given = true;
			break;
		case 'F':
			opt_stop_file = optarg;
			break;
		case 'R':
			if (!parse_number(optarg, &opt_rate))
				return usage(stderr, EXIT_USAGE);
			break;
		case 'C':
			if (!parse_number(optarg, &value) || !value || value > INT32_MAX)
				return usage(stderr, EXIT_USAGE);
			opt_reconnect_ms = (unsigned int)value;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	args = argv + 1 + optind;
	nargs = argc - 1 - optind;
	/* TCP has no SOCK_SEQPACKET (SCTP has, and is not what is being compared). */
	if (is_seqpacket() && !is_vsock())
		return usage(stderr, EXIT_USAGE);
	if (list) {
		for (const struct semantics_test *t = semantics_tests(); t->name; t++)
			printf("%s\n", t->name);
		return 0;
	}

	if (!strcmp(sub, "serve")) {
		if (nargs != 1 || !parse_u32(args[0], &port))
			return usage(stderr, EXIT_USAGE);
		return cmd_serve(port);
	}

	/* ADDR may name a peer by its address in the view: not an endpoint yet. */
	if (!strcmp(sub, "reconnect-stream")) {
		uint32_t cid;

		if (!is_vsock() || is_seqpacket() || nargs != 3 || !parse_u32(args[1], &port) ||
		    !parse_number(args[2], &n[0]) || !n[0] ||
		    (strncmp(args[0], VIEW_PREFIX, strlen(VIEW_PREFIX)) && !parse_u32(args[0], &cid)))
			return usage(stderr, EXIT_USAGE);
		if (timeout) {
			signal(SIGALRM, on_alarm);
			alarm((unsigned int)timeout);
		}
		cmd_reconnect_stream(args[0], port, n[0]);
		printf("%s: %d ok, %d failed\n", sub, atomic_load(&checks_passed),
		       atomic_load(&checks_failed));
		return atomic_load(&checks_failed) ? EXIT_FAILED : 0;
	}

	/* Every client subcommand: ADDR PORT, then numbers. */
	{
		static const struct {
			const char *name;
			int min_numbers, max_numbers;
		} clients[] = {
			{ "semantics", 0, 0 }, { "stream", 1, 1 }, { "many", 2, 2 },
			{ "bench-tput", 1, 2 }, { "bench-rr", 1, 1 }, { "wait-reset", 0, 0 },
			{ "connect-timeout", 1, 1 }, { "cycles", 0, 0 }, { "exhaust", 0, 0 },
		};
		int which = -1;

		for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
			if (!strcmp(sub, clients[i].name))
				which = (int)i;
		if (which < 0 || nargs < 2 + clients[which].min_numbers ||
		    nargs > 2 + clients[which].max_numbers || !parse_u32(args[1], &port) ||
		    !endpoint_make(&server_ep, args[0], port))
			return usage(stderr, EXIT_USAGE);
		for (int i = 2; i < nargs; i++)
			if (!parse_number(args[i], &n[i - 2]))
				return usage(stderr, EXIT_USAGE);
	}
	if (timeout) {
		signal(SIGALRM, on_alarm);
		alarm((unsigned int)timeout);
	}
	refused_ep = server_ep;
	endpoint_set_port(&refused_ep, refused_port >= 0 ? (uint32_t)refused_port : port + 1);

	if (!strcmp(sub, "semantics"))
		cmd_semantics(opt_only);
	else if (!strcmp(sub, "stream"))
		cmd_stream(n[0]);
	else if (!strcmp(sub, "many"))
		cmd_many((unsigned int)n[0], n[1]);
	else if (!strcmp(sub, "bench-tput"))
		cmd_bench_tput((double)n[0], n[1] ? (size_t)n[1] : CHUNK);
	else if (!strcmp(sub, "bench-rr"))
		cmd_bench_rr((unsigned long)n[0]);
	else if (!strcmp(sub, "wait-reset"))
		cmd_wait_reset();
	else if (!strcmp(sub, "cycles"))
		cmd_cycles(opt_count, opt_bytes);
	else if (!strcmp(sub, "exhaust"))
		cmd_exhaust(opt_max);
	else if (!strcmp(sub, "connect-timeout")) {
		if (!is_vsock())
			return usage(stderr, EXIT_USAGE);
		cmd_connect_timeout((unsigned int)n[0]);
	}
	printf("%s: %d ok, %d failed\n", sub, atomic_load(&checks_passed),
	       atomic_load(&checks_failed));
	return atomic_load(&checks_failed) ? EXIT_FAILED : 0;
}
