"""Prints tests/Benchmarks/Envoy/h2load.sh results: per server medians over rounds, and what each gateway adds to echo in the
same round (median over rounds), with CPU per exchange. Exits 1 if any call failed."""
import json
import statistics
import sys

path, messages = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
med = statistics.median
servers = ["echo", "gateway-pii", "gateway"]
labels = {"echo": "echo (baseline)", "gateway-pii": "gateway, PII only", "gateway": "gateway, all checks"}
targets = {"process": 1.0, "check": 0.2}
titles = {"process": f"ext_proc exchange ({messages} messages, 8 KiB body redacted, 50 SSE chunks)", "check": "ext_authz Check"}
problems = [f"{r['kind']} on {r['server']}, round {r['round']}: {r['result']['errors']} errors" for r in rows if r["result"]["errors"]]
verdicts = []

for kind in ("process", "check"):
    def of(server, pair):
        return sorted((r for r in rows if r["kind"] == kind and r["server"] == server and r["pair"] == pair), key=lambda r: r["round"])

    measured = [s for s in servers[1:] if of(s, s)]  # GATEWAYS may have left one out
    if not measured:
        continue
    runs = {s: of(s, s) for s in measured}
    runs["echo"] = [r for s in measured for r in of("echo", s)]
    rate = runs["echo"][0]["rate"]
    print(f"\n{titles[kind]} at {rate}/s, {len(runs[measured[0]])} rounds, each gateway side by side with echo")
    print(f"{'':24}{'calls':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'p99.9 ms':>10}{'CPU us/call':>13}")

    def cpu(r):
        return r["cpu_ticks"] / r["hz"] * 1e6 / max(1, r["result"]["n"])

    for s in ["echo", *measured]:
        rs = runs[s]
        print(f"{labels[s]:24}{med([r['result']['n'] for r in rs]):>8,.0f}"
              + "".join(f"{med([r['result'][k] for r in rs]):>{w}.3f}" for k, w in (("p50", 9), ("p90", 9), ("p99", 9), ("p999", 10)))
              + f"{med([cpu(r) for r in rs]):>13,.0f}")
    for s in measured:
        pairs = list(zip(of("echo", s), runs[s]))
        added = {k: [g["result"][k] - e["result"][k] for e, g in pairs] for k in ("p50", "p90", "p99")}
        added_cpu = med([cpu(g) - cpu(e) for e, g in pairs])
        print(f"  added: {labels[s]:16}" + f"{'':8}" + "".join(f"{med(added[k]):>+9.3f}" for k in ("p50", "p90", "p99"))
              + f"{'':10}{added_cpu:>+13,.0f}")
        print(f"         p99 added per round: " + ", ".join(f"{v:+.3f}" for v in added["p99"]))
        met = med(added["p99"]) <= targets[kind]
        verdicts.append(f"{titles[kind].split(' (')[0]}, {labels[s]}: adds {med(added['p99']):.3f} ms at p99 "
                        f"(target <= {targets[kind]} ms: {'met' if met else 'MISSED'}), {added_cpu:+,.0f} us CPU per call")

print()
print("\n".join(verdicts))
loads = sorted({r["load"] for r in rows})
print("load average during the run (1/5/15 min): " + ", ".join(loads[:1] + loads[-1:]))
if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems))
    sys.exit(1)
