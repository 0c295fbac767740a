/*
 * libFuzzer target over the userspace build of guest-kmod/ring.c, guest-kmod/ctrl_msg.c and
 * guest-kmod/seqpacket.c (docs/fuzzing.md says how to run it).
 *
 * The fuzz input plays the hostile peer.  Two rings live in ordinary memory, each a
 * descriptor page and nr_pages separately allocated data pages (not virtually contiguous, as
 * on the mapping side of a real ring).  On each ring the honest side
 * can act as producer, as consumer, or as both; the peer writes any 32-bit value into any word
 * of the shared descriptor and any bytes into the data pages, between any two honest calls.
 * After every step the harness checks what ring.h and <yasmin/contract.h> promise, against
 * its own model of each side, and abort()s on the first broken promise, which libFuzzer
 * reports as a crash:
 *
 *  - an index the peer wrote is accepted exactly when it satisfies the contract
 *    (0 <= prod - cons <= size, neither index moving back), and the value returned is the one
 *    that index implies; so readable and space never exceed the ring's size;
 *  - chunks cover exactly the bytes asked for, each piece at index & (size - 1) in the data
 *    area, inside one data page;
 *  - a faulted ring stays faulted with the same cause, every later call returns -EPROTO (or
 *    false) and shared memory is not touched again;
 *  - the honest side's private indexes never move back, and an honest call writes only the
 *    descriptor words it owns, with the values it should;
 *  - read_layout/producer_init/consumer_init accept exactly the valid layouts;
 *  - while the peer has not written an index or a data byte, every byte the honest consumer
 *    reads is the byte the honest producer wrote at that stream position (identical, in order);
 *  - seqpacket.c's records: record_begin() writes the header it was given and publishes
 *    nothing, record_commit() publishes header and payload at once, and record_read() takes
 *    exactly the headers the contract allows (known flags, the whole record readable) from
 *    whatever the ring holds at cons, honest or not, and moves no index;
 *  - yasmin_ctrl_msg_well_formed() agrees with an independent reading of the rules in
 *    contract.h, on every 32-byte slice of the input and on the message of each CTRL
 *    operation and every message one bit away from it.
 *
 * Input format (bytes missing at the end read as 0):
 *   per ring: SETUP = nr_sel (nr_pages = 1 << (nr_sel % 10)), start_mode, [start], seed
 *   then operations, each an op byte: bit 7 picks the ring, (op & 0x7f) % OP_COUNT the
 *   operation, followed by the operation's arguments (see the OP_* list and run_op()).
 * tests/fuzz/seeds/ holds hand-made examples (tests/fuzz/make_seeds.py writes them);
 * RING_FUZZ_TRACE=1 ring_fuzz INPUT prints each step of one input and the state after it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_msg.h"
#include "ring.h"
#include "seqpacket.h"

#define PAGE YASMIN_PAGE_SIZE
#define DESC_WORDS (PAGE / 4)
#define NR_RINGS 2
/* Pattern bytes written plus bytes compared per input, so that no input runs for seconds. */
#define DATA_BUDGET (8u << 20)

static void fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

static void fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ring_fuzz: invariant broken at %s:%d: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* --- Reading the input --- */

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t in_u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t in_u16(struct input *in)
{
	uint16_t lo = in_u8(in);

	return (uint16_t)(lo | (uint16_t)in_u8(in) << 8);
}

static uint32_t in_u32(struct input *in)
{
	uint32_t lo = in_u16(in);

	return lo | (uint32_t)in_u16(in) << 16;
}

/* A length: small, medium, any 32-bit value, or near @hint (what the ring said is there). */
static uint32_t in_len(struct input *in, uint32_t hint)
{
	uint8_t mode = in_u8(in);

	switch (mode & 3) {
	case 0:
		return in_u8(in);
	case 1:
		return in_u16(in);
	case 2:
		return in_u32(in);
	default:
		return hint + (uint32_t)(int32_t)(int8_t)in_u8(in);
	}
}

/* --- Independent models of the rules --- */

static bool nr_pages_valid(uint32_t nr)
{
	return nr >= 1 && nr <= 512 && (nr & (nr - 1)) == 0;
}

/*
 * The bytes the honest producer writes at a free-running stream position, a 4-byte word per
 * word of the stream.  Multiplying by an odd constant is a bijection modulo 2^32, so no two
 * words of one stream are alike: bytes a ring's size apart differ and misplaced ones show.
 */
static inline uint32_t pattern_word(uint32_t seed, uint32_t word)
{
	return word * 0x9E3779B1u ^ seed;
}

static inline uint8_t pattern(uint32_t seed, uint32_t pos)
{
	return (uint8_t)(pattern_word(seed, pos / 4) >> (8 * (pos % 4)));
}

/*
 * The byte loops over ring data run without coverage instrumentation: they have no branches
 * worth learning from, and tracing every byte's comparison would take most of the time.
 */
__attribute__((no_sanitize("coverage"), noinline))
static void pattern_fill(uint8_t *dst, uint32_t seed, uint32_t pos, uint32_t n)
{
	uint32_t k = 0, word;

	for (; k < n && (pos + k) % 4; k++)
		dst[k] = pattern(seed, pos + k);
	for (; n - k >= 4; k += 4) {
		word = pattern_word(seed, (pos + k) / 4);
		memcpy(dst + k, &word, 4);  /* little-endian: byte i of the word at pos % 4 == i */
	}
	for (; k < n; k++)
		dst[k] = pattern(seed, pos + k);
}

