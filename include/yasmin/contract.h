/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * yasmin's one contract between the guest module, the dom0 daemon, the preload library and
 * the tests: how domains are addressed (CID scheme) and where things live in XenStore.
 * The per-connection ring and control-message formats join this header with the transport.
 *
 * This header compiles in the kernel (__KERNEL__) and in C/C++ userspace alike: it holds only
 * fixed-width types, constants and pure inline functions.  docs/contract.md explains it.
 */
#ifndef YASMIN_CONTRACT_H
#define YASMIN_CONTRACT_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u16 yasmin_u16;
typedef u32 yasmin_u32;
typedef u64 yasmin_u64;
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint16_t yasmin_u16;
typedef uint32_t yasmin_u32;
typedef uint64_t yasmin_u64;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of this contract. */
#define YASMIN_CONTRACT_VERSION 2u

/*
 * CID scheme: a domain's vsock CID is its domid plus YASMIN_CID_OFFSET.  The vsock core
 * reserves CIDs 0 (hypervisor), 1 (local) and 2 (host), so a raw domid cannot be a CID;
 * with the offset dom0 is CID 2, the host, exactly as vsock expects.  Domids run from 0 to
 * YASMIN_DOMID_MAX (DOMID_FIRST_RESERVED - 1 in xen/include/public/xen.h); anything above
 * is a reserved or special domid and never names a peer.
 */
#define YASMIN_CID_OFFSET 2u
#define YASMIN_DOMID_MAX  0x7FEFu
#define YASMIN_CID_MIN    (0u + YASMIN_CID_OFFSET)
#define YASMIN_CID_MAX    (YASMIN_DOMID_MAX + YASMIN_CID_OFFSET)

static inline bool yasmin_domid_is_valid(yasmin_u32 domid)
{
	return domid <= YASMIN_DOMID_MAX;
}

static inline bool yasmin_cid_is_valid(yasmin_u32 cid)
{
	return cid >= YASMIN_CID_MIN && cid <= YASMIN_CID_MAX;
}

/* Only for valid domids: callers check yasmin_domid_is_valid() first. */
static inline yasmin_u32 yasmin_cid_from_domid(yasmin_u16 domid)
{
	return (yasmin_u32)domid + YASMIN_CID_OFFSET;
}

/* Only for valid CIDs: callers check yasmin_cid_is_valid() first. */
static inline yasmin_u16 yasmin_domid_from_cid(yasmin_u32 cid)
{
	return (yasmin_u16)(cid - YASMIN_CID_OFFSET);
}

/*
 * XenStore layout.  Paths without a leading '/' are relative to /local/domain/<domid>/, which
 * is also how the guest kernel's xenbus resolves relative paths to its own home.
 *
 *   /local/domain/<domid>/domid                   written by the toolstack; how a guest learns
 *                                                 its own domid (re-read after resume)
 *   /local/domain/<G>/yasmin/                     dom0-owned, readable by G only: G's view,
 *                                                 published by yasmind
 *   /local/domain/<G>/yasmin/rendezvous/<P>/      created by dom0, owned by G, readable by P:
 *                                                 the control-channel keys G offers peer P
 *
 * A guest cannot set XenStore permissions, so dom0 creates both directories; only the owner
 * domain can write below a rendezvous directory and only the named peer can read it.
 */
#define YASMIN_XS_DOMID_NODE        "domid"
#define YASMIN_XS_DIR               "yasmin"
#define YASMIN_XS_RENDEZVOUS_DIR    YASMIN_XS_DIR "/rendezvous"

/* printf formats for absolute paths: argument(s) are domids as unsigned int. */
#define YASMIN_XS_HOME_FMT          "/local/domain/%u"
#define YASMIN_XS_DIR_FMT           YASMIN_XS_HOME_FMT "/" YASMIN_XS_DIR
#define YASMIN_XS_RENDEZVOUS_FMT    YASMIN_XS_HOME_FMT "/" YASMIN_XS_RENDEZVOUS_DIR "/%u"

/*
 * G's view, published by yasmind below /local/domain/<G>/yasmin/ (every node dom0-owned and
 * readable by G only, like the directory itself):
 *
 *   yasmin/generation          decimal, 1 when the view is created; yasmind increments it after
 *                              every change of the view, in the same transaction, so a reader
 *                              that finds it unchanged may keep what it read.  Compare it for
 *                              equality only: it restarts at 1 if the view is ever rebuilt.
 *   yasmin/peers/<P>/          one directory per peer domain P that G may reach
 *   yasmin/peers/<P>/cid       P's CID, decimal (yasmin_cid_from_domid(P))
 *   yasmin/peers/<P>/ip        P's IP addresses, textual (inet_ntop), sorted, separated by one
 *                              space; empty when none is known
 *
 * Addresses are values, never node names: XenStore node names cannot contain '.' or ':'.
 */
