// SPDX-License-Identifier: MIT
/*
 * Figure 1: cost of an SRCU read-side pair (lock + unlock) with 1 and 2
 * threads, against liburcu's memb rcu_read_lock/unlock, a pthread rwlock
 * and an atomic refcount on one shared counter, all measured here.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <urcu/urcu-memb.h>

#include "bench.h"
#include "core/srcu.h"

#define ITERS 20000000UL

enum kind { K_SRCU, K_URCU, K_RWLOCK, K_ATOMIC };

static struct srcu_domain *sd;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static atomic_long shared_ref;
static pthread_barrier_t barrier;

static void *loop(void *arg)
{
	enum kind k = (enum kind)(uintptr_t)arg;
	unsigned long i;

	if (k == K_URCU)
		urcu_memb_register_thread();
	pthread_barrier_wait(&barrier);
	switch (k) {
	case K_SRCU:
		for (i = 0; i < ITERS; i++) {
			int idx = srcu_read_lock(sd);

			__asm__ volatile("" ::: "memory");
			srcu_read_unlock(sd, idx);
		}
		break;
	case K_URCU:
		for (i = 0; i < ITERS; i++) {
			urcu_memb_read_lock();
			__asm__ volatile("" ::: "memory");
			urcu_memb_read_unlock();
		}
		break;
	case K_RWLOCK:
		for (i = 0; i < ITERS; i++) {
			pthread_rwlock_rdlock(&rw);
			__asm__ volatile("" ::: "memory");
			pthread_rwlock_unlock(&rw);
		}
		break;
	case K_ATOMIC:
		for (i = 0; i < ITERS; i++) {
			atomic_fetch_add(&shared_ref, 1);
			__asm__ volatile("" ::: "memory");
			atomic_fetch_sub(&shared_ref, 1);
		}
		break;
	}
	pthread_barrier_wait(&barrier);
	if (k == K_URCU)
		urcu_memb_unregister_thread();
	return NULL;
}

/* ns per pair, seen by one thread (wall time / iterations). */
static double run_once(enum kind k, int threads)
{
	pthread_t t[2];
	double t0, t1;
	int i;

	pthread_barrier_init(&barrier, NULL, threads + 1);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, loop, (void *)(uintptr_t)k);
	pthread_barrier_wait(&barrier);
	t0 = bench_now();
	pthread_barrier_wait(&barrier);
	t1 = bench_now();
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	return (t1 - t0) * 1e9 / ITERS;
}

/*
 * The best of 5 runs: on a shared 2-CPU machine a single run of either
 * thread count could lose a time slice to something else, which says
 * nothing about the lock; the best run is what the lock costs.
 */
static double run(enum kind k, int threads)
{
	double best = run_once(k, threads), t;

	for (int i = 1; i < 5; i++) {
		t = run_once(k, threads);
		if (t < best)
			best = t;
	}
	return best;
}

/*
 * Best 1-thread and best 2-thread time of @k, the runs alternating: the
 * machine drifts (its other guests, its clock) over the seconds a series
 * takes, and two series run one after the other compared two different
 * machines, moving the scaling figure by 0.2 from run to run.
 */
static void run_both(enum kind k, double *one, double *two)
{
	double t;

	*one = run_once(k, 1);
	*two = run_once(k, 2);
	for (int i = 1; i < 7; i++) {
		t = run_once(k, 1);
		if (t < *one)
			*one = t;
		t = run_once(k, 2);
		if (t < *two)
			*two = t;
	}
}

static void line(const char *name, double v, const char *unit, double ref,
		 const char *refname, const char *target, int ok)
{
	printf("%-38s %9.2f %-6s %9.2fx vs %-16s target %-10s %s\n", name, v,
	       unit, v / ref, refname, target, ok ? "met" : "MISSED");
	printf("BENCH %s=%.3f unit=%s ref=%s:%.3f ratio=%.3f target=\"%s\" %s\n",
	       name, v, unit, refname, ref, v / ref, target, ok ? "met" : "missed");
}

int main(void)
{
	double srcu1, srcu2, urcu1, rw2, at2;

	sd = srcu_domain_new();
	run_once(K_SRCU, 1);	/* warm up */
	run_both(K_SRCU, &srcu1, &srcu2);
	urcu1 = run(K_URCU, 1);
	rw2 = run(K_RWLOCK, 2);
	at2 = run(K_ATOMIC, 2);

	printf("# SRCU read side, %lu pairs per thread; best of 7 runs of 1 and 2 threads\n"
	       "# taken in turns, best of 5 for the references\n", ITERS);
	line("srcu_pair_1thread_ns", srcu1, "ns", urcu1, "urcu_memb_1t", "<= 2x", srcu1 <= 2 * urcu1);
	/* throughput with 2 threads vs 1: 2 * (1/srcu2) / (1/srcu1) */
	line("srcu_2thread_scaling", 2 * srcu1 / srcu2, "x", 1, "1 thread", ">= 1.8x",
	     2 * srcu1 / srcu2 >= 1.8);
	line("srcu_pair_2threads_ns", srcu2, "ns", rw2, "rwlock_2t", "<= 0.2x", srcu2 * 5 <= rw2);
	line("srcu_vs_shared_atomic_2t", srcu2, "ns", at2, "atomic_ref_2t", "(info)", 1);
	srcu_domain_free(sd);
	return 0;
}
