/* SPDX-License-Identifier: MIT */
/*
 * ThreadSanitizer annotations for synchronisation that TSan cannot see.
 *
 * liburcu is a prebuilt, uninstrumented library: the ordering that an RCU
 * grace period or a hash-table publication gives is invisible to TSan. The
 * wrappers that use liburcu (registry.c) state that ordering explicitly with
 * these macros; everywhere else we use C11 atomics, which TSan understands.
 * Without TSan they compile to nothing.
 */
#ifndef NVMEMFS_TSAN_H
#define NVMEMFS_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define NVMEMFS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NVMEMFS_TSAN 1
#endif
#endif

#ifdef NVMEMFS_TSAN
#include <sanitizer/tsan_interface.h>
#define tsan_acquire(addr)	__tsan_acquire((void *)(addr))
#define tsan_release(addr)	__tsan_release((void *)(addr))
#else
#define tsan_acquire(addr)	do { (void)(addr); } while (0)
#define tsan_release(addr)	do { (void)(addr); } while (0)
#endif

#endif
