"""Interleaved side-by-side timing for the benches.

Each repetition times every implementation once, in an order that rotates from one repetition to the
next, and the result is each implementation's median. On a shared, noisy machine a burst of load then
hits all sides alike instead of whichever happened to be running, so the ratios stay meaningful.

Before each timed sample the implementation runs untimed for a few milliseconds. That drains the
previous implementation's idle worker threads, which spin for a while after each parallel region
(torch's OpenMP team for milliseconds) and would otherwise occupy a core of the next sample, and it
puts each library's own threads in the state a loop of back-to-back ops sees. (Sleeping instead
lets this VM's cores idle down, which slows whatever runs next.)"""
import statistics
import time


def interleaved(fns, number=1, repeat=7, warm=0.005):
    """Median seconds per call of each callable in ``fns`` (None entries give None)."""
    live = [i for i, f in enumerate(fns) if f is not None]
    samples = {i: [] for i in live}
    for r in range(repeat):
        order = live[r % len(live):] + live[:r % len(live)]
        for i in order:
            f = fns[i]
            t0 = time.perf_counter()
            f()
            while time.perf_counter() - t0 < warm:
                f()
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            samples[i].append((time.perf_counter() - t0) / number)
    return [statistics.median(samples[i]) if i in samples else None for i in range(len(fns))]
