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
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint16_t yasmin_u16;
typedef uint32_t yasmin_u32;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of this contract. */
#define YASMIN_CONTRACT_VERSION 1u

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

/* Longest absolute path the formats above produce, terminating NUL included. */
#define YASMIN_XS_PATH_MAX          64

#ifdef __cplusplus
}
#endif

#endif /* YASMIN_CONTRACT_H */
