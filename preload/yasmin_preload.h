/*
 * The C ABI of libyasmin.so, the library yasmin-run preloads into unmodified programs.
 *
 * It exports, in place of the C library's, connect() and the functions that must answer for
 * the AF_VSOCK sockets connect() puts behind a program's TCP descriptors (interpose.cc,
 * docs/preload.md); yasmin_preload_version() is its only function of its own.  The testing
 * build, libyasmin-testing.so, also exports yasmin_preload_testing_yasmin_fds().
 */
#ifndef YASMIN_PRELOAD_YASMIN_PRELOAD_H_
#define YASMIN_PRELOAD_YASMIN_PRELOAD_H_

#define YASMIN_PRELOAD_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* The yasmin version the library was built from, e.g. "0.1.0"; a static string. */
YASMIN_PRELOAD_EXPORT const char* yasmin_preload_version(void);

#ifdef __cplusplus
}
#endif

#endif /* YASMIN_PRELOAD_YASMIN_PRELOAD_H_ */