#define YASMIN_XS_GENERATION_NODE   YASMIN_XS_DIR "/generation"
#define YASMIN_XS_PEERS_DIR         YASMIN_XS_DIR "/peers"
#define YASMIN_XS_PEER_CID          "cid"
#define YASMIN_XS_PEER_IP           "ip"
#define YASMIN_XS_PEER_FMT          YASMIN_XS_HOME_FMT "/" YASMIN_XS_PEERS_DIR "/%u"

/* Longest absolute path the formats above produce, terminating NUL included. */
#define YASMIN_XS_PATH_MAX          64

/*
 * The view as a guest's unprivileged processes see it.  /dev/xen/xenbus is root-only, so
 * yasmin.ko watches its domain's view (above) and serves it, read-only to everyone, as the
 * text file YASMIN_VIEW_PROC_PATH:
 *
 *   generation <N> domid <D>\n     first line, always: the view's generation as the module
 *                                  last read it (0: no view yet) and the domain's own domid
 *   <address> <cid>\n              then one line per address of every peer in the view, in
 *                                  inet_ntop form, with the peer's CID (decimal)
 *
 * Peers without an address have no line.  The module re-reads the view whenever its
 * generation changes and after a resume (new domid), and validates what it reads (dom0
 * writes the view, but a value that does not parse is dropped rather than served).  One open()
 * of the file reads one generation whole.  A reader (the preload) may keep what it parsed
 * while the generation line stays the same.
 */
#define YASMIN_VIEW_PROC_NAME       "yasmin_view"
#define YASMIN_VIEW_PROC_PATH       "/proc/net/" YASMIN_VIEW_PROC_NAME

/*
 * The control channel between two domains G and P.  Each side offers the other one "half":
 * a control ring it produces (the data-ring format below with YASMIN_CTRL_RING_PAGES data
 * pages), its doorbell page (below) and an unbound event channel the other side binds to
 * ring that doorbell.  G writes its half for P, in one XenStore transaction, into
 * /local/domain/<G>/yasmin/rendezvous/<P>/:
 *
 *   session        random non-zero 64-bit hex: changes whenever G builds a new half
 *   peer-session   the session of P's half that G has mapped (absent before G maps one)
 *   ring-ref       grant reference of G's control ring descriptor page
 *   doorbell-ref   grant reference of G's doorbell page, which P maps read-write
 *   event-channel  the port P binds to reach G
 *   protocol       YASMIN_CONTRACT_VERSION
 *
 * P uses G's half only if peer-session is absent or equals P's own session, so that a half
 * addressed to an earlier instance of P (before a module reload) is never mapped.  When the
 * session of a half P has mapped changes or the directory disappears (module unload, domain
 * death), P resets every connection with G and builds a new half of its own.
 */
#define YASMIN_XS_SESSION           "session"
#define YASMIN_XS_PEER_SESSION      "peer-session"
#define YASMIN_XS_RING_REF          "ring-ref"
#define YASMIN_XS_DOORBELL_REF      "doorbell-ref"
#define YASMIN_XS_EVENT_CHANNEL     "event-channel"
#define YASMIN_XS_PROTOCOL          "protocol"

/*
 * Data rings.  Each direction of a connection has its own ring, allocated and granted by its
 * producer.  The consumer maps the data pages read-only and only the descriptor page
 * read-write, so a hostile consumer can change neither the bytes it is sent nor anything the
 * producer relies on: the producer keeps its own position privately and never reads it back.
 *
 * Indexes are free-running byte counts (u32, wrapping) that both start at 0 when the ring is
 * set up (the consumer relies on that and never reads the starting values); a byte's place is
 * index & (size - 1) in the data area, and size (a power of two, whole pages) is the number
 * of data pages times YASMIN_PAGE_SIZE.  Each side checks every value it reads from the
 * other against the invariant 0 <= prod - cons <= size, with neither index moving backwards.
 * A violation resets the connection.
 *
 * Notification suppression: a side that is about to sleep sets the flag asking for an event
 * (the consumer: prod_wanted, "tell me when prod moves"; the producer: cons_wanted, "tell me
 * when cons moves"), issues a full barrier and re-reads the index before sleeping.  The other
 * side, after publishing its index and a full barrier, exchanges the flag with 0 and sends an
 * event only if it was set.  So no event is sent to a side that is not waiting.
 */
