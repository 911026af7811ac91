// SPDX-License-Identifier: MIT
/*
 * Sleepable RCU, one domain per device.
 *
 * The scheme is the kernel's counter-based SRCU: two epochs (index 0/1);
 * a reader increments lock[idx] of the current epoch on entry and
 * unlock[idx] of the same epoch on exit. synchronize flips the epoch and
 * waits until lock[old] == unlock[old] summed over all slots. Counters
 * only grow, so a reader that enters on one slot and leaves on another
 * (another thread) still balances the sums.
 *
 * Per-CPU counters do not exist in user space, so every thread gets a
 * slot index once (round robin) and uses the slot's own cache line: with
 * up to SRCU_SLOTS threads no two readers write the same line. More
 * threads share slots, which stays correct because the increments are
 * atomic.
 *
 * Memory ordering, in C11 terms so that ThreadSanitizer checks it too:
 *  - the reader's lock increment and the updater's counter loads are
 *    seq_cst, as is every load and store of the pointers a domain
 *    protects (see device.c), so a reader either is counted by a
 *    concurrent synchronize or sees the updater's earlier stores;
 *  - the reader's unlock increment is a release that the updater's
 *    acquire load of the same counter pairs with: everything the reader
 *    did inside its section happens before what the updater does after
 *    synchronize returns (freeing the provider data).
 *
 * Why two waits per grace period: a reader may load the epoch index,
 * be preempted across a flip and only then increment the old epoch's
 * counter. Waiting for the inactive epoch to drain before flipping, as
 * the kernel does, makes sure such a late reader from an earlier grace
 * period cannot keep the epoch we are about to wait for looking empty.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "srcu.h"

#define SRCU_SLOTS	32	/* power of two; > FUSE worker threads */
#define CACHELINE	64

struct srcu_slot {
	alignas(CACHELINE) atomic_ulong lock[2];
	atomic_ulong unlock[2];
};

/*
 * Lifetime: created with its device and freed with it, once no reader can
 * enter any more (the device's last reference is gone).
 * @epoch: only its low bit is used; written under @gp_lock only.
 * @gp_lock: serialises grace periods of this domain (never held by
 *           readers, so readers never wait).
 */
struct srcu_domain {
	struct srcu_slot slots[SRCU_SLOTS];
	alignas(CACHELINE) atomic_uint epoch;
	pthread_mutex_t gp_lock;
};

static atomic_uint srcu_next_slot;
static _Thread_local unsigned int srcu_my_slot = UINT_MAX;

static struct srcu_slot *srcu_slot(struct srcu_domain *sd)
{
	if (srcu_my_slot == UINT_MAX)
		srcu_my_slot = atomic_fetch_add_explicit(&srcu_next_slot, 1,
							 memory_order_relaxed) %
			       SRCU_SLOTS;
	return &sd->slots[srcu_my_slot];
}

struct srcu_domain *srcu_domain_new(void)
{
	struct srcu_domain *sd;

	/* aligned_alloc wants the size to be a multiple of the alignment. */
	sd = aligned_alloc(CACHELINE, (sizeof(*sd) + CACHELINE - 1) &
				      ~(size_t)(CACHELINE - 1));
	if (!sd)
		return NULL;
	for (int i = 0; i < SRCU_SLOTS; i++) {
		for (int j = 0; j < 2; j++) {
			atomic_init(&sd->slots[i].lock[j], 0);
			atomic_init(&sd->slots[i].unlock[j], 0);
		}
	}
	atomic_init(&sd->epoch, 0);
	pthread_mutex_init(&sd->gp_lock, NULL);
	return sd;
}

void srcu_domain_free(struct srcu_domain *sd)
{
	if (!sd)
		return;
	pthread_mutex_destroy(&sd->gp_lock);
	free(sd);
}

int srcu_read_lock(struct srcu_domain *sd)
{
	struct srcu_slot *slot = srcu_slot(sd);
	int idx;

	idx = atomic_load_explicit(&sd->epoch, memory_order_relaxed) & 1;
	atomic_fetch_add_explicit(&slot->lock[idx], 1, memory_order_seq_cst);
	return idx;
}

void srcu_read_unlock(struct srcu_domain *sd, int idx)
{
	struct srcu_slot *slot = srcu_slot(sd);

	atomic_fetch_add_explicit(&slot->unlock[idx], 1, memory_order_release);
}

/* True when no reader is inside epoch @idx. Unlocks are summed before
 * locks: a reader that enters and leaves between the two sums can only
 * make locks look larger, never hide a reader that is still inside. */
static int srcu_epoch_idle(struct srcu_domain *sd, int idx)
{
	unsigned long locks = 0, unlocks = 0;
	int i;

	for (i = 0; i < SRCU_SLOTS; i++)
		unlocks += atomic_load_explicit(&sd->slots[i].unlock[idx],
						memory_order_seq_cst);
	for (i = 0; i < SRCU_SLOTS; i++)
		locks += atomic_load_explicit(&sd->slots[i].lock[idx],
					      memory_order_seq_cst);
	return locks == unlocks;
}

/* Readers may sleep in provider I/O for milliseconds: spin briefly for
 * the common case of short sections, then back off to at most 1 ms so a
 * waiting unplug costs no CPU. */
static void srcu_wait_epoch(struct srcu_domain *sd, int idx)
{
	struct timespec ts = { 0, 0 };
	long delay_ns = 10 * 1000;
	int spins = 0;

	while (!srcu_epoch_idle(sd, idx)) {
		if (spins++ < 100)
			continue;
		ts.tv_nsec = delay_ns;
		nanosleep(&ts, NULL);
		if (delay_ns < 1000 * 1000)
			delay_ns *= 2;
	}
}

void srcu_synchronize(struct srcu_domain *sd)
{
	unsigned int cur;

	pthread_mutex_lock(&sd->gp_lock);
	cur = atomic_load_explicit(&sd->epoch, memory_order_relaxed);
	srcu_wait_epoch(sd, (cur + 1) & 1);
	atomic_store_explicit(&sd->epoch, cur + 1, memory_order_seq_cst);
	srcu_wait_epoch(sd, cur & 1);
	pthread_mutex_unlock(&sd->gp_lock);
}
