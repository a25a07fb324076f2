/*
 * dirtier: the lab guest's workload. It runs as the guest's only program
 * (started by /init of the lab's initramfs) and dirties guest memory at a
 * set rate, so that a live migration of the guest has a known, measured
 * dirty rate.
 *
 * Parameters come from the environment (the kernel hands init the command
 * line's name=value words that it does not know itself):
 *
 *   dirty_ws=W     working set in MiB (default 64); every page of it is filled
 *                  with non-zero bytes at start, so it is never a zero page
 *   dirty_rate=N   pages written per second (default 0: none). Pages are
 *                  written in turn, cycling over the working set, one 8-byte
 *                  word each at a changing offset, so at most W MiB are dirty
 *   dirty_read=M   pages read per second (default 0), cycling too
 *   dirty_dur=T    seconds after "ready" to keep writing (default 0: for
 *                  ever); then the program writes nothing and stays idle, so
 *                  a migration that outlasts its workload sees the rate drop
 *   dirty_cpu=P    percent of each tick to spin (default 0: sleep between
 *                  ticks); 100 keeps the vCPU busy all the time
 *   dirty_tick=MS  tick length in ms (default 10)
 *
 * Pacing: each tick writes the pages the rate owes since the start of the
 * phase. A deficit of more than two ticks (the guest was paused by the
 * migration's stop-and-copy, or throttled by auto-converge) is dropped, not
 * caught up: a throttled guest writes less, as a compute-bound one would.
 *
 * Output (the serial console, one line a second, and a summary):
 *   dirtier ready ws_mib=W rate=N read=M dur=T cpu=P tick_ms=MS fill_ms=F
 *   dirtier t=S written=X read=Y rate=R dropped=D phase=run|idle
 *   dirtier stopped t=S written=X achieved=R
 * where t is CLOCK_MONOTONIC seconds since ready, rate the pages written in
 * the last second, achieved the mean over the write phase, and dropped the
 * pages owed but dropped so far.
 *
 * Build: gcc -O2 -static -o dirtier dirtier.c
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long env(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;
	if (s == NULL || *s == '\0')
		return def;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0) {
		printf("dirtier: bad %s=%s (want a non-negative integer)\n", name, s);
		exit(2);
	}
	return v;
}

static void sleep_until(double t)
{
	double d = t - now();
	struct timespec ts;
	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

int main(void)
{
	long ws = env("dirty_ws", 64), rate = env("dirty_rate", 0);
	long rd = env("dirty_read", 0), dur = env("dirty_dur", 0);
	long cpu = env("dirty_cpu", 0), tickms = env("dirty_tick", 10);
	size_t npages = (size_t)ws * (1 << 20) / PAGE, i;
	uint64_t x = 0x9e3779b97f4a7c15ull, *w;
	volatile uint64_t sink = 0;
	unsigned char *buf;
	double t0, tick, last, fill;
	uint64_t written = 0, nread = 0, dropped = 0, wlast = 0;
	uint64_t owed_w = 0, owed_r = 0;
	size_t wi = 0, ri = 0;
	int running = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (npages == 0 || tickms == 0 || cpu > 100) {
		printf("dirtier: need dirty_ws >= 1, dirty_tick >= 1, dirty_cpu <= 100\n");
		return 2;
	}
	buf = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED) {
		printf("dirtier: cannot map %ld MiB\n", ws);
		return 1;
	}
	fill = now();
	for (i = 0; i < npages * PAGE / 8; i++) { /* xorshift64: never zero */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		((uint64_t *)buf)[i] = x;
	}
	t0 = now();
	printf("dirtier ready ws_mib=%ld rate=%ld read=%ld dur=%ld cpu=%ld tick_ms=%ld fill_ms=%.0f\n",
	       ws, rate, rd, dur, cpu, tickms, (t0 - fill) * 1e3);
	tick = tickms / 1e3;
	last = t0;
	for (uint64_t k = 1;; k++) {
		double t = now(), due = t0 + k * tick, el = t - t0;
		if (running && dur > 0 && el >= dur) {
			running = 0;
			printf("dirtier stopped t=%.3f written=%llu achieved=%.0f\n", el,
			       (unsigned long long)written, written / el);
		}
		if (running) {
			/* pages owed by now; a deficit over two ticks is dropped */
			uint64_t want_w = (uint64_t)(rate * el), want_r = (uint64_t)(rd * el);
			uint64_t cap_w = (uint64_t)(2 * rate * tick) + 1, cap_r = (uint64_t)(2 * rd * tick) + 1;
			if (want_w - owed_w > cap_w) {
				dropped += want_w - owed_w - cap_w;
				owed_w = want_w - cap_w;
			}
			if (want_r - owed_r > cap_r)
				owed_r = want_r - cap_r;
			for (; owed_w < want_w; owed_w++, written++) {
				w = (uint64_t *)(buf + wi * PAGE) + (written % (PAGE / 8));
				*w = written + 1;
				if (++wi == npages)
					wi = 0;
			}
			for (; owed_r < want_r; owed_r++, nread++) {
				sink += *((uint64_t *)(buf + ri * PAGE) + (nread % (PAGE / 8)));
				if (++ri == npages)
					ri = 0;
			}
		}
		if (t - last >= 1.0) {
			printf("dirtier t=%.3f written=%llu read=%llu rate=%.0f dropped=%llu phase=%s\n", el,
			       (unsigned long long)written, (unsigned long long)nread,
			       (written - wlast) / (t - last), (unsigned long long)dropped,
			       running ? "run" : "idle");
			wlast = written;
			last = t;
		}
		if (cpu > 0) {
			double spin = due - tick + tick * cpu / 100.0;
			while (now() < spin)
				;
		}
		sleep_until(due);
	}
	return 0;
}
