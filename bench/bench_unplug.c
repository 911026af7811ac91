// SPDX-License-Identifier: MIT
/*
 * Figure 4: unplug latency at the core API, on the real at24 provider over
 * the emulated I2C bus with real bus timing (i2c_emul sleeps every
 * transfer), a 24c512 at 100 kHz and at 400 kHz.
 *
 *   bench_unplug [UNPLUGS]      (default 100 per clock)
 *
 * Each unplug: register a fresh device, start a reader thread doing 64 KiB
 * nvmem_device_read() calls in a loop, wait a random time (a uniform phase
 * over several read chunks, so the unplug lands anywhere inside a chunk),
 * start a prober thread polling registry_get_by_name(), then call
 * nvmem_device_unregister() as the daemon does on a udev remove event. From
 * the start of that call we measure
 *   (a) until lookups by name fail, and
 *   (b) until the in-flight 64 KiB read returns -ENODEV.
 * (b) is compared with the bus time of one read chunk (io_limit bytes),
 * computed the way i2c_emul counts it: 9 bits per byte on the wire (the
 * address byte of each message, the word address and the data) plus a
 * start and a stop bit, and checked against the emulator's own counter.
 * Every lookup that starts after the device left the registry fails;
 * (a) is an upper bound of that instant: the earlier of the return of
 * the prober's first failing lookup and the registry listener's call
 * (which follows the removal and its RCU grace period). The prober alone
 * also counts its own wake-ups: on a loaded machine with two CPUs it
 * waits a scheduler slice now and then, which is the machine's latency,
 * not the daemon's; that figure is printed too, for information.
 * The prober sleeps 20 us between lookups (the resolution of (a)): a
 * prober that spun could hold off the unregistering thread for a whole
 * scheduler tick on a machine with two CPUs and no kernel preemption
 * (4 ms, in some runs), and would mostly be preempted inside an RCU read
 * section, stretching the grace period; both would be this bench's
 * doing, not the daemon's.
 *
 * Also printed, to explain (b): when the registry listener was called (the
 * end of the RCU grace period of registry_remove(), right before impl is
 * cleared), and how many unplugs saw the reader start a new chunk after
 * unregister began: a chunk that ends before impl is cleared is followed
 * by another one, which unregister then waits for as well.
 *
 * References: the bench holds the creator's reference to each device, the
 * registry its own while registered, the reader thread one of its own.
 * A read that the provider fails with -ENODEV starts a report_gone worker
 * holding yet another; nvmem_device_drain_gone() waits for it before the
 * next round. The adapter reference from i2c_emul_new() is dropped last;
 * each at24 provider holds and drops its own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "bench.h"
#include "providers/at24.h"
#include "providers/i2c.h"
#include "emul/i2c_emul.h"
#include "base/log.h"
#include "core/nvmem.h"
#include "core/registry.h"

#define CHIP		"24c512"
#define ADDRESS		0x50
#define READ_LEN	65536
#define DEV_NAME	"unplug-eeprom"
#define SLACK_NS	2000000ull	/* the 2 ms of both targets */
#define PROBE_GAP_NS	20000ull	/* resolution of (a) */

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ull, ns % 1000000000ull };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

struct reader {
	struct nvmem_device *dev;	/* the reader's own reference */
	atomic_bool started;
	uint64_t t_end;			/* when the failing read returned */
	ssize_t ret;			/* what it returned */
	unsigned long full_reads;	/* 64 KiB reads that completed */
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	uint8_t *buf = malloc(READ_LEN);
	ssize_t n;

	atomic_store(&r->started, true);
	for (;;) {
		n = nvmem_device_read(r->dev, 0, buf, READ_LEN);
		if (n != READ_LEN)
			break;
		r->full_reads++;
	}
	r->t_end = bench_now_ns();
	r->ret = n;
	free(buf);
	nvmem_device_put(r->dev);
	return NULL;
}

struct prober {
	atomic_bool spinning;		/* has seen the device at least once */
	uint64_t t_seen;		/* when the first failed lookup returned */
};

