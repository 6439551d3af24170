"""Prints the run.sh results as a table: medians over rounds, added latency against direct in the same pair, ratios."""
import json
import statistics
import sys

path, concurrency, rate = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
names = ["direct", "sidecar", "portkey"]
proxies = ["sidecar", "portkey"]
tp = {n: [r for r in rows if r["name"] == n and r["phase"] == "throughput"] for n in names}
# Latency comes in pairs run at the same time: (direct, proxy) per round and proxy.
pairs = {p: list(zip([r for r in rows if r["phase"] == "latency" and r["pair"] == p and r["name"] == "direct"],
                     [r for r in rows if r["phase"] == "latency" and r["pair"] == p and r["name"] == p])) for p in proxies}
lat = {p: [s["result"] for _, s in pairs[p]] for p in proxies}
lat["direct"] = [d["result"] for p in proxies for d, _ in pairs[p]]
med = statistics.median
problems = []
for n in names:
    for r in tp[n]:
        if r["failed"] not in ("0+0", "") or (n != "direct" and r["upstream"] < r["succeeded"]):
            problems.append(f"{n}: failed {r['failed']}, {r['succeeded']} succeeded but the upstream saw {r['upstream']}")
for p in proxies:
    for d, s in pairs[p]:
        for r in (d, s):
            if r["result"]["errors"]:
                problems.append(f"{r['name']}: {r['result']['errors']} errors in the latency phase beside {p}")
        if s["upstream"] < d["result"]["n"] + s["result"]["n"]:
            problems.append(f"{p}: {d['result']['n']} + {s['result']['n']} answered but the upstream saw {s['upstream']}")


def added(p, key):
    return [s["result"][key] - d["result"][key] for d, s in pairs[p]]


def cells(values, fmt):
    return "".join(f"{v:>{w}{fmt}}" for v, w in zip(values, (14, 16, 14)))


print(f"\nrounds: {len(tp['direct'])}; throughput at {concurrency} requests in flight; latency with h2load at {rate} req/s, "
      "each proxy beside the direct path at the same time")
print(f"{'':34}{'direct':>14}{'sidecar (gRPC)':>16}{'portkey':>14}")
print(f"{'throughput, req/s (median)':34}" + cells([med([r['rps'] for r in tp[n]]) for n in names], ",.0f"))
print(f"{'server CPU per request, us':34}" + cells([med([r['cpu_us'] for r in tp[n]]) for n in names], ",.1f"))
for key in ("p50", "p90", "p99"):
    print(f"{'latency ' + key + ', ms':34}" + cells([med([r[key] for r in lat[n]]) for n in names], ".3f"))
for key in ("p50", "p90", "p99"):
    print(f"{'added ' + key + ' vs direct, ms':34}{'-':>14}" + "".join(f"{med(added(p, key)):>{w}.3f}" for p, w in zip(proxies, (16, 14))))
print(f"{'samples per latency run':34}" + cells([med([r['n'] for r in lat[n]]) for n in names], ",.0f"))
print()
for p in proxies:
    print(f"p99 per round beside {p}, ms: direct " + ", ".join(f"{d['result']['p99']:.3f}" for d, _ in pairs[p])
          + f"; {p} " + ", ".join(f"{s['result']['p99']:.3f}" for _, s in pairs[p]))
print("added p99 per round, ms: sidecar " + ", ".join(f"{v:.3f}" for v in added("sidecar", "p99"))
      + "; portkey " + ", ".join(f"{v:.3f}" for v in added("portkey", "p99")))
ratio = med([s["rps"] / p["rps"] for s, p in zip(tp["sidecar"], tp["portkey"])])
print(f"sidecar / portkey throughput: {ratio:.1f}x (target >= 10x)")
print(f"sidecar / direct throughput: {med([s['rps'] / d['rps'] for s, d in zip(tp['sidecar'], tp['direct'])]):.2f}x")
print(f"portkey CPU per request / sidecar CPU per request: {med([p['cpu_us'] / s['cpu_us'] for s, p in zip(tp['sidecar'], tp['portkey'])]):.1f}x")
print(f"sidecar added p99: {med(added('sidecar', 'p99')):.3f} ms, median of {len(pairs['sidecar'])} rounds (target <= 1 ms)")
floor = [r for r in rows if r["name"] == "floor" and r["phase"] == "throughput"]
if floor:
    # The floor: Grpc.AspNetCore in, HttpClient out, no policy (Floor/FloorProxy.cs). What is above it is the gateway's own.
    fc, sc, dc = (med([r["cpu_us"] for r in rs]) for rs in (floor, tp["sidecar"], tp["direct"]))
    print(f"floor (bare gRPC-to-HTTP proxy on the same stack): {med([r['rps'] for r in floor]):,.0f} req/s, "
          f"CPU per request {fc:.1f} us = {fc / dc:.1f}x the upstream's")
    print(f"sidecar CPU per request {sc:.1f} us = {sc / dc:.1f}x the upstream's (target <= 3x); "
          f"above the floor: {sc - fc:.1f} us ({(sc - fc) / sc:.0%} of the sidecar's)")
    for r in floor:
        if r["failed"] not in ("0+0", "") or r["upstream"] < r["succeeded"]:
            problems.append(f"floor: failed {r['failed']}, {r['succeeded']} succeeded but the upstream saw {r['upstream']}")
loads = sorted({r["load"] for r in rows})
print("load average during the run (1/5/15 min): " + ", ".join(loads[:1] + loads[-1:]))
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