/* Returns the index of the first byte that is not the pattern, or @n. */
__attribute__((no_sanitize("coverage"), noinline))
static uint32_t pattern_mismatch(const uint8_t *src, uint32_t seed, uint32_t pos, uint32_t n)
{
	uint32_t k = 0, word;

	for (; k < n && (pos + k) % 4; k++)
		if (src[k] != pattern(seed, pos + k))
			return k;
	for (; n - k >= 4; k += 4) {
		uint32_t got;

		memcpy(&got, src + k, 4);  /* a plain load, not an intercepted memcmp() */
		word = pattern_word(seed, (pos + k) / 4);
		if (got != word)
			break;
	}
	for (; k < n; k++)
		if (src[k] != pattern(seed, pos + k))
			return k;
	return n;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/*
 * contract.h's rules for a control message, read from the 32 bytes at their ABI offsets:
 * type u16 @0, flags u16 @2, src_port @4, dst_port @8, ring_ref @12, doorbell @16,
 * reserved[3] @20.  Types 1..4; flags only for SHUTDOWN (its two bits) and RESET (its one
 * bit); ring_ref only for REQUEST and ACCEPT; doorbell a slot 1..4095 for REQUEST and ACCEPT
 * and 0 otherwise; reserved 0.
 */
static bool ctrl_model(const uint8_t b[32])
{
	uint16_t type = rd16(b), flags = rd16(b + 2);
	uint32_t ring_ref = rd32(b + 12), slot = rd32(b + 16);

	if (rd32(b + 20) || rd32(b + 24) || rd32(b + 28))
		return false;
	switch (type) {
	case 1: /* REQUEST: the socket type, SEQPACKET or not */
		return (flags & ~1u) == 0 && slot != 0 && slot < 4096;
	case 2: /* ACCEPT */
		return flags == 0 && slot != 0 && slot < 4096;
	case 3: /* RESET */
		return (flags & ~1u) == 0 && ring_ref == 0 && slot == 0;
	case 4: /* SHUTDOWN */
		return (flags & ~3u) == 0 && ring_ref == 0 && slot == 0;
	default:
		return false;
	}
}

static void check_ctrl(const uint8_t b[32])
{
	struct yasmin_ctrl_msg msg;
	bool got, want = ctrl_model(b);

	memcpy(&msg, b, sizeof(msg));
	got = yasmin_ctrl_msg_well_formed(&msg);
	CHECK(got == want, "ctrl msg type %u flags %#x ring_ref %#x doorbell %#x "
	      "reserved %#x %#x %#x: well_formed says %d, contract says %d",
	      msg.type, msg.flags, msg.ring_ref, msg.doorbell, msg.reserved[0],
	      msg.reserved[1], msg.reserved[2], got, want);
}

/*
 * @b and each message one bit away from it: a rule that is off by a bit (a flag mask one bit
 * too wide, a field not checked) shows next to any valid message, with no luck needed.
 */
static void check_ctrl_around(uint8_t b[32])
{
	unsigned int bit;

	check_ctrl(b);
	for (bit = 0; bit < 32 * 8; bit++) {
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		check_ctrl(b);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

/* --- Ring memory and state --- */

#define W_PROD (offsetof(struct yasmin_ring_desc, prod) / 4)
#define W_CONS_WANTED (offsetof(struct yasmin_ring_desc, cons_wanted) / 4)
#define W_CONS (offsetof(struct yasmin_ring_desc, cons) / 4)
#define W_PROD_WANTED (offsetof(struct yasmin_ring_desc, prod_wanted) / 4)
#define W_MAGIC (offsetof(struct yasmin_ring_desc, magic) / 4)
#define W_NR_PAGES (offsetof(struct yasmin_ring_desc, nr_pages) / 4)
#define W_GREFS (offsetof(struct yasmin_ring_desc, grefs) / 4)

struct ring {
	uint32_t *desc_words;			/* the descriptor page, PAGE bytes */
	struct yasmin_ring_desc *desc;
	uint32_t nr_pages;			/* the producer's */
	void *pages[YASMIN_RING_MAX_PAGES];	/* the producer's data pages, in ring order */
	void *extra[YASMIN_RING_MAX_PAGES];	/* what a consumer told of more pages maps */
	void *cpages[YASMIN_RING_MAX_PAGES];	/* the consumer's mapping */
	uint32_t seed, start;

	struct yasmin_ring_producer p;
	uint32_t written_end;			/* pattern written up to here, from p.prod on */

	bool attached;				/* consumer set up */
	struct yasmin_ring_layout layout;
	struct yasmin_ring_consumer c;

	/* false once the peer wrote an index or data: the data check is off */
	bool clean;

	/* what the checks after each step compare with */
	enum yasmin_ring_fault p_fault, c_fault;
	uint32_t p_prod, p_cons, c_prod, c_cons;
};

struct state {
	struct ring rings[NR_RINGS];
	uint32_t budget;
	uint32_t before[DESC_WORDS];		/* descriptor snapshot around one call */
	uint32_t scratch[DESC_WORDS];		/* a descriptor for the init probes */
};

/*
 * Pages are allocated once and kept for later inputs: allocating up to 2 MiB per input would
 * cost more than the fuzzing.  What is left in them does not matter: the data check compares
 * only bytes the honest producer wrote during this input.
 */
static void *page_alloc(void)
{
	void *page = aligned_alloc(PAGE, PAGE);

	if (!page)
		abort();
	memset(page, 0, PAGE);
	return page;
}

static void ring_clear(struct ring *r)
{
	void *desc = r->desc_words;
	void *pages[YASMIN_RING_MAX_PAGES], *extra[YASMIN_RING_MAX_PAGES];

	memcpy(pages, r->pages, sizeof(pages));
	memcpy(extra, r->extra, sizeof(extra));
	memset(r, 0, sizeof(*r));
	r->desc_words = desc ? desc : page_alloc();
	memcpy(r->pages, pages, sizeof(pages));
	memcpy(r->extra, extra, sizeof(extra));
}

static void ring_setup(struct ring *r, struct input *in)
{
	uint8_t nr_sel = in_u8(in), start_mode = in_u8(in);
	uint32_t i, nr = 1u << (nr_sel % 10);

	ring_clear(r);
	memset(r->desc_words, 0, PAGE);  /* as the caller of producer_init() must */
	r->desc = (struct yasmin_ring_desc *)r->desc_words;
	r->nr_pages = nr;
	/* Allocated in reverse, so that the data area is not contiguous in either direction. */
	for (i = nr; i-- > 0;)
		if (!r->pages[i])
			r->pages[i] = page_alloc();

	switch (start_mode & 3) {
	case 0:
		r->start = 0;
		break;
	case 1:
		r->start = in_u32(in);
		break;
	case 2: /* just before the indexes wrap at 2^32 */
		r->start = 0u - in_u16(in);
		break;
	default: /* just before the sign of index differences flips */
		r->start = 0x80000000u - in_u16(in);
		break;
	}
	r->seed = in_u8(in) * 0x01010101u;

	CHECK(yasmin_ring_producer_init(&r->p, r->desc, r->pages, nr) == 0, "init %u pages", nr);
	CHECK(r->desc->prod == 0 && r->desc->cons == 0 && r->desc->prod_wanted == 0 &&
	      r->desc->cons_wanted == 0 && r->desc->magic == YASMIN_RING_DESC_MAGIC &&
	      r->desc->nr_pages == nr, "descriptor after producer_init");
	CHECK(yasmin_ring_producer_fault(&r->p) == YASMIN_RING_HEALTHY, "fresh producer faulted");
	for (i = 0; i < nr; i++)
		r->desc->grefs[i] = 0x1000 + i;
	/*
	 * As if start bytes had already gone through: the contract starts both indexes at 0, and
	 * reaching the wrap at 2^32 through the API would take 2^32 bytes.
	 */
	r->p.prod = r->p.cons = r->start;
	r->desc->prod = r->desc->cons = r->start;
	r->written_end = r->start;
	r->clean = true;
	r->attached = false;
	r->p_fault = YASMIN_RING_HEALTHY;
	r->p_prod = r->p_cons = r->start;
}

static uint32_t psize(const struct ring *r)
{
	return r->nr_pages * PAGE;
}

static uint32_t csize(const struct ring *r)
{
	return r->layout.nr_pages * PAGE;
}

/* --- Checks shared by the operations --- */

static void snapshot(struct state *st, const struct ring *r)
{
	memcpy(st->before, r->desc_words, PAGE);
}

/* The descriptor is the snapshot but for the words the caller updated in st->before. */
static void check_desc(const struct state *st, const struct ring *r, const char *call)
{
	uint32_t i;

	if (!memcmp(st->before, r->desc_words, PAGE))
		return;
	for (i = 0; i < DESC_WORDS; i++)
		CHECK(st->before[i] == r->desc_words[i],
		      "%s: descriptor word %u is %#x, expected %#x", call, i, r->desc_words[i],
		      st->before[i]);
}

static bool budget_take(struct state *st, uint32_t len)
{
	if (len > st->budget)
		return false;
	st->budget -= len;
	return true;
}

/*
 * Walks @chunks, which must cover [@pos, @pos + @len) of a ring of @nr data pages @pages.
 * Writes the pattern there (@write) or compares what is there with it (@verify).
 */
static void walk_chunks(struct yasmin_ring_chunks *chunks, void *const *pages, uint32_t nr,
			uint32_t pos, uint32_t len, const struct ring *r, bool write, bool verify,
			const char *call)
{
	uint32_t mask = nr * PAGE - 1, done = 0, k;
	void *data;
	uint32_t n;

	while (yasmin_ring_next_chunk(chunks, &data, &n)) {
		uint32_t place = (pos + done) & mask;
		uint32_t in_page = place % PAGE;
		uint8_t *want = (uint8_t *)pages[place / PAGE] + in_page;

		CHECK(done < len, "%s: more pieces than the %u bytes asked for", call, len);
		CHECK(n >= 1 && n <= PAGE - in_page,
		      "%s: piece of %u bytes at offset %u crosses a page (or is empty)", call, n,
		      in_page);
		CHECK(n <= len - done, "%s: pieces total more than the %u bytes asked for", call,
		      len);
		CHECK(n == PAGE - in_page || n == len - done,
		      "%s: piece of %u bytes ends short of the page and of the run", call, n);
		CHECK((uint8_t *)data == want,
		      "%s: piece for stream byte %#x at %p, expected page %u + %u = %p", call,
		      pos + done, data, place / PAGE, in_page, (void *)want);
		if (write)
			pattern_fill(want, r->seed, pos + done, n);
		if (verify) {
			k = pattern_mismatch(want, r->seed, pos + done, n);
			CHECK(k == n, "%s: stream byte %#x is %#x, the producer wrote %#x", call,
			      pos + done + k, want[k], pattern(r->seed, pos + done + k));
		}
		done += n;
	}
	CHECK(done == len, "%s: pieces cover %u of %u bytes", call, done, len);
	CHECK(!yasmin_ring_next_chunk(chunks, &data, &n), "%s: exhausted chunks go on", call);
}

/* After every step: what holds whatever happened. */
static void check_ring(struct ring *r)
{
	enum yasmin_ring_fault pf = yasmin_ring_producer_fault(&r->p);

	CHECK(r->p.size == psize(r) && r->p.desc == r->desc && r->p.pages == r->pages,
	      "producer's constant state changed");
	CHECK(r->p.prod - r->p.cons <= r->p.size, "producer prod %#x cons %#x size %#x",
	      r->p.prod, r->p.cons, r->p.size);
	CHECK((int32_t)(r->p.prod - r->p_prod) >= 0, "producer's prod moved back %#x -> %#x",
	      r->p_prod, r->p.prod);
	CHECK((int32_t)(r->p.cons - r->p_cons) >= 0, "producer's cons moved back %#x -> %#x",
	      r->p_cons, r->p.cons);
	CHECK(!r->p_fault || pf == r->p_fault, "producer fault %d became %d", r->p_fault, pf);
	CHECK(pf == YASMIN_RING_HEALTHY || pf == YASMIN_RING_FAULT_CONS_BACKWARDS ||
	      pf == YASMIN_RING_FAULT_CONS_PAST_PROD, "producer fault %d is a consumer's", pf);
	r->p_fault = pf;
	r->p_prod = r->p.prod;
	r->p_cons = r->p.cons;

	if (r->attached) {
		enum yasmin_ring_fault cf = yasmin_ring_consumer_fault(&r->c);

		CHECK(r->c.size == csize(r) && r->c.desc == r->desc && r->c.pages == r->cpages,
		      "consumer's constant state changed");
		CHECK(r->c.prod - r->c.cons <= r->c.size, "consumer prod %#x cons %#x size %#x",
		      r->c.prod, r->c.cons, r->c.size);
		CHECK((int32_t)(r->c.prod - r->c_prod) >= 0,
		      "consumer's prod moved back %#x -> %#x", r->c_prod, r->c.prod);
		CHECK((int32_t)(r->c.cons - r->c_cons) >= 0,
		      "consumer's cons moved back %#x -> %#x", r->c_cons, r->c.cons);
		CHECK(!r->c_fault || cf == r->c_fault, "consumer fault %d became %d", r->c_fault,
		      cf);
		CHECK(cf == YASMIN_RING_HEALTHY || cf == YASMIN_RING_FAULT_PROD_BACKWARDS ||
		      cf == YASMIN_RING_FAULT_PROD_OVERRUN, "consumer fault %d is a producer's", cf);
		r->c_fault = cf;
		r->c_prod = r->c.prod;
		r->c_cons = r->c.cons;
	}
}

/* --- The honest producer --- */

/* space() and prepare_to_wait() read cons: check what they made of it. */
static void check_space_result(struct ring *r, int rc, uint32_t prod0, uint32_t cons0,
			       uint32_t cons_seen, const char *call)
{
	uint32_t size = psize(r), jump = cons_seen - cons0;
	enum yasmin_ring_fault f = yasmin_ring_producer_fault(&r->p);

	CHECK(r->p.prod == prod0, "%s moved prod", call);
	if (jump <= prod0 - cons0) {
		CHECK(rc == (int)(size - (prod0 - cons_seen)) && f == YASMIN_RING_HEALTHY,
		      "%s: valid cons %#x (prod %#x, last cons %#x, size %#x) gave %d, fault %d",
		      call, cons_seen, prod0, cons0, size, rc, f);
		CHECK(r->p.cons == cons_seen, "%s: cons %#x kept as %#x", call, cons_seen,
		      r->p.cons);
		return;
	}
	CHECK(rc == -EPROTO, "%s: invalid cons %#x (prod %#x, last cons %#x) gave %d", call,
	      cons_seen, prod0, cons0, rc);
	/* Moved back within a ring's size, or forward past prod by less than 2^31: no doubt. */
	if (cons0 - cons_seen <= size)
		CHECK(f == YASMIN_RING_FAULT_CONS_BACKWARDS, "%s: cons moved back, fault %d", call, f);
	else if ((int32_t)jump > 0)
		CHECK(f == YASMIN_RING_FAULT_CONS_PAST_PROD, "%s: cons past prod, fault %d", call, f);
	else
		CHECK(f != YASMIN_RING_HEALTHY, "%s: no fault recorded", call);
	CHECK(r->p.cons == cons0, "%s: cons changed on a fault", call);
}

static int op_p_space(struct state *st, struct ring *r, bool wait)
{
	const char *call = wait ? "producer_prepare_to_wait" : "producer_space";
	uint32_t prod0 = r->p.prod, cons0 = r->p.cons, cons_seen = r->desc->cons;
	bool faulted = yasmin_ring_producer_fault(&r->p);
	int rc;

	snapshot(st, r);
	rc = wait ? yasmin_ring_producer_prepare_to_wait(&r->p) : yasmin_ring_producer_space(&r->p);
	CHECK(rc <= (int)psize(r), "%s returned %d, more than the size %u", call, rc, psize(r));
	if (faulted) {
		CHECK(rc == -EPROTO, "%s on a faulted ring returned %d", call, rc);
	} else {
		if (wait)
			st->before[W_CONS_WANTED] = 1;
		check_space_result(r, rc, prod0, cons0, cons_seen, call);
	}
	check_desc(st, r, call);
	return rc;
}

static int op_p_write(struct state *st, struct ring *r, uint32_t len)
{
	struct yasmin_ring_chunks chunks;
	uint32_t known = psize(r) - (r->p.prod - r->p.cons);
	bool faulted = yasmin_ring_producer_fault(&r->p);
	bool write;
	int rc;

	snapshot(st, r);
	rc = yasmin_ring_producer_chunks(&r->p, len, &chunks);
	if (faulted) {
		CHECK(rc == -EPROTO, "producer_chunks on a faulted ring returned %d", rc);
	} else if (len > known) {
		CHECK(rc == -EINVAL, "producer_chunks(%u) with %u free returned %d", len, known, rc);
	} else {
		CHECK(rc == 0, "producer_chunks(%u) with %u free returned %d", len, known, rc);
		write = budget_take(st, len);
		walk_chunks(&chunks, r->pages, r->nr_pages, r->p.prod, len, r, write, false,
			    "producer_chunks");
		if (!write)
			r->clean = false;
		if (len > r->written_end - r->p.prod || r->written_end - r->p.prod > psize(r))
			r->written_end = r->p.prod + len;
	}
	check_desc(st, r, "producer_chunks");
	return rc;
}

static int op_p_commit(struct state *st, struct ring *r, uint32_t len)
{
	uint32_t prod0 = r->p.prod, known = psize(r) - (r->p.prod - r->p.cons);
	uint32_t written = r->written_end - prod0;
	bool faulted = yasmin_ring_producer_fault(&r->p);
	int rc;

	snapshot(st, r);
	rc = yasmin_ring_producer_commit(&r->p, len);
	if (faulted) {
		CHECK(rc == -EPROTO, "producer_commit on a faulted ring returned %d", rc);
	} else if (len > known) {
		CHECK(rc == -EINVAL, "producer_commit(%u) with %u free returned %d", len, known, rc);
		CHECK(r->p.prod == prod0, "refused producer_commit moved prod");
	} else {
		CHECK(rc == 0, "producer_commit(%u) with %u free returned %d", len, known, rc);
		CHECK(r->p.prod == prod0 + len, "producer_commit(%u) moved prod %#x -> %#x", len,
		      prod0, r->p.prod);
		st->before[W_PROD] = prod0 + len;
		/* Committing bytes it never wrote is the caller's bug, not the ring's. */
		if (len && (written > psize(r) || len > written))
			r->clean = false;
	}
	check_desc(st, r, "producer_commit");
	return rc;
}

static void op_p_notify(struct state *st, struct ring *r)
{
	uint32_t wanted = r->desc->prod_wanted;
	bool faulted = yasmin_ring_producer_fault(&r->p);
	bool got;

	snapshot(st, r);
	got = yasmin_ring_producer_should_notify(&r->p);
	if (faulted) {
		CHECK(!got, "producer_should_notify true on a faulted ring");
	} else {
		CHECK(got == (wanted != 0), "producer_should_notify %d with prod_wanted %#x", got,
		      wanted);
		st->before[W_PROD_WANTED] = 0;
	}
	check_desc(st, r, "producer_should_notify");
}

/* What an honest sender does: space, write, commit, notify. */
static void op_p_send(struct state *st, struct ring *r, uint32_t len)
{
	int space = op_p_space(st, r, false);

	if (space < 0)
		return;
	if (len > (uint32_t)space)
		len = space;
	if (op_p_write(st, r, len) == 0 && op_p_commit(st, r, len) == 0)
		op_p_notify(st, r);
}

/* --- The honest consumer --- */

static void op_c_attach(struct state *st, struct ring *r)
{
	struct yasmin_ring_layout layout;
	enum yasmin_ring_fault fault = (enum yasmin_ring_fault)0x55;
	uint32_t magic = r->desc->magic, nr = r->desc->nr_pages, i;
	int rc;

	snapshot(st, r);
	memset(&layout, 0xA5, sizeof(layout));
	rc = yasmin_ring_read_layout(r->desc, &layout, &fault);
	check_desc(st, r, "read_layout");
	if (magic != YASMIN_RING_DESC_MAGIC) {
		CHECK(rc == -EPROTO && fault == YASMIN_RING_FAULT_BAD_MAGIC,
		      "read_layout: magic %#x gave %d, fault %d", magic, rc, fault);
		return;
	}
	if (!nr_pages_valid(nr)) {
		CHECK(rc == -EPROTO && fault == YASMIN_RING_FAULT_BAD_NR_PAGES,
		      "read_layout: nr_pages %#x gave %d, fault %d", nr, rc, fault);
		return;
	}
	CHECK(rc == 0 && fault == YASMIN_RING_HEALTHY && layout.nr_pages == nr,
	      "read_layout: valid nr_pages %u gave %d, fault %d, nr_pages %u", nr, rc, fault,
	      layout.nr_pages);
	for (i = 0; i < nr; i++)
		CHECK(layout.grefs[i] == r->desc->grefs[i], "read_layout: gref %u copied wrong", i);

	/* Map: the producer's pages, and for a consumer told of more, pages of its own. */
	for (i = 0; i < nr; i++) {
		if (i >= r->nr_pages && !r->extra[i])
			r->extra[i] = page_alloc();
		r->cpages[i] = i < r->nr_pages ? r->pages[i] : r->extra[i];
	}
	if (r->attached || nr != r->nr_pages)
		r->clean = false;
	r->layout = layout;
	rc = yasmin_ring_consumer_init(&r->c, r->desc, &r->layout, r->cpages);
	CHECK(rc == 0 && r->c.prod == 0 && r->c.cons == 0 && r->c.size == nr * PAGE &&
	      yasmin_ring_consumer_fault(&r->c) == YASMIN_RING_HEALTHY,
	      "consumer_init with a valid layout of %u pages gave %d", nr, rc);
	check_desc(st, r, "consumer_init");
	r->c.prod = r->c.cons = r->start;  /* as for the producer, in ring_setup() */
	r->attached = true;
	r->c_fault = YASMIN_RING_HEALTHY;
	r->c_prod = r->c_cons = r->start;
}

static int op_c_readable(struct state *st, struct ring *r, bool wait)
{
	const char *call = wait ? "consumer_prepare_to_wait" : "consumer_readable";
	uint32_t prod0 = r->c.prod, cons0 = r->c.cons, prod_seen = r->desc->prod;
	uint32_t size = csize(r), ahead = prod_seen - cons0;
	bool faulted = yasmin_ring_consumer_fault(&r->c);
	enum yasmin_ring_fault f;
	int rc;

	snapshot(st, r);
	rc = wait ? yasmin_ring_consumer_prepare_to_wait(&r->c) :
		    yasmin_ring_consumer_readable(&r->c);
	f = yasmin_ring_consumer_fault(&r->c);
	CHECK(rc <= (int)size, "%s returned %d, more than the size %u", call, rc, size);
	if (faulted) {
		CHECK(rc == -EPROTO, "%s on a faulted ring returned %d", call, rc);
		check_desc(st, r, call);
		return rc;
	}
	if (wait)
		st->before[W_PROD_WANTED] = 1;
	check_desc(st, r, call);
	CHECK(r->c.cons == cons0, "%s moved cons", call);
	if (ahead >= prod0 - cons0 && ahead <= size) {
		CHECK(rc == (int)ahead && f == YASMIN_RING_HEALTHY,
		      "%s: valid prod %#x (cons %#x, last prod %#x, size %#x) gave %d, fault %d",
		      call, prod_seen, cons0, prod0, size, rc, f);
		CHECK(r->c.prod == prod_seen, "%s: prod %#x kept as %#x", call, prod_seen,
		      r->c.prod);
		return rc;
	}
	CHECK(rc == -EPROTO, "%s: invalid prod %#x (cons %#x, last prod %#x, size %#x) gave %d",
	      call, prod_seen, cons0, prod0, size, rc);
	if (prod0 - prod_seen <= size)
		CHECK(f == YASMIN_RING_FAULT_PROD_BACKWARDS, "%s: prod moved back, fault %d", call, f);
	else if ((int32_t)(prod_seen - prod0) > 0)
		CHECK(f == YASMIN_RING_FAULT_PROD_OVERRUN, "%s: prod overran, fault %d", call, f);
	else
		CHECK(f != YASMIN_RING_HEALTHY, "%s: no fault recorded", call);
	CHECK(r->c.prod == prod0, "%s: prod changed on a fault", call);
	return rc;
}

static int op_c_read(struct state *st, struct ring *r, uint32_t offset, uint32_t len)
{
	struct yasmin_ring_chunks chunks;
	uint32_t readable = r->c.prod - r->c.cons;
	bool faulted = yasmin_ring_consumer_fault(&r->c);
	int rc;

	snapshot(st, r);
	rc = yasmin_ring_consumer_chunks(&r->c, offset, len, &chunks);
	if (faulted) {
		CHECK(rc == -EPROTO, "consumer_chunks on a faulted ring returned %d", rc);
	} else if (offset > readable || len > readable - offset) {
		CHECK(rc == -EINVAL, "consumer_chunks(%u, %u) with %u readable returned %d", offset,
		      len, readable, rc);
	} else {
		CHECK(rc == 0, "consumer_chunks(%u, %u) with %u readable returned %d", offset, len,
		      readable, rc);
		walk_chunks(&chunks, r->cpages, r->layout.nr_pages, r->c.cons + offset, len, r,
			    false, r->clean && budget_take(st, len), "consumer_chunks");
	}
	check_desc(st, r, "consumer_chunks");
	return rc;
}

static int op_c_consume(struct state *st, struct ring *r, uint32_t len)
{
	uint32_t cons0 = r->c.cons, readable = r->c.prod - r->c.cons;
	bool faulted = yasmin_ring_consumer_fault(&r->c);
	int rc;

	snapshot(st, r);
	rc = yasmin_ring_consumer_consume(&r->c, len);
	if (faulted) {
		CHECK(rc == -EPROTO, "consumer_consume on a faulted ring returned %d", rc);
	} else if (len > readable) {
		CHECK(rc == -EINVAL, "consumer_consume(%u) with %u readable returned %d", len,
		      readable, rc);
		CHECK(r->c.cons == cons0, "refused consumer_consume moved cons");
	} else {
		CHECK(rc == 0, "consumer_consume(%u) with %u readable returned %d", len, readable,
		      rc);
		CHECK(r->c.cons == cons0 + len, "consumer_consume(%u) moved cons %#x -> %#x", len,
		      cons0, r->c.cons);
		st->before[W_CONS] = cons0 + len;
	}
	check_desc(st, r, "consumer_consume");
	return rc;
}

static void op_c_notify(struct state *st, struct ring *r)
{
	uint32_t wanted = r->desc->cons_wanted;
	bool faulted = yasmin_ring_consumer_fault(&r->c);
	bool got;

	snapshot(st, r);
	got = yasmin_ring_consumer_should_notify(&r->c);
	if (faulted) {
		CHECK(!got, "consumer_should_notify true on a faulted ring");
	} else {
		CHECK(got == (wanted != 0), "consumer_should_notify %d with cons_wanted %#x", got,
		      wanted);
		st->before[W_CONS_WANTED] = 0;
	}
	check_desc(st, r, "consumer_should_notify");
}

/* What an honest receiver does: readable, read, consume, notify. */
static void op_c_recv(struct state *st, struct ring *r, uint32_t len)
{
	int readable = op_c_readable(st, r, false);

	if (readable < 0)
		return;
	if (len > (uint32_t)readable)
		len = readable;
	if (op_c_read(st, r, 0, len) == 0 && op_c_consume(st, r, len) == 0)
		op_c_notify(st, r);
}

/* --- The peer --- */

static void op_peer_word(struct ring *r, struct input *in)
{
	uint8_t sel = in_u8(in), mode = in_u8(in);
	uint32_t w, old, value, ref;

	switch (sel % 8) {
	case 0: w = W_PROD; break;
	case 1: w = W_CONS; break;
	case 2: w = W_CONS_WANTED; break;
	case 3: w = W_PROD_WANTED; break;
	case 4: w = W_MAGIC; break;
	case 5: w = W_NR_PAGES; break;
	case 6: w = W_GREFS + in_u16(in) % YASMIN_RING_MAX_PAGES; break;
	default: w = in_u16(in) % DESC_WORDS; break;
	}
	old = r->desc_words[w];
	switch (mode % 4) {
	case 0:
		value = in_u32(in);
		break;
	case 1:
		value = old + (uint32_t)(int32_t)(int16_t)in_u16(in);
		break;
	case 2:
		/* Around the edge of what the honest side accepts. */
		if (w == W_PROD)
			ref = r->attached ? r->c.cons + csize(r) : r->p.cons + psize(r);
		else if (w == W_CONS)
			ref = r->p.prod;
		else
			ref = old;
		value = ref + (uint32_t)(int32_t)(int8_t)in_u8(in);
		break;
	default:
		value = in_u8(in);
		break;
	}
	r->desc_words[w] = value;
	if ((w == W_PROD || w == W_CONS) && value != old)
		r->clean = false;
}

static void op_peer_data(struct ring *r, struct input *in)
{
	uint32_t offset = in_u32(in) % psize(r), len = in_u8(in), i;

	for (i = 0; i < len; i++) {
		uint32_t place = (offset + i) % psize(r);

		((uint8_t *)r->pages[place / PAGE])[place % PAGE] = in_u8(in);
	}
	if (len)
		r->clean = false;
}

/* --- SOCK_SEQPACKET records (seqpacket.c) on top of the same rings --- */

static uint8_t ring_byte(void *const *pages, uint32_t nr, uint32_t pos)
{
	uint32_t place = pos & (nr * PAGE - 1);

	return ((const uint8_t *)pages[place / PAGE])[place % PAGE];
}

/*
 * The honest sender of one message: record_begin() writes the header and hands out the
 * payload's place, which gets the pattern; @sel bit 0: MSG_EOR, bit 1: an unknown flag too,
 * bit 2: commit.  Headers are not pattern bytes, so the data check is off from here on.
 */
static void op_p_record(struct state *st, struct ring *r, uint32_t len, uint8_t sel)
{
	struct yasmin_ring_chunks payload;
	uint32_t flags = (sel & 1 ? YASMIN_RECORD_EOR : 0) |
			 (sel & 2 ? 1u << (1 + (sel >> 3) % 31) : 0);
	uint32_t prod0 = r->p.prod, known = psize(r) - (r->p.prod - r->p.cons);
	bool faulted = yasmin_ring_producer_fault(&r->p);
	uint8_t hdr[YASMIN_RECORD_HEADER_SIZE];
	uint32_t i;
	bool write;
	int rc;

	snapshot(st, r);
	rc = yasmin_record_begin(&r->p, len, flags, &payload);
	if (faulted) {
		CHECK(rc == -EPROTO, "record_begin on a faulted ring returned %d", rc);
	} else if (flags & ~YASMIN_RECORD_FLAGS || len > psize(r) - YASMIN_RECORD_HEADER_SIZE) {
		CHECK(rc == -EINVAL, "record_begin(%u, %#x) in a ring of %u returned %d", len, flags,
		      psize(r), rc);
	} else if (len + YASMIN_RECORD_HEADER_SIZE > known) {
		CHECK(rc == -ENOSPC, "record_begin(%u) with %u free returned %d", len, known, rc);
	} else {
		CHECK(rc == 0, "record_begin(%u, %#x) with %u free returned %d", len, flags, known,
		      rc);
		r->clean = false;
		for (i = 0; i < sizeof(hdr); i++)
			hdr[i] = ring_byte(r->pages, r->nr_pages, prod0 + i);
		CHECK(rd32(hdr) == len && rd32(hdr + 4) == flags,
		      "record_begin(%u, %#x) wrote the header {%u, %#x}", len, flags, rd32(hdr),
		      rd32(hdr + 4));
		write = budget_take(st, len);
		walk_chunks(&payload, r->pages, r->nr_pages, prod0 + YASMIN_RECORD_HEADER_SIZE, len,
			    r, write, false, "record_begin");
		r->written_end = prod0 + YASMIN_RECORD_HEADER_SIZE + len;
	}
	CHECK(r->p.prod == prod0, "record_begin moved prod");
	check_desc(st, r, "record_begin");	/* nothing published */
	if (rc || !(sel & 4))
		return;

	rc = yasmin_record_commit(&r->p, len);
	CHECK(rc == 0 && r->p.prod == prod0 + YASMIN_RECORD_HEADER_SIZE + len,
	      "record_commit(%u) returned %d, prod %#x -> %#x", len, rc, prod0, r->p.prod);
	st->before[W_PROD] = r->p.prod;
	check_desc(st, r, "record_commit");
}

/*
 * The honest receiver of one message: record_read() must take exactly the headers the
 * contract allows, from what the ring holds at cons, whoever wrote it; then the first @want
 * bytes of the payload, and (@sel bit 0) the whole record consumed.
 */
static void op_c_record(struct state *st, struct ring *r, uint32_t want, uint8_t sel)
{
	const uint32_t hdr_size = YASMIN_RECORD_HEADER_SIZE;
	struct yasmin_record_header hdr = { 0x5a5a5a5a, 0x5a5a5a5a };
	enum yasmin_record_fault fault = (enum yasmin_record_fault)0x55, expect;
	uint32_t readable = r->c.prod - r->c.cons, size = csize(r);
	uint32_t cons0 = r->c.cons, prod0 = r->c.prod, len, flags, i;
	bool faulted = yasmin_ring_consumer_fault(&r->c);
	struct yasmin_ring_chunks payload;
	uint8_t bytes[YASMIN_RECORD_HEADER_SIZE];
	int rc;

	for (i = 0; i < hdr_size; i++)
		bytes[i] = ring_byte(r->cpages, r->layout.nr_pages, cons0 + i);
	len = rd32(bytes);
	flags = rd32(bytes + 4);

	snapshot(st, r);
	rc = yasmin_record_read(&r->c, &hdr, &fault);
	check_desc(st, r, "record_read");
	CHECK(r->c.cons == cons0 && r->c.prod == prod0, "record_read moved an index");
	if (faulted) {
		CHECK(rc == -EPROTO && fault == YASMIN_RECORD_VALID,
		      "record_read on a faulted ring returned %d, fault %d", rc, fault);
		return;
	}
	if (!readable) {
		CHECK(rc == -EAGAIN && fault == YASMIN_RECORD_VALID,
		      "record_read with nothing readable returned %d, fault %d", rc, fault);
		return;
	}
	if (readable < hdr_size)
		expect = YASMIN_RECORD_FAULT_PARTIAL;
	else if (flags & ~1u)
		expect = YASMIN_RECORD_FAULT_FLAGS;
	else if (len > size - hdr_size)
		expect = YASMIN_RECORD_FAULT_TOO_LONG;
	else if (len > readable - hdr_size)
		expect = YASMIN_RECORD_FAULT_PARTIAL;
	else
		expect = YASMIN_RECORD_VALID;
	if (expect) {
		CHECK(rc == -EPROTO && fault == expect && hdr.len == 0x5a5a5a5a &&
		      hdr.flags == 0x5a5a5a5a, "record_read of {%u, %#x} with %u readable in %u "
		      "returned %d, fault %d, expected fault %d", len, flags, readable, size, rc,
		      fault, expect);
		return;
	}
	CHECK(rc == 0 && fault == YASMIN_RECORD_VALID && hdr.len == len && hdr.flags == flags,
	      "record_read of {%u, %#x} with %u readable returned %d, fault %d, {%u, %#x}", len,
	      flags, readable, rc, fault, hdr.len, hdr.flags);

	if (want > len) {
		CHECK(yasmin_record_payload(&r->c, &hdr, want, &payload) == -EINVAL,
		      "record_payload(%u) of a %u-byte record accepted", want, len);
		want = len;
	}
	CHECK(yasmin_record_payload(&r->c, &hdr, want, &payload) == 0,
	      "record_payload(%u) of a %u-byte record refused", want, len);
	walk_chunks(&payload, r->cpages, r->layout.nr_pages, cons0 + hdr_size, want, r, false,
		    false, "record_payload");
	if (!(sel & 1))
		return;

	snapshot(st, r);
	rc = yasmin_record_consume(&r->c, &hdr);
	CHECK(rc == 0 && r->c.cons == cons0 + hdr_size + len,
	      "record_consume of a %u-byte record returned %d, cons %#x -> %#x", len, rc, cons0,
	      r->c.cons);
	st->before[W_CONS] = r->c.cons;
	check_desc(st, r, "record_consume");
}

/* --- Set-up calls on a scratch descriptor, with any value --- */

static void op_probe(struct state *st, struct ring *r, struct input *in)
{
	struct yasmin_ring_desc *desc = (struct yasmin_ring_desc *)st->scratch;
	uint8_t kind = in_u8(in);
	/* kind: bits 0-1 the call, bit 2 a 32-bit nr_pages, bit 3 the right magic */
	uint32_t nr = (kind & 4) ? in_u32(in) : in_u16(in) % 1025u, i;
	int rc;

	memset(st->scratch, 0xA5, sizeof(st->scratch));
	switch (kind & 3) {
	case 0: {
		struct yasmin_ring_producer p;

		rc = yasmin_ring_producer_init(&p, desc, r->pages, nr);
		CHECK(rc == (nr_pages_valid(nr) ? 0 : -EINVAL), "producer_init(%#x) gave %d", nr,
		      rc);
		if (rc == 0)
			CHECK(p.size == nr * PAGE && p.prod == 0 && p.cons == 0 && !p.fault &&
			      desc->prod == 0 && desc->cons == 0 && desc->prod_wanted == 0 &&
			      desc->cons_wanted == 0 && desc->magic == YASMIN_RING_DESC_MAGIC &&
			      desc->nr_pages == nr && desc->grefs[0] == 0xA5A5A5A5u,
			      "producer_init(%u): state or descriptor wrong", nr);
		break;
	}
	case 1: {
		struct yasmin_ring_layout layout;
		enum yasmin_ring_fault fault = (enum yasmin_ring_fault)0x55;
		uint32_t magic = (kind & 8) ? YASMIN_RING_DESC_MAGIC : in_u32(in);

		desc->magic = magic;
		desc->nr_pages = nr;
		for (i = 0; i < YASMIN_RING_MAX_PAGES; i++)
			desc->grefs[i] = i * 0x9E3779B1u;
		memcpy(st->before, st->scratch, PAGE);
		rc = yasmin_ring_read_layout(desc, &layout, &fault);
		CHECK(!memcmp(st->before, st->scratch, PAGE), "read_layout wrote shared memory");
		if (magic != YASMIN_RING_DESC_MAGIC)
			CHECK(rc == -EPROTO && fault == YASMIN_RING_FAULT_BAD_MAGIC,
			      "read_layout: magic %#x gave %d, fault %d", magic, rc, fault);
		else if (!nr_pages_valid(nr))
			CHECK(rc == -EPROTO && fault == YASMIN_RING_FAULT_BAD_NR_PAGES,
			      "read_layout: nr_pages %#x gave %d, fault %d", nr, rc, fault);
		else {
			CHECK(rc == 0 && fault == YASMIN_RING_HEALTHY && layout.nr_pages == nr,
			      "read_layout: nr_pages %u gave %d, fault %d", nr, rc, fault);
			for (i = 0; i < nr; i++)
				CHECK(layout.grefs[i] == i * 0x9E3779B1u, "read_layout: gref %u", i);
		}
		break;
	}
	default: {
		struct yasmin_ring_layout layout;
		struct yasmin_ring_consumer c;

		memset(&layout, 0, sizeof(layout));
		layout.nr_pages = nr;  /* not validated: consumer_init must refuse what is wrong */
		memcpy(st->before, st->scratch, PAGE);
		rc = yasmin_ring_consumer_init(&c, desc, &layout, r->pages);
		CHECK(rc == (nr_pages_valid(nr) ? 0 : -EINVAL), "consumer_init(%#x) gave %d", nr,
		      rc);
		if (rc == 0)
			CHECK(c.size == nr * PAGE && c.prod == 0 && c.cons == 0 && !c.fault,
			      "consumer_init(%u): state wrong", nr);
		CHECK(!memcmp(st->before, st->scratch, PAGE), "consumer_init wrote shared memory");
		break;
	}
	}
}

/* --- The sequence --- */

enum {
	OP_P_SPACE, OP_P_WRITE, OP_P_COMMIT, OP_P_SEND, OP_P_NOTIFY, OP_P_WAIT,
	OP_C_ATTACH, OP_C_READABLE, OP_C_READ, OP_C_CONSUME, OP_C_RECV, OP_C_NOTIFY, OP_C_WAIT,
	OP_PEER_WORD, OP_PEER_DATA, OP_RESET, OP_PROBE, OP_CTRL,
	OP_P_RECORD, OP_C_RECORD,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"P_SPACE", "P_WRITE", "P_COMMIT", "P_SEND", "P_NOTIFY", "P_WAIT",
	"C_ATTACH", "C_READABLE", "C_READ", "C_CONSUME", "C_RECV", "C_NOTIFY", "C_WAIT",
	"PEER_WORD", "PEER_DATA", "RESET", "PROBE", "CTRL",
	"P_RECORD", "C_RECORD",
};

static bool trace;  /* RING_FUZZ_TRACE set */

static void trace_state(const struct ring *r)
{
	fprintf(stderr, "    desc prod %#x cons %#x prod_wanted %u cons_wanted %u"
		" | producer prod %#x cons %#x fault %d",
		r->desc->prod, r->desc->cons, r->desc->prod_wanted, r->desc->cons_wanted,
		r->p.prod, r->p.cons, r->p.fault);
	if (r->attached)
		fprintf(stderr, " | consumer %u pages prod %#x cons %#x fault %d",
			r->layout.nr_pages, r->c.prod, r->c.cons, r->c.fault);
	fprintf(stderr, "%s\n", r->clean ? " | data checked" : "");
}

static void run_op(struct state *st, struct input *in)
{
	uint8_t op = in_u8(in);
	struct ring *r = &st->rings[op >> 7];
	uint32_t hint, offset;
	uint8_t msg[32], mask, small;
	size_t i;

	if (trace)
		fprintf(stderr, "ring %u %s\n", op >> 7, op_names[(op & 0x7f) % OP_COUNT]);
	switch ((op & 0x7f) % OP_COUNT) {
	case OP_P_SPACE:
		op_p_space(st, r, false);
		break;
	case OP_P_WRITE:
		op_p_write(st, r, in_len(in, psize(r) - (r->p.prod - r->p.cons)));
		break;
	case OP_P_COMMIT:
		op_p_commit(st, r, in_len(in, r->written_end - r->p.prod));
		break;
	case OP_P_SEND:
		op_p_send(st, r, in_len(in, psize(r)));
		break;
	case OP_P_NOTIFY:
		op_p_notify(st, r);
		break;
	case OP_P_WAIT:
		op_p_space(st, r, true);
		break;
	case OP_C_ATTACH:
		op_c_attach(st, r);
		break;
	case OP_P_RECORD:
		hint = in_len(in, psize(r) - (r->p.prod - r->p.cons) - YASMIN_RECORD_HEADER_SIZE);
		op_p_record(st, r, hint, in_u8(in));
		break;
	case OP_PEER_WORD:
		op_peer_word(r, in);
		break;
	case OP_PEER_DATA:
		op_peer_data(r, in);
		break;
	case OP_RESET:
		ring_setup(r, in);
		break;
	case OP_PROBE:
		op_probe(st, r, in);
		break;
	case OP_CTRL:
		/*
		 * A mask byte naming the fields present (bit i: type, flags, src_port and
		 * dst_port, ring_ref, doorbell, reserved[0..2]), a byte naming those given
		 * as one byte only (small values: flags 4 is as likely as flags 1), then the
		 * fields; the others are 0.
		 */
		memset(msg, 0, sizeof(msg));
		mask = in_u8(in);
		small = in_u8(in);
		for (i = 0; i < 8; i++) {
			static const uint8_t at[8] = { 0, 2, 4, 12, 16, 20, 24, 28 };
			static const uint8_t width[8] = { 2, 2, 8, 4, 4, 4, 4, 4 };
			size_t k;

			if (!(mask & (1u << i)))
				continue;
			for (k = 0; k < ((small & (1u << i)) ? 1 : width[i]); k++)
				msg[at[i] + k] = in_u8(in);
		}
		check_ctrl_around(msg);
		break;
	default:
		/* Consumer calls, once there is a consumer. */
		if (!r->attached) {
			op_c_attach(st, r);
			break;
		}
		hint = r->c.prod - r->c.cons;
		switch ((op & 0x7f) % OP_COUNT) {
		case OP_C_READABLE:
			op_c_readable(st, r, false);
			break;
		case OP_C_READ:
			offset = in_len(in, 0);
			op_c_read(st, r, offset, in_len(in, hint - offset));
			break;
		case OP_C_CONSUME:
			op_c_consume(st, r, in_len(in, hint));
			break;
		case OP_C_RECV:
			op_c_recv(st, r, in_len(in, hint));
			break;
		case OP_C_NOTIFY:
			op_c_notify(st, r);
			break;
		case OP_C_WAIT:
			op_c_readable(st, r, true);
			break;
		case OP_C_RECORD:
			offset = in_len(in, hint - YASMIN_RECORD_HEADER_SIZE);
			op_c_record(st, r, offset, in_u8(in));
			break;
		}
		break;
	}
	check_ring(r);
	if (trace)
		trace_state(r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *env = getenv("RING_FUZZ_TRACE");

	(void)argc;
	(void)argv;
	trace = env && *env && strcmp(env, "0");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct input in = { data, size };
	size_t i;

	for (i = 0; i + 32 <= size; i += 32)
		check_ctrl(data + i);

	st.budget = DATA_BUDGET;
	for (i = 0; i < NR_RINGS; i++) {
		ring_setup(&st.rings[i], &in);
		if (trace)
			fprintf(stderr, "ring %zu: %u pages, start %#x\n", i,
				st.rings[i].nr_pages, st.rings[i].start);
	}
	while (in.n)
		run_op(&st, &in);
	return 0;
}