static void *prober_fn(void *arg)
{
	struct prober *p = arg;
	struct nvmem_device *d;

	/* Wake on time: the default 50 us of slack would blur (a). */
	prctl(PR_SET_TIMERSLACK, 1UL);

	for (;;) {
		d = registry_get_by_name(DEV_NAME);
		if (!d) {
			p->t_seen = bench_now_ns();
			break;
		}
		nvmem_device_put(d);
		atomic_store_explicit(&p->spinning, true, memory_order_relaxed);
		sleep_ns(PROBE_GAP_NS);
	}
	return NULL;
}

/* The registry tells its listener (in the daemon: the FUSE layer) after
 * the device has left the registry and the RCU grace period has passed,
 * right before unregister clears impl: the end of the window in which a
 * reader may still start a new chunk. */
static uint64_t t_removed;

static void on_removed(struct nvmem_device *dev, void *data)
{
	t_removed = bench_now_ns();
}

/* The table style of the other benches; @ref < 0: no reference. */
static void line(const char *name, double v, const char *unit, double ref,
		 const char *target, int met)
{
	if (ref > 0) {
		printf("%-34s %9.3f %-3s ref %9.3f  ratio %6.2f  target %-18s %s\n",
		       name, v, unit, ref, v / ref, target, met ? "met" : "MISSED");
		printf("BENCH %s=%.3f unit=%s ref=%.3f ratio=%.3f target=\"%s\" %s\n",
		       name, v, unit, ref, v / ref, target, met ? "met" : "missed");
	} else {
		printf("%-34s %9.3f %-3s ref %9s  ratio %6s  target %-18s %s\n",
		       name, v, unit, "-", "-", target, met ? "met" : "MISSED");
		printf("BENCH %s=%.3f unit=%s target=\"%s\" %s\n",
		       name, v, unit, target, met ? "met" : "missed");
	}
}

