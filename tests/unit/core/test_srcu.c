// SPDX-License-Identifier: MIT
/* SRCU domains: grace periods wait for exactly their own readers. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/srcu.h"

struct reader_arg {
	struct srcu_domain *sd;
	atomic_int inside;
	atomic_int release;	/* reader leaves when set */
	atomic_int left;	/* set just before srcu_read_unlock */
};

static void *reader_hold(void *p)
{
	struct reader_arg *a = p;
	int idx = srcu_read_lock(a->sd);

	atomic_store(&a->inside, 1);
	while (!atomic_load(&a->release))
		usleep(1000);
	atomic_store(&a->left, 1);
	srcu_read_unlock(a->sd, idx);
	return NULL;
}

static void wait_flag(atomic_int *flag)
{
	while (!atomic_load(flag))
		usleep(100);
}

static void test_uncontended(void **state)
{
	struct srcu_domain *sd = srcu_domain_new();
	int idx, inner;

	assert_non_null(sd);
	srcu_synchronize(sd);	/* no readers: returns */
	idx = srcu_read_lock(sd);
	inner = srcu_read_lock(sd);	/* sections nest */
	srcu_read_unlock(sd, inner);
	srcu_read_unlock(sd, idx);
	srcu_synchronize(sd);
	srcu_synchronize(sd);
	srcu_domain_free(sd);
}

struct sync_arg {
	struct srcu_domain *sd;
	atomic_int done;
};

static void *synchronizer(void *p)
{
	struct sync_arg *s = p;

	srcu_synchronize(s->sd);
	atomic_store(&s->done, 1);
	return NULL;
}

/* synchronize must not return while a reader that entered before it is
 * still inside, whatever the reader does meanwhile (it sleeps). */
static void test_waits_for_reader(void **state)
{
	struct reader_arg a = { .sd = srcu_domain_new() };
	struct sync_arg s = { .sd = a.sd };
	pthread_t rt, st;
	int i;

	pthread_create(&rt, NULL, reader_hold, &a);
	wait_flag(&a.inside);
	pthread_create(&st, NULL, synchronizer, &s);
	/* Give a broken synchronize every chance to return early. */
	for (i = 0; i < 200; i++) {
		usleep(1000);
		assert_int_equal(atomic_load(&s.done), 0);
	}
	atomic_store(&a.release, 1);
	pthread_join(st, NULL);
	assert_int_equal(atomic_load(&s.done), 1);
	assert_int_equal(atomic_load(&a.left), 1);
	pthread_join(rt, NULL);
	srcu_domain_free(a.sd);
}

/* A reader parked in domain A must not delay a grace period of B. */
static void test_domains_independent(void **state)
{
	struct reader_arg a = { .sd = srcu_domain_new() };
	struct sync_arg s = { .sd = srcu_domain_new() };
	pthread_t rt, st;
	int i;

	pthread_create(&rt, NULL, reader_hold, &a);
	wait_flag(&a.inside);
	pthread_create(&st, NULL, synchronizer, &s);
	/* Bounded wait (10 s): B's synchronize has nothing to wait for. */
	for (i = 0; i < 10000 && !atomic_load(&s.done); i++)
		usleep(1000);
	assert_int_equal(atomic_load(&s.done), 1);
	assert_int_equal(atomic_load(&a.left), 0);
	pthread_join(st, NULL);
	atomic_store(&a.release, 1);
	pthread_join(rt, NULL);
	srcu_domain_free(a.sd);
	srcu_domain_free(s.sd);
}

/*
 * Readers dereference a published object and check it; the updater swaps
 * it, synchronizes and poisons + frees the old one. A reader that saw a
 * poisoned object (or ASan/TSan) catches a grace period that ended early.
 */
#define OBJ_MAGIC 0x5eed5eedu
struct obj {
	unsigned int magic;
	unsigned long value;
};

struct stress {
	struct srcu_domain *sd;
	_Atomic(struct obj *) cur;
	atomic_int stop;
	atomic_long bad, reads;
	int sections;		/* a reader leaves after this many; 0: never */
	atomic_int holding;	/* slot holders that have their slot */
};

static void *stress_reader(void *p)
{
	struct stress *s = p;
	int n = 0;

	while (!atomic_load(&s->stop) && (!s->sections || n++ < s->sections)) {
		int idx = srcu_read_lock(s->sd);
		struct obj *o = atomic_load(&s->cur);

		if (o->magic != OBJ_MAGIC)
			atomic_fetch_add(&s->bad, 1);
		if ((atomic_fetch_add(&s->reads, 1) & 63) == 0)
			usleep(10);	/* readers may sleep */
		if (o->magic != OBJ_MAGIC || o->value == 0)
			atomic_fetch_add(&s->bad, 1);
		srcu_read_unlock(s->sd, idx);
	}
	return NULL;
}

