"""Summarises Footprint/run.sh's growth samples ("seconds rss_kb" lines) as JSON: RSS after the first minute (or the first
sample), at the end, the largest, and the least-squares slope over the second half of the run in MB per minute."""
import json, sys

samples = [tuple(map(int, line.split())) for line in open(sys.argv[1]) if len(line.split()) == 2]
rate, achieved = sys.argv[2], sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else "0"
if not samples:
    sys.exit("no RSS samples")
mb = lambda kb: round(kb / 1024, 1)
after_minute = next((kb for t, kb in samples if t >= 60), samples[0][1])
half = [(t, kb / 1024) for t, kb in samples if t >= samples[-1][0] / 2] or [(samples[-1][0], samples[-1][1] / 1024)]
n = len(half)
mean_t = sum(t for t, _ in half) / n
mean_m = sum(m for _, m in half) / n
var = sum((t - mean_t) ** 2 for t, _ in half)
slope = sum((t - mean_t) * (m - mean_m) for t, m in half) / var * 60 if var else 0.0
print(json.dumps({"seconds": samples[-1][0], "rate": int(rate), "achieved_rps": float(achieved), "rss_after_1min_mb": mb(after_minute),
                  "rss_end_mb": mb(samples[-1][1]), "rss_max_mb": mb(max(kb for _, kb in samples)), "slope_mb_per_min": round(slope, 2)}))
