/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The view's values as yasmind writes them into XenStore, checked and turned into the lines of
 * /proc/net/yasmin_view (contract.h, YASMIN_VIEW_PROC_PATH).  Pure functions, compiled into
 * yasmin.ko (view.c reads XenStore and calls them) and into the userspace unit tests, like
 * ring.c: the kernel parses addresses with in4_pton()/in6_pton() and prints them with
 * %pI4/%pI6c, userspace with inet_pton()/inet_ntop().
 *
 * dom0 writes the view, but nothing read from XenStore is served before it passes these
 * checks: a value that does not parse is dropped.
 */
#ifndef YASMIN_VIEW_PARSE_H
#define YASMIN_VIEW_PARSE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#endif

#include <yasmin/contract.h>

/* Most peer directories read per view; beyond it, those with the highest domids are ignored. */
#define YASMIN_VIEW_PEERS_MAX		4096u
/* Longest yasmin/peers/<P>/ip value read; a peer with a longer one is dropped. */
#define YASMIN_VIEW_IP_MAX		1024u
/* Longest address text, NUL included: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
#define YASMIN_VIEW_ADDR_MAX		46u
/* Longest line: address, space, CID (at most 5 digits), newline. */
#define YASMIN_VIEW_LINE_MAX		(YASMIN_VIEW_ADDR_MAX - 1 + 1 + 5 + 1)
/*
 * Most bytes one peer's lines take: every address is at least 2 characters plus a separating
 * space, so an ip value of YASMIN_VIEW_IP_MAX characters holds at most (IP_MAX + 1) / 3.
 */
#define YASMIN_VIEW_PEER_TEXT_MAX	(((YASMIN_VIEW_IP_MAX + 1) / 3) * YASMIN_VIEW_LINE_MAX)

/*
 * A decimal number as yasmind writes one: digits only, no sign, no leading zero, at most @max.
 * Anything else ("", "07", "+7", "7 ", "0x7") is false.
 */
bool yasmin_view_parse_decimal(const char *text, yasmin_u64 max, yasmin_u64 *value);

/* The name of a yasmin/peers/ child: a valid domid in decimal. */
bool yasmin_view_parse_domid(const char *name, yasmin_u16 *domid);

/* yasmin/generation: 1 or more; 0 for anything else (no view, or a value that does not parse). */
yasmin_u64 yasmin_view_parse_generation(const char *text);

/*
 * One address of @len characters at @text (not NUL-terminated), IPv4 or IPv6, into its
 * canonical inet_ntop-style form in @out (YASMIN_VIEW_ADDR_MAX bytes).  False, @out
 * unspecified, if it is not an address: zone indexes, ports, prefixes, IPv4 parts with
 * leading zeros ("010.0.0.1", octal to some parsers) and anything longer than an address
 * can be are refused.
 */
bool yasmin_view_canon_addr(const char *text, size_t len, char *out);

/*
 * Peer @domid's lines, "<address> <cid>\n" for each address of @ip (the yasmin/peers/<P>/ip
 * value: addresses separated by spaces; empty or NULL for none) in the order given, written
 * to @buf (@size bytes, NUL-terminated when it returns >= 0).  @cid is the yasmin/peers/<P>/cid
 * value, which must be yasmin_cid_from_domid(@domid).  Addresses that do not parse are
 * skipped and counted in *@dropped.
 *
 * Returns the length written (0: no address), -EINVAL when the whole peer is dropped (@cid
 * missing or not its CID, @domid invalid), -E2BIG when @ip is longer than YASMIN_VIEW_IP_MAX,
 * -ENOSPC when @buf is too small (YASMIN_VIEW_PEER_TEXT_MAX + 1 bytes always suffice).
 */
int yasmin_view_format_peer(yasmin_u16 domid, const char *cid, const char *ip, char *buf,
			    size_t size, unsigned int *dropped);

#endif /* YASMIN_VIEW_PARSE_H */