#define YASMIN_PAGE_SIZE            4096u
#define YASMIN_RING_DESC_MAGIC      0x59524e47u  /* "YRNG" */
#define YASMIN_RING_MIN_PAGES       1u
/* Limited by how many grant references one descriptor page holds: 2 MiB of data. */
#define YASMIN_RING_MAX_PAGES       512u
#define YASMIN_RING_DEFAULT_SIZE    (512u * 1024u)

/*
 * The descriptor page.  Indexes are grouped by writer, each group in its own cache line so that
 * the two kernels do not bounce one line between them.  A *_wanted flag sits in the group of
 * the side that sets it; the other side only clears it after it was set, i.e. while that side
 * waits, when the line moves between the kernels anyway.
 */
struct yasmin_ring_desc {
	/* Written by the producer. */
	yasmin_u32 prod;            /* bytes produced so far */
	yasmin_u32 cons_wanted;     /* producer waits for space: set by it, cleared by the consumer */
	yasmin_u32 producer_pad[14];
	/* Written by the consumer. */
	yasmin_u32 cons;            /* bytes consumed so far */
	yasmin_u32 prod_wanted;     /* consumer waits for data: set by it, cleared by the producer */
	yasmin_u32 consumer_pad[14];
	/* Written by the producer before granting the page; constant afterwards.  The consumer
	 * copies these once, at connection set-up, and validates them before mapping. */
	yasmin_u32 magic;           /* YASMIN_RING_DESC_MAGIC */
	yasmin_u32 nr_pages;        /* data pages: a power of two, 1..YASMIN_RING_MAX_PAGES */
	yasmin_u32 layout_pad[14];
	yasmin_u32 grefs[YASMIN_RING_MAX_PAGES];  /* grant references of the data pages, in order */
};

#ifdef __cplusplus
static_assert(sizeof(struct yasmin_ring_desc) <= YASMIN_PAGE_SIZE, "descriptor fits one page");
#else
_Static_assert(sizeof(struct yasmin_ring_desc) <= YASMIN_PAGE_SIZE, "descriptor fits one page");
#endif

/*
 * Records: how a SOCK_SEQPACKET connection (REQUEST flag YASMIN_REQUEST_SEQPACKET) frames its
 * messages in the data rings above; a SOCK_STREAM connection's rings carry plain bytes.
 *
 * Each message is one record: a struct yasmin_record_header, then @len bytes of payload, back
 * to back with the next record (no padding or alignment; a record may wrap around the end of
 * the data area like any other bytes).  The producer commits a record whole, header and
 * payload with one update of prod, so a consumer that finds any byte readable finds at least
 * one whole record; a message larger than the ring minus the header cannot be sent.
 *
 * The consumer copies the header out of the ring once and then checks its copy: flags outside
 * YASMIN_RECORD_FLAGS, a length above the ring's size minus the header, or a record that is
 * not entirely readable (a partial commit) break the connection, which is reset.
 * A record of length 0 is valid (no sender produces one; a receiver returns it as an empty
 * message).
 */
#define YASMIN_RECORD_EOR           1u  /* the message was sent with MSG_EOR */
#define YASMIN_RECORD_FLAGS         YASMIN_RECORD_EOR

struct yasmin_record_header {
	yasmin_u32 len;             /* payload bytes following the header */
	yasmin_u32 flags;           /* YASMIN_RECORD_* */
};

#define YASMIN_RECORD_HEADER_SIZE   8u

#ifdef __cplusplus
static_assert(sizeof(struct yasmin_record_header) == YASMIN_RECORD_HEADER_SIZE,
	      "record header size is part of the ABI");
#else
_Static_assert(sizeof(struct yasmin_record_header) == YASMIN_RECORD_HEADER_SIZE,
	       "record header size is part of the ABI");
#endif

/*
 * Doorbells: one event channel per pair of domains serves every connection between them.
 * Each side owns a doorbell page, granted read-write to its peer: bit N of @bits says "look
 * at your end of the rings of slot N".  Slot 0 is the control ring; a connection's slot is
 * chosen by the side that owns the doorbell and announced in REQUEST or ACCEPT.
 *
 * To ring slot N of the other side: atomically set bit N in its page, then atomically set
 * bit N / 64 of @summary; only if that summary bit was clear, send an event (otherwise one is
 * on its way and the receiver has yet to clear the summary).  The receiver atomically
 * exchanges @summary with 0, then each word it names with 0, and acts on every bit found.
 * Both pages are writable by the other domain: a bit is only ever a hint to re-read ring
 * indexes, which are validated as usual, so a peer that sets or clears bits at random
 * harms nobody but its own connections.
 */
