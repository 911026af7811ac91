/* SPDX-License-Identifier: MIT */
/*
 * Sleepable RCU domains.
 *
 * liburcu has no SRCU, so this is ours. One domain per device: a grace
 * period of one domain waits only for the readers of that domain, so
 * unplugging one device never waits for a slow read on another.
 *
 * Read side: srcu_read_lock() / srcu_read_unlock() are wait-free (a load
 * and a store each, to a counter only the calling thread writes) and
 * touch only that thread's own cache line of the domain, so readers on
 * different CPUs do not bounce a shared line. Readers may sleep (provider
 * I/O happens inside the read section) and read sections may nest. A
 * section ends on the thread that began it.
 *
 * Update side: srcu_synchronize() returns only once every read section that
 * began before the call has ended. It may sleep; it must not be called from
 * inside a read section of the same domain (it would wait for itself).
 */
#ifndef NVMEMFS_SRCU_H
#define NVMEMFS_SRCU_H

struct srcu_domain;

/* Threads that read with a slot of their own (a wait-free store); any
 * more live at once share one further slot (an atomic add). More than
 * the request loop's workers (FS_LOOP_MAX_THREADS), with room for the
 * daemon's other threads, and no more: every device's domain has
 * SRCU_SLOTS + 2 cache lines. Public for the tests. */
#define SRCU_SLOTS	20

struct srcu_domain *srcu_domain_new(void);
/* No reader may be inside the domain any more. */
void srcu_domain_free(struct srcu_domain *sd);

/* Returns the index to hand back to srcu_read_unlock(). */
int srcu_read_lock(struct srcu_domain *sd);
void srcu_read_unlock(struct srcu_domain *sd, int idx);

void srcu_synchronize(struct srcu_domain *sd);

#endif
