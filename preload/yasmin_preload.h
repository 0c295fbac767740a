/*
 * The C ABI of libyasmin.so, the library yasmin-run preloads into unmodified programs.
 *
 * For now the library interposes nothing: loading it changes no behaviour of the program.
 * Redirecting the program's AF_VSOCK sockets to the yasmin transport comes in a later issue.
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
