"""Prints tests/Benchmarks/Http/run.sh's results: medians over rounds, added latency against direct in the same pair, and
issue 17's targets (HTTP door >= 10x Portkey's throughput, CPU per call within 20% of the gRPC door's, <= 0.5 ms added p99)."""
import json
import statistics
import sys

path, concurrency, rate = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
names = ["direct", "grpc", "http", "portkey"]
proxies = names[1:]
med = statistics.median
tp = {n: [r for r in rows if r["name"] == n and r["phase"] == "throughput"] for n in names}
pairs = {p: list(zip([r for r in rows if r["phase"] == "latency" and r["pair"] == p and r["name"] == "direct"],
                     [r for r in rows if r["phase"] == "latency" and r["pair"] == p and r["name"] == p])) for p in proxies}
lat = {p: [s["result"] for _, s in pairs[p]] for p in proxies}
lat["direct"] = [d["result"] for p in proxies for d, _ in pairs[p]]
problems = [f"{n}: failed {r['failed']}, {r['succeeded']} succeeded, upstream saw {r['upstream']}"
            for n in names for r in tp[n] if r["failed"] not in ("0+0", "") or (n != "direct" and r["upstream"] < r["succeeded"])]
problems += [f"{r['name']}: {r['result']['errors']} errors beside {p}" for p in proxies for pair in pairs[p] for r in pair if r["result"]["errors"]]


def added(p, key):
    return [s["result"][key] - d["result"][key] for d, s in pairs[p]]


def row(label, values, fmt):
    print(f"{label:34}" + "".join(f"{v:>14{fmt}}" if isinstance(v, float) else f"{v:>14}" for v in values))


print(f"\nrounds: {len(tp['direct'])}; throughput at {concurrency} in flight; latency at {rate} req/s beside the direct path")
row("", names, "")
row("throughput, req/s (median)", [float(med([r["rps"] for r in tp[n]])) for n in names], ",.0f")
row("server CPU per request, us", [float(med([r["cpu_us"] for r in tp[n]])) for n in names], ",.1f")
for key in ("p50", "p90", "p99"):
    row(f"latency {key}, ms", [float(med([r[key] for r in lat[n]])) for n in names], ".3f")
for key in ("p50", "p99"):
    row(f"added {key} vs direct, ms", ["-"] + [float(med(added(p, key))) for p in proxies], ".3f")
print()
print(f"http / portkey throughput: {med([h['rps'] / p['rps'] for h, p in zip(tp['http'], tp['portkey'])]):.1f}x (target >= 10x)")
print(f"http / grpc CPU per request: {med([h['cpu_us'] / g['cpu_us'] for h, g in zip(tp['http'], tp['grpc'])]):.2f} (target <= 1.20)")
print(f"http added p99: {med(added('http', 'p99')):.3f} ms, median of {len(pairs['http'])} rounds (target <= 0.5 ms)")
print("added p99 per round, ms: http " + ", ".join(f"{v:.3f}" for v in added("http", "p99")))
loads = sorted({r["load"] for r in rows})
print("load average during the run (1/5/15 min): " + ", ".join(loads[:1] + loads[-1:]))
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