static void info(const char *name, double v, const char *unit, const char *what)
{
	printf("%-34s %9.3f %-3s (info: %s)\n", name, v, unit, what);
	printf("BENCH %s=%.3f unit=%s target=\"(info)\"\n", name, v, unit);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_unplug: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Bus time of one transaction carrying @bytes bytes, as i2c_emul counts. */
static uint64_t bus_ns(unsigned int clock_hz, unsigned int bytes)
{
	return (uint64_t)(bytes * 9 + 2) * 1000000000ull / clock_hz;
}

static void run_clock(unsigned int clock_hz, int unplugs, unsigned int *seed)
{
	const struct at24_chip *chip = at24_chip_find(CHIP);
	struct at24_params p = { .chip = chip, .address = ADDRESS };
	uint64_t *lat_a = calloc(unplugs, sizeof(*lat_a));
	uint64_t *lat_b = calloc(unplugs, sizeof(*lat_b));
	uint64_t *lat_u = calloc(unplugs, sizeof(*lat_u));
	uint64_t *lat_r = calloc(unplugs, sizeof(*lat_r));
	uint64_t *lat_p = calloc(unplugs, sizeof(*lat_p));
	struct i2c_emul_stats s0, s1;
	struct i2c_emul *emul;
	struct i2c_adapter *ad;
	uint64_t chunk_ns, counted_ns = 0;
	unsigned int io_limit;
	unsigned long full_reads = 0;
	uint8_t *image, probe[AT24_DEFAULT_IO_LIMIT];
	char name[64], target[32];
	int i, ret, wrong = 0, late = 0;
	uint64_t late_max = 0;

	image = malloc(chip->size);
	if (!lat_a || !lat_b || !lat_u || !lat_r || !lat_p || !image)
		die("malloc", ENOMEM);
	for (i = 0; i < (int)chip->size; i++)
		image[i] = rand_r(seed);
	ad = i2c_emul_new(clock_hz, true, &emul);
	if (!ad)
		die("i2c_emul_new", ENOMEM);
	ret = i2c_emul_add_chip(emul, chip, ADDRESS, image, 5000);
	if (ret)
		die("i2c_emul_add_chip", -ret);

	/* One read chunk: [S addr+W word-hi word-lo][Sr addr+R io_limit
	 * data bytes P] = 1 + 2 + 1 + io_limit bytes in one transaction. */
	io_limit = AT24_DEFAULT_IO_LIMIT;
	chunk_ns = bus_ns(clock_hz, 1 + chip->addr_width / 8 + 1 + io_limit);

	for (i = 0; i < unplugs; i++) {
		struct nvmem_provider_info pinfo;
		struct reader rd = { 0 };
		struct prober pr = { 0 };
		pthread_t rt, pt;
		uint64_t t0, t1, delay;
		void *priv;

		ret = at24_provider_open(&p, ad, &priv, &pinfo);
		if (ret)
			die("at24_provider_open", -ret);
		if (pinfo.read_chunk != io_limit)
			die("unexpected read chunk", EINVAL);
		rd.dev = nvmem_device_new(DEV_NAME, &at24_provider_ops, priv,
					  &pinfo);
		if (!rd.dev)
			die("nvmem_device_new", errno);
		if (i == 0) {
			/* Check the computed chunk time against the
			 * emulator's counter, on one chunk. */
			i2c_emul_stats(emul, &s0);
			if (nvmem_device_read(rd.dev, 0, probe, io_limit) !=
			    (ssize_t)io_limit)
				die("probe read", EIO);
			i2c_emul_stats(emul, &s1);
			counted_ns = s1.bus_ns - s0.bus_ns;
		}
		ret = nvmem_device_register(rd.dev);
		if (ret)
			die("nvmem_device_register", -ret);

		/* The reader holds a reference of its own. */
		nvmem_device_get(rd.dev);
		if (pthread_create(&rt, NULL, reader_fn, &rd))
			die("pthread_create", errno);
		while (!atomic_load(&rd.started))
			sleep_ns(10000);
		/* A uniform phase over chunks 0.25 .. 4.25 of the read. */
		delay = chunk_ns / 4 +
			(uint64_t)((double)rand_r(seed) / RAND_MAX * 4 * chunk_ns);
		sleep_ns(delay);

		if (pthread_create(&pt, NULL, prober_fn, &pr))
			die("pthread_create", errno);
		while (!atomic_load_explicit(&pr.spinning, memory_order_relaxed))
			;
		i2c_emul_stats(emul, &s0);
		t0 = bench_now_ns();
		nvmem_device_unregister(rd.dev);
		t1 = bench_now_ns();
		pthread_join(rt, NULL);
		pthread_join(pt, NULL);	/* it ends on the failed lookup */
		i2c_emul_stats(emul, &s1);
		/* Transfers begun after the unplug began: a chunk the reader
		 * started although the device was already going. */
		if (s1.transfers > s0.transfers) {
			late++;
			if (s1.transfers - s0.transfers > late_max)
				late_max = s1.transfers - s0.transfers;
		}
		/* A read the provider failed reported the device gone on a
		 * helper thread, which holds a reference until it is done. */
		nvmem_device_drain_gone();

		if (rd.ret != -ENODEV)
			wrong++;
		full_reads += rd.full_reads;
		lat_a[i] = (pr.t_seen < t_removed ? pr.t_seen : t_removed) - t0;
		lat_p[i] = pr.t_seen - t0;
		lat_b[i] = rd.t_end > t0 ? rd.t_end - t0 : 0;
		lat_u[i] = t1 - t0;
		lat_r[i] = t_removed - t0;
		nvmem_device_put(rd.dev);	/* the creator's reference */
	}
	i2c_adapter_put(ad);
	free(image);

	qsort(lat_a, unplugs, sizeof(*lat_a), bench_cmp_u64);
	qsort(lat_b, unplugs, sizeof(*lat_b), bench_cmp_u64);
	qsort(lat_u, unplugs, sizeof(*lat_u), bench_cmp_u64);
	qsort(lat_r, unplugs, sizeof(*lat_r), bench_cmp_u64);
	qsort(lat_p, unplugs, sizeof(*lat_p), bench_cmp_u64);

	printf("# %s at %u kHz, %d unplugs mid 64 KiB read, io_limit %u: one chunk %u wire bytes\n",
	       CHIP, clock_hz / 1000, unplugs, io_limit,
	       1 + chip->addr_width / 8 + 1 + io_limit);
	snprintf(name, sizeof(name), "unplug_chunk_bus_%uk_ms", clock_hz / 1000);
	info(name, chunk_ns / 1e6, "ms",
	     "one read chunk on the wire, the reference of (b)");
	snprintf(name, sizeof(name), "unplug_chunk_counted_%uk_ms", clock_hz / 1000);
	info(name, counted_ns / 1e6, "ms", "the same chunk by i2c_emul's bus_ns");
	snprintf(name, sizeof(name), "unplug_lookup_gone_%uk_p50_ms", clock_hz / 1000);
	line(name, bench_pct(lat_a, unplugs, 50) / 1e6, "ms", -1, "(info)", 1);
	snprintf(name, sizeof(name), "unplug_lookup_gone_%uk_p99_ms", clock_hz / 1000);
	line(name, bench_pct(lat_a, unplugs, 99) / 1e6, "ms", -1, "<= 2 ms",
	     bench_pct(lat_a, unplugs, 99) <= SLACK_NS);
	snprintf(name, sizeof(name), "unplug_prober_gone_%uk_p99_ms", clock_hz / 1000);
	info(name, bench_pct(lat_p, unplugs, 99) / 1e6, "ms",
	     "as the prober saw it, its own wake-ups included");
	snprintf(target, sizeof(target), "<= chunk+2 = %.2f ms",
		 (chunk_ns + SLACK_NS) / 1e6);
	snprintf(name, sizeof(name), "unplug_read_enodev_%uk_p50_ms", clock_hz / 1000);
	line(name, bench_pct(lat_b, unplugs, 50) / 1e6, "ms", chunk_ns / 1e6,
	     "(info)", 1);
	snprintf(name, sizeof(name), "unplug_read_enodev_%uk_p99_ms", clock_hz / 1000);
	line(name, bench_pct(lat_b, unplugs, 99) / 1e6, "ms", chunk_ns / 1e6, target,
	     bench_pct(lat_b, unplugs, 99) <= chunk_ns + SLACK_NS);
	snprintf(name, sizeof(name), "unplug_read_enodev_%uk_max_ms", clock_hz / 1000);
	info(name, lat_b[unplugs - 1] / 1e6, "ms", "slowest of the run");
	snprintf(name, sizeof(name), "unplug_listener_%uk_p99_ms", clock_hz / 1000);
	info(name, bench_pct(lat_r, unplugs, 99) / 1e6, "ms",
	     "registry listener told, just before impl is cleared");
	snprintf(name, sizeof(name), "unplug_listener_%uk_max_ms", clock_hz / 1000);
	info(name, lat_r[unplugs - 1] / 1e6, "ms", "slowest of the run");
	snprintf(name, sizeof(name), "unplug_call_%uk_p99_ms", clock_hz / 1000);
	info(name, bench_pct(lat_u, unplugs, 99) / 1e6, "ms",
	     "nvmem_device_unregister() returning");
	printf("# %d of %d unplugs saw the reader start a new chunk after unregister began (at most %llu)\n",
	       late, unplugs, (unsigned long long)late_max);
	if (wrong || full_reads)
		printf("# %d reads ended with something other than -ENODEV, %lu 64 KiB reads completed before an unplug\n",
		       wrong, full_reads);
	free(lat_a);
	free(lat_b);
	free(lat_u);
	free(lat_r);
	free(lat_p);
}

int main(int argc, char **argv)
{
	static const struct registry_listener listener = { .removed = on_removed };
	int unplugs = argc > 1 ? atoi(argv[1]) : 100;
	unsigned int seed = argc > 2 ? strtoul(argv[2], NULL, 0) : 4242;
	int ret;

	if (unplugs < 1) {
		fprintf(stderr, "usage: bench_unplug [UNPLUGS [SEED]]\n");
		return 2;
	}
	log_set_level(LOG_ERR);	/* no line per register / unregister */
	ret = nvmem_core_init();
	if (ret)
		die("nvmem_core_init", -ret);
	registry_set_listener(&listener);
	printf("# unplug latency at the core API: from the start of nvmem_device_unregister()\n"
	       "# (a) to a failing registry lookup by name, (b) to the in-flight read's -ENODEV\n");
	run_clock(100000, unplugs, &seed);
	run_clock(400000, unplugs, &seed);
	nvmem_core_exit();
	return 0;
}
