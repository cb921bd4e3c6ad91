/*
 * wakeup-probe: how late this machine wakes a sleeping thread. Sleeps 1 ms in a loop for SECONDS and prints
 * "seconds-since-start gap-ms" for every wake-up more than 4 ms after the previous one. Run beside a load to tell a
 * stall of the gateway from a stall of the machine's scheduler (docs/measurements/benchmarks.md, "Twenty-third session").
 *   cc -O2 -o /tmp/wakeup-probe infra/local/wakeup-probe.c && /tmp/wakeup-probe 20 > probe.txt
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 2 || atof(argv[1]) <= 0) { fprintf(stderr, "usage: wakeup-probe SECONDS\n"); return 2; }
    const double seconds = atof(argv[1]);
    const struct timespec period = { 0, 1000000 };
    const double start = now();
    double previous = start;
    for (;;)
    {
        nanosleep(&period, NULL);
        const double t = now();
        const double gapMs = (t - previous) * 1000;
        if (gapMs > 4) printf("%.3f %.1f\n", t - start, gapMs);
        previous = t;
        if (t - start > seconds) break;
    }
    return 0;
}