#define YASMIN_DOORBELL_SLOTS       4096u
#define YASMIN_DOORBELL_CONTROL     0u  /* the control ring's slot */

struct yasmin_doorbell_page {
	yasmin_u64 summary;         /* bit W: bits[W] may have bits set */
	yasmin_u64 summary_pad[7];  /* the summary alone in its cache line */
	yasmin_u64 bits[YASMIN_DOORBELL_SLOTS / 64];
};

#ifdef __cplusplus
static_assert(sizeof(struct yasmin_doorbell_page) <= YASMIN_PAGE_SIZE, "doorbell fits one page");
#else
_Static_assert(sizeof(struct yasmin_doorbell_page) <= YASMIN_PAGE_SIZE, "doorbell fits one page");
#endif

/*
 * Control messages.  A control ring carries a stream of fixed-size messages; a message is
 * committed whole, so a consumer sees either all of it or nothing.  The peer is identified by
 * the channel a message arrives on, never by its contents; a connection by the pair
 * (local port, remote port) within that channel.  Messages on one channel are handled in
 * order, so a RESET or SHUTDOWN always arrives before a REQUEST that reuses the same ports.
 *
 * REQUEST   src_port connects to dst_port.  ring_ref is the descriptor of the ring the
 *           requester produces; doorbell the requester's slot for this connection
 *           (1 .. YASMIN_DOORBELL_SLOTS - 1).  flags: YASMIN_REQUEST_SEQPACKET for a
 *           SOCK_SEQPACKET socket (its rings carry records, see above), else 0 (SOCK_STREAM);
 *           a listener of the other type refuses it (RESET: ECONNREFUSED).
 * ACCEPT    the answer: ring_ref is the descriptor of the ring the acceptor produces,
 *           doorbell the acceptor's slot.
 * RESET     refuses a REQUEST (nobody listens: ECONNREFUSED; flags YASMIN_RESET_NO_BUFFERS:
 *           the acceptor is out of grants, mappings or slots: ENOBUFS) or aborts a
 *           connection (ECONNRESET); both sides then forget it.
 * SHUTDOWN  flags say which directions the sender closed (YASMIN_SHUTDOWN_*).  A receiver
 *           returns end-of-file only after reading everything the ring held.  Both bits set
 *           means the sender closed the socket: it maps nothing of this connection any more.
 */
enum yasmin_ctrl_type {
	YASMIN_CTRL_REQUEST  = 1,
	YASMIN_CTRL_ACCEPT   = 2,
	YASMIN_CTRL_RESET    = 3,
	YASMIN_CTRL_SHUTDOWN = 4,
};

#define YASMIN_SHUTDOWN_RCV         1u  /* the sender reads no more */
#define YASMIN_SHUTDOWN_SEND        2u  /* the sender writes no more */
#define YASMIN_SHUTDOWN_MASK        (YASMIN_SHUTDOWN_RCV | YASMIN_SHUTDOWN_SEND)

#define YASMIN_RESET_NO_BUFFERS     1u  /* RESET of a REQUEST: no resources to accept it */

#define YASMIN_REQUEST_SEQPACKET    1u  /* REQUEST from a SOCK_SEQPACKET socket */

struct yasmin_ctrl_msg {
	yasmin_u16 type;            /* enum yasmin_ctrl_type */
	yasmin_u16 flags;           /* SHUTDOWN: YASMIN_SHUTDOWN_*; RESET: YASMIN_RESET_*;
				     * REQUEST: YASMIN_REQUEST_*; else 0 */
	yasmin_u32 src_port;        /* the sender's vsock port */
	yasmin_u32 dst_port;        /* the receiver's vsock port */
	yasmin_u32 ring_ref;        /* REQUEST, ACCEPT; otherwise 0 */
	yasmin_u32 doorbell;        /* REQUEST, ACCEPT: the sender's slot; otherwise 0 */
	yasmin_u32 reserved[3];     /* 0 */
};

/* One data page: 128 messages in flight per direction; a sender queues the rest. */
#define YASMIN_CTRL_RING_PAGES      1u

#ifdef __cplusplus
static_assert(sizeof(struct yasmin_ctrl_msg) == 32, "control message size is part of the ABI");
#else
_Static_assert(sizeof(struct yasmin_ctrl_msg) == 32, "control message size is part of the ABI");
#endif

#ifdef __cplusplus
}
#endif

#endif /* YASMIN_CONTRACT_H */