/*
 * Short-lived readers, as many at a time as @s has: every generation
 * exits after a few sections and the next one takes the slots it gave
 * back, while the updater keeps swapping.
 */
struct churn {
	struct stress *s;
	int readers;
};

static void *churn_spawner(void *p)
{
	struct churn *c = p;
	pthread_t t[8];
	int i;

	while (!atomic_load(&c->s->stop)) {
		for (i = 0; i < c->readers; i++)
			pthread_create(&t[i], NULL, stress_reader, c->s);
		for (i = 0; i < c->readers; i++)
			pthread_join(t[i], NULL);
	}
	return NULL;
}

/*
 * A thread that takes a slot of its own (its first read section) and
 * keeps it, idle, until the stress ends.
 */
static void *slot_holder(void *p)
{
	struct stress *s = p;

	srcu_read_unlock(s->sd, srcu_read_lock(s->sd));
	atomic_fetch_add(&s->holding, 1);
	while (!atomic_load(&s->stop))
		usleep(1000);
	return NULL;
}

/*
 * @nreaders threads read while the updater swaps and frees. @holders
 * idle threads first take slots of their own: SRCU_SLOTS of them leave
 * the readers only the shared slot. @churn makes the readers short-lived
 * (see churn_spawner, nreaders <= 8).
 */
static void stress_replace(int nreaders, int holders, bool churn)
{
	struct stress s = { .sd = srcu_domain_new(), .sections = churn ? 50 : 0 };
	struct churn c = { .s = &s, .readers = nreaders };
	pthread_t *readers = calloc(nreaders, sizeof(*readers)), spawner;
	pthread_t *held = calloc(holders + 1, sizeof(*held));
	struct timespec t0, t;
	struct obj *o;
	long reads0;
	int i;

	assert_non_null(readers);
	assert_non_null(held);
	for (i = 0; i < holders; i++)
		pthread_create(&held[i], NULL, slot_holder, &s);
	while (atomic_load(&s.holding) < holders)
		usleep(100);
	o = malloc(sizeof(*o));
	o->magic = OBJ_MAGIC;
	o->value = 1;
	atomic_init(&s.cur, o);
	if (churn)
		pthread_create(&spawner, NULL, churn_spawner, &c);
	else
		for (i = 0; i < nreaders; i++)
			pthread_create(&readers[i], NULL, stress_reader, &s);
	/* On a loaded machine the updater could otherwise finish before a
	 * reader ever ran: after 2000 swaps, go on until the readers have
	 * overlapped with plenty of them (bounded by time, 20 s). */
	while (atomic_load(&s.reads) < 100)
		usleep(100);
	reads0 = atomic_load(&s.reads);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2000 || atomic_load(&s.reads) - reads0 < 10000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (i >= 2000 && t.tv_sec - t0.tv_sec > 20)
			break;
		struct obj *n = malloc(sizeof(*n)), *old;

		n->magic = OBJ_MAGIC;
		n->value = i + 2;
		old = atomic_exchange(&s.cur, n);
		srcu_synchronize(s.sd);
		old->magic = 0xdead;
		old->value = 0;
		free(old);
	}
	atomic_store(&s.stop, 1);
	if (churn)
		pthread_join(spawner, NULL);
	else
		for (i = 0; i < nreaders; i++)
			pthread_join(readers[i], NULL);
	for (i = 0; i < holders; i++)
		pthread_join(held[i], NULL);
	free(held);
	assert_int_equal(atomic_load(&s.bad), 0);
	assert_true(atomic_load(&s.reads) - reads0 >= 10000);
	free(atomic_load(&s.cur));
	free(readers);
	srcu_domain_free(s.sd);
}

static void test_stress_replace(void **state)
{
	stress_replace(4, 0, false);
}

/* More threads than slots of their own: the readers share one. */
static void test_stress_shared_slot(void **state)
{
	stress_replace(4, SRCU_SLOTS, false);
}

/* Slots handed from exiting threads to new ones. */
static void test_stress_thread_churn(void **state)
{
	stress_replace(6, 0, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncontended),
		cmocka_unit_test(test_waits_for_reader),
		cmocka_unit_test(test_domains_independent),
		cmocka_unit_test(test_stress_replace),
		cmocka_unit_test(test_stress_shared_slot),
		cmocka_unit_test(test_stress_thread_churn),
	};

	/* A grace period that never ends (counts lost by two writers of
	 * one slot) must fail the test, not hang it. */
	alarm(300);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
