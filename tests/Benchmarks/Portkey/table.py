"""Prints the run.sh results as a table: medians over rounds, added latency against direct in the same round, ratios."""
import json
import statistics
import sys

path, concurrency, rate = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
names = ["direct", "sidecar", "portkey"]
tp = {n: [r for r in rows if r["name"] == n and r["phase"] == "throughput"] for n in names}
lat = {n: [r["result"] for r in rows if r["name"] == n and r["phase"] == "latency"] for n in names}
med = statistics.median
problems = []
for n in names:
    for r in tp[n]:
        if r["failed"] not in ("0+0", "") or (n != "direct" and r["upstream"] < r["succeeded"]):
            problems.append(f"{n}: failed {r['failed']}, {r['succeeded']} succeeded but the upstream saw {r['upstream']}")
    for r in lat[n]:
        if r["errors"]:
            problems.append(f"{n}: {r['errors']} errors in the latency phase")


def added(n, key):
    return med([p[key] - d[key] for p, d in zip(lat[n], lat["direct"])])


def fmt(v, unit=""):
    return f"{v:,.2f}{unit}" if isinstance(v, float) else str(v)


print(f"\nrounds: {len(tp['direct'])}; throughput at {concurrency} requests in flight; latency open-loop at {rate} req/s")
print(f"{'':34}{'direct':>14}{'sidecar (gRPC)':>16}{'portkey':>14}")
print(f"{'throughput, req/s (median)':34}" + "".join(f"{med([r['rps'] for r in tp[n]]):>{w},.0f}" for n, w in zip(names, (14, 16, 14))))
print(f"{'server CPU per request, us':34}" + "".join(f"{med([r['cpu_us'] for r in tp[n]]):>{w},.1f}" for n, w in zip(names, (14, 16, 14))))
print(f"{'latency p50, ms':34}" + "".join(f"{med([r['p50'] for r in lat[n]]):>{w}.3f}" for n, w in zip(names, (14, 16, 14))))
print(f"{'latency p99, ms':34}" + "".join(f"{med([r['p99'] for r in lat[n]]):>{w}.3f}" for n, w in zip(names, (14, 16, 14))))
print(f"{'added p50 vs direct, ms':34}{'-':>14}{added('sidecar', 'p50'):>16.3f}{added('portkey', 'p50'):>14.3f}")
print(f"{'added p99 vs direct, ms':34}{'-':>14}{added('sidecar', 'p99'):>16.3f}{added('portkey', 'p99'):>14.3f}")
print(f"{'samples per latency run':34}" + "".join(f"{med([r['n'] for r in lat[n]]):>{w},.0f}" for n, w in zip(names, (14, 16, 14))))
ratio = med([s["rps"] / p["rps"] for s, p in zip(tp["sidecar"], tp["portkey"])])
print(f"\nsidecar / portkey throughput: {ratio:.1f}x (target >= 10x)")
print(f"sidecar / direct throughput: {med([s['rps'] / d['rps'] for s, d in zip(tp['sidecar'], tp['direct'])]):.2f}x")
print(f"portkey CPU per request / sidecar CPU per request: {med([p['cpu_us'] / s['cpu_us'] for s, p in zip(tp['sidecar'], tp['portkey'])]):.1f}x")
print(f"sidecar added p99: {added('sidecar', 'p99'):.3f} ms (target <= 1 ms)")
print("load average during the run (1/5/15 min): " + ", ".join(sorted({r['load'] for r in rows})[:1] + sorted({r['load'] for r in rows})[-1:]))
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
