// SPDX-License-Identifier: MIT
/*
 * Sleepable RCU, one domain per device.
 *
 * The scheme is the kernel's counter-based SRCU: two epochs (index 0/1);
 * a reader increments lock[idx] of the current epoch on entry and
 * unlock[idx] of the same epoch on exit. synchronize flips the epoch and
 * waits until lock[old] == unlock[old] summed over all slots. Counters
 * only grow, so a reader that enters on one slot and leaves on another
 * (see srcu_slot_release()) still balances the sums.
 *
 * Per-CPU counters do not exist in user space, so a thread takes a slot
 * of its own on its first read section and gives it back when it exits:
 * the only writer of a slot's counters, it updates them with a load and
 * a store instead of a locked read-modify-write, which halves the cost
 * of a lock+unlock pair. Threads beyond SRCU_SLOTS live at once share
 * one extra slot and increment it atomically. So a section must end on
 * the thread that began it (device.c's do).
 *
 * Memory ordering, in C11 terms so that ThreadSanitizer checks it too:
 *  - the reader's lock increment (a store, or an add when shared) and
 *    the updater's counter loads are seq_cst, as is every load and store
 *    of the pointers a domain protects (see device.c), so a reader
 *    either is counted by a concurrent synchronize or sees the updater's
 *    earlier stores;
 *  - the reader's unlock increment is a release that the updater's
 *    acquire load of the same counter pairs with: everything the reader
 *    did inside its section happens before what the updater does after
 *    synchronize returns (freeing the provider data);
 *  - a slot changes hands through srcu_owned (release when given back,
 *    acquire when taken), so its next owner starts from the counts its
 *    last owner left.
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
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "core/srcu.h"

#define SRCU_SHARED	SRCU_SLOTS	/* the slot of any further threads */
#define CACHELINE	64
/*
 * Where slot i lives in the array: (i * SRCU_STRIDE) mod (SRCU_SLOTS + 1),
 * a permutation (8 and 21 share no factor) that puts the slots of threads
 * taken one after the other 512 bytes apart. With neighbouring lines,
 * the CPU's prefetchers dragged one thread's line into the other's
 * cache: two threads ran at 1.75x one thread's speed instead of ~1.9x.
 */
#define SRCU_STRIDE	8
#define SRCU_POS(i)	((i) * SRCU_STRIDE % (SRCU_SLOTS + 1))
#define SRCU_SHARED_POS	SRCU_POS(SRCU_SHARED)

_Static_assert(SRCU_SLOTS <= sizeof(unsigned long) * CHAR_BIT,
	       "srcu_owned has a bit per slot");
_Static_assert((SRCU_SLOTS + 1) % 2 != 0,
	       "SRCU_STRIDE must share no factor with SRCU_SLOTS + 1");

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
	struct srcu_slot slots[SRCU_SLOTS + 1];
	alignas(CACHELINE) atomic_uint epoch;
	pthread_mutex_t gp_lock;
};

/*
 * Slot ownership, process-wide (a slot index means the same slot in every
 * domain): bit i of srcu_owned is set while a live thread owns slot i.
 * srcu_my_slot is where the calling thread's slot lives (SRCU_POS of its
 * index), UINT_MAX before its first read section; the key's destructor
 * gives the slot back at thread exit.
 */
static atomic_ulong srcu_owned;
static _Thread_local unsigned int srcu_my_slot = UINT_MAX;
static pthread_key_t srcu_slot_key;
static pthread_once_t srcu_slot_once = PTHREAD_ONCE_INIT;
static bool srcu_slot_key_ok;

static void srcu_slot_release(void *data)
{
	unsigned int i = (unsigned int)(uintptr_t)data - 1;

	/* A read section in a later thread-exit destructor must not write
	 * the slot that the next thread may already own. */
	srcu_my_slot = SRCU_SHARED_POS;
	atomic_fetch_and_explicit(&srcu_owned, ~(1UL << i),
				  memory_order_release);
}

static void srcu_slot_key_init(void)
{
	srcu_slot_key_ok = !pthread_key_create(&srcu_slot_key,
					       srcu_slot_release);
}

/* A free slot for this thread, or SRCU_SHARED when none is left (or its
 * return at exit could not be arranged). */
static unsigned int srcu_slot_take(void)
{
	unsigned long owned, bit;
	unsigned int i;

	pthread_once(&srcu_slot_once, srcu_slot_key_init);
	if (!srcu_slot_key_ok)
		return SRCU_SHARED;
	owned = atomic_load_explicit(&srcu_owned, memory_order_relaxed);
	do {
		for (i = 0; i < SRCU_SLOTS && (owned >> i) & 1; i++)
			;
		if (i == SRCU_SLOTS)
			return SRCU_SHARED;
		bit = 1UL << i;
	} while (!atomic_compare_exchange_weak_explicit(&srcu_owned, &owned,
							owned | bit,
							memory_order_acquire,
							memory_order_relaxed));
	if (pthread_setspecific(srcu_slot_key, (void *)(uintptr_t)(i + 1))) {
		srcu_slot_release((void *)(uintptr_t)(i + 1));
		return SRCU_SHARED;
	}
	return i;
}

/* This thread's slot, as a position in the slots array. */
static unsigned int srcu_slot_index(void)
{
	if (srcu_my_slot == UINT_MAX)
		srcu_my_slot = SRCU_POS(srcu_slot_take());
	return srcu_my_slot;
}

/* Add one to @c, which only this thread writes unless @shared. */
static inline void srcu_count(atomic_ulong *c, bool shared,
			      memory_order order)
{
	if (shared)
		atomic_fetch_add_explicit(c, 1, order);
	else
		atomic_store_explicit(c, atomic_load_explicit(c,
					memory_order_relaxed) + 1, order);
}

struct srcu_domain *srcu_domain_new(void)
{
	struct srcu_domain *sd;

	/* aligned_alloc wants the size to be a multiple of the alignment. */
	sd = aligned_alloc(CACHELINE, (sizeof(*sd) + CACHELINE - 1) &
				      ~(size_t)(CACHELINE - 1));
	if (!sd)
		return NULL;
	for (int i = 0; i <= SRCU_SLOTS; i++) {
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
	unsigned int i = srcu_slot_index();
	int idx;

	idx = atomic_load_explicit(&sd->epoch, memory_order_relaxed) & 1;
	srcu_count(&sd->slots[i].lock[idx], i == SRCU_SHARED_POS,
		   memory_order_seq_cst);
	return idx;
}

void srcu_read_unlock(struct srcu_domain *sd, int idx)
{
	unsigned int i = srcu_slot_index();

	srcu_count(&sd->slots[i].unlock[idx], i == SRCU_SHARED_POS,
		   memory_order_release);
}

/* True when no reader is inside epoch @idx. Unlocks are summed before
 * locks: a reader that enters and leaves between the two sums can only
 * make locks look larger, never hide a reader that is still inside. */
static int srcu_epoch_idle(struct srcu_domain *sd, int idx)
{
	unsigned long locks = 0, unlocks = 0;
	int i;

	for (i = 0; i <= SRCU_SLOTS; i++)
		unlocks += atomic_load_explicit(&sd->slots[i].unlock[idx],
						memory_order_seq_cst);
	for (i = 0; i <= SRCU_SLOTS; i++)
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
