/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few primitives ring.c needs, so that the same file builds into yasmin.ko and into the
 * userspace unit tests.  In the kernel they are the kernel's own; in userspace they are GCC
 * __atomic builtins with at least the ordering the kernel primitive guarantees.
 *
 * ring.c uses the virt_*() barriers, not smp_*(): the peer is another domain on another
 * (virtual) CPU, so the barriers must not become compiler-only barriers in a !CONFIG_SMP
 * guest.  include/xen/interface/io/ring.h does the same.
 */
#ifndef YASMIN_RING_PLATFORM_H
#define YASMIN_RING_PLATFORM_H

#ifdef __KERNEL__

#include <linux/atomic.h>	/* xchg(), atomic64_fetch_or() */
#include <linux/build_bug.h>
#include <linux/compiler.h>	/* READ_ONCE(), WRITE_ONCE() */
#include <linux/errno.h>
#include <linux/types.h>
#include <asm/barrier.h>	/* virt_mb(), virt_load_acquire(), virt_store_release() */

/* Fully ordered 64-bit fetch-or on shared memory (doorbell.c); 64-bit kernels only. */
static inline u64 yasmin_fetch_or64(u64 *p, u64 mask)
{
	BUILD_BUG_ON(sizeof(atomic64_t) != sizeof(u64));
	return atomic64_fetch_or(mask, (atomic64_t *)p);
}

#else /* userspace unit tests */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;

#define READ_ONCE(x)			__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)		__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#define virt_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define virt_store_release(p, val)	__atomic_store_n((p), (val), __ATOMIC_RELEASE)
#define virt_mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)
/* The kernel's xchg() and atomic64_fetch_or() are fully ordered. */
#define xchg(p, val)			__atomic_exchange_n((p), (val), __ATOMIC_SEQ_CST)
#define yasmin_fetch_or64(p, mask)	__atomic_fetch_or((p), (mask), __ATOMIC_SEQ_CST)

#endif /* __KERNEL__ */

#endif /* YASMIN_RING_PLATFORM_H */
