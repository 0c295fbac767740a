// SPDX-License-Identifier: GPL-2.0
/*
 * The view's values checked and formatted (view_parse.h), compiled into yasmin.ko and into the
 * userspace unit tests.
 */
#include "view_parse.h"

#ifdef __KERNEL__
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/string.h>

/* Parses the whole of @text (@len characters, NUL-terminated) into @bin (16 bytes). */
static bool yasmin_view_pton(const char *text, size_t len, bool v6, unsigned char *bin)
{
	const char *end;

	if (v6)
		return in6_pton(text, len, bin, -1, &end) && end == text + len;
	return in4_pton(text, len, bin, -1, &end) && end == text + len;
}

static void yasmin_view_ntop(const unsigned char *bin, bool v6, char *out)
{
	if (v6)
		snprintf(out, YASMIN_VIEW_ADDR_MAX, "%pI6c", bin);
	else
		snprintf(out, YASMIN_VIEW_ADDR_MAX, "%pI4", bin);
}

#else /* userspace unit tests */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static bool yasmin_view_pton(const char *text, size_t len, bool v6, unsigned char *bin)
{
	(void)len;
	return inet_pton(v6 ? AF_INET6 : AF_INET, text, bin) == 1;
}

static void yasmin_view_ntop(const unsigned char *bin, bool v6, char *out)
{
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bin, out, YASMIN_VIEW_ADDR_MAX))
		out[0] = '\0';
}

#endif /* __KERNEL__ */

bool yasmin_view_parse_decimal(const char *text, yasmin_u64 max, yasmin_u64 *value)
{
	yasmin_u64 result = 0;
	const char *p;

	if (!text || !text[0] || (text[0] == '0' && text[1]))
		return false;
	for (p = text; *p; p++) {
		yasmin_u64 digit;

		if (*p < '0' || *p > '9')
			return false;
		digit = (yasmin_u64)(*p - '0');
		if (digit > max || result > (max - digit) / 10)
			return false;
		result = result * 10 + digit;
	}
	*value = result;
	return true;
}

bool yasmin_view_parse_domid(const char *name, yasmin_u16 *domid)
{
	yasmin_u64 value;

	if (!yasmin_view_parse_decimal(name, YASMIN_DOMID_MAX, &value))
		return false;
	*domid = (yasmin_u16)value;
	return true;
}

yasmin_u64 yasmin_view_parse_generation(const char *text)
{
	yasmin_u64 value;

	if (!yasmin_view_parse_decimal(text, ~(yasmin_u64)0, &value))
		return 0;
	return value;
}

/*
 * The dotted-decimal part of an address (all of an IPv4 address, the tail of an IPv6 one
 * after its last ':'): no part may have a leading zero.  in4_pton() reads "010" as 10,
 * inet_aton() as 8 and inet_pton() refuses it; the view has no business being ambiguous.
 */
static bool yasmin_view_dotted_ok(const char *text, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == ':')
			start = i + 1;
	}
	if (!memchr(text + start, '.', len - start))
		return true;	/* no dotted part: hex groups may have leading zeros */
	for (i = start; i < len; i++) {
		bool part_start = i == start || text[i - 1] == '.';

		if (part_start && text[i] == '0' && i + 1 < len && text[i + 1] >= '0' &&
		    text[i + 1] <= '9')
			return false;
	}
	return true;
}

bool yasmin_view_canon_addr(const char *text, size_t len, char *out)
{
	char copy[YASMIN_VIEW_ADDR_MAX];
	unsigned char bin[16];
	bool v6;

	if (len == 0 || len >= sizeof(copy))
		return false;
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strlen(copy) != len)
		return false;	/* an embedded NUL */
	v6 = strchr(copy, ':');
	if (!yasmin_view_dotted_ok(copy, len) || !yasmin_view_pton(copy, len, v6, bin))
		return false;
	yasmin_view_ntop(bin, v6, out);
	return out[0] != '\0';
}

int yasmin_view_format_peer(yasmin_u16 domid, const char *cid, const char *ip, char *buf,
			    size_t size, unsigned int *dropped)
{
	yasmin_u64 cid_value;
	size_t used = 0;
	const char *p;

	if (!yasmin_domid_is_valid(domid) || !cid ||
	    !yasmin_view_parse_decimal(cid, YASMIN_CID_MAX, &cid_value) ||
	    cid_value != yasmin_cid_from_domid(domid))
		return -EINVAL;
	if (ip && strlen(ip) > YASMIN_VIEW_IP_MAX)
		return -E2BIG;
	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';

	for (p = ip ? ip : ""; *p; ) {
		char addr[YASMIN_VIEW_ADDR_MAX];
		size_t len = strcspn(p, " ");
		int n;

		if (len == 0) {		/* tolerate extra spaces: they separate nothing */
			p++;
			continue;
		}
		if (!yasmin_view_canon_addr(p, len, addr)) {
			(*dropped)++;
		} else {
			n = snprintf(buf + used, size - used, "%s %u\n", addr,
				     (unsigned int)cid_value);
			if (n < 0 || (size_t)n >= size - used) {
				buf[used] = '\0';
				return -ENOSPC;
			}
			used += (size_t)n;
		}
		p += len;
	}
	return (int)used;
}
