// SPDX-License-Identifier: MIT
/* SRCU domains: grace periods wait for exactly their own readers. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "srcu.h"

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
};

static void *stress_reader(void *p)
{
	struct stress *s = p;

	while (!atomic_load(&s->stop)) {
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

static void test_stress_replace(void **state)
{
	struct stress s = { .sd = srcu_domain_new() };
	pthread_t readers[4];
	struct timespec t0, t;
	struct obj *o;
	long reads0;
	int i;

	o = malloc(sizeof(*o));
	o->magic = OBJ_MAGIC;
	o->value = 1;
	atomic_init(&s.cur, o);
	for (i = 0; i < 4; i++)
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
	for (i = 0; i < 4; i++)
		pthread_join(readers[i], NULL);
	assert_int_equal(atomic_load(&s.bad), 0);
	assert_true(atomic_load(&s.reads) - reads0 >= 10000);
	free(atomic_load(&s.cur));
	srcu_domain_free(s.sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncontended),
		cmocka_unit_test(test_waits_for_reader),
		cmocka_unit_test(test_domains_independent),
		cmocka_unit_test(test_stress_replace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
