"""Prints Footprint/run.sh's results (JSON lines) as one table, a column per variant."""
import json, sys

rows, names = {}, []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["name"] not in names and r["metric"] != "size_mb":
        names.append(r["name"])
    rows.setdefault(r["metric"], {})[r["name"]] = r["value"]

def cell(metric, name):
    value = rows.get(metric, {}).get(name)
    if value is None:
        build = "native" if name.startswith("native") else "jit"
        value = rows.get(metric, {}).get(build, "")
    return str(value)

table = [["", *names]]
table.append(["size on disk (MB)", *(cell("size_mb", n) for n in names)])
table.append(["exec -> /readyz (ms, median)", *(str(rows["start"][n]["ready_ms"]) for n in names)])
table.append(["exec -> first Generate (ms, median)", *(str(rows["start"][n]["first_ms"]) for n in names)])
table.append(["RSS idle (MB)", *(str(rows["idle_rss_mb"][n]) for n in names)])
for metric in [m for m in rows if m.startswith("at_")]:
    rate = metric[3:]
    v = rows[metric]
    table.append([f"@{rate}/s achieved (calls/s)", *(str(v[n]["achieved_rps"]) for n in names)])
    table.append([f"@{rate}/s RSS end / max (MB)", *(f'{v[n]["rss_mb"]} / {v[n]["max_rss_mb"]}' for n in names)])
    table.append([f"@{rate}/s CPU per call (us)", *(str(v[n]["cpu_us"]) for n in names)])
    table.append([f"@{rate}/s upstream CPU per call (us)", *(str(v[n]["upstream_cpu_us"]) for n in names)])
table.append(["peak RSS after burst (MB)", *(str(rows["burst_peak_rss_mb"][n]) for n in names)])
if "growth" in rows:
    g = rows["growth"]
    first = next(iter(g.values()))
    label = f'growth {first["seconds"]}s @{first["rate"]}/s'
    table.append([f"{label} achieved (calls/s)", *(str(g[n]["achieved_rps"]) if n in g else "" for n in names)])
    table.append([f"{label} RSS 1 min / end / max (MB)", *(f'{g[n]["rss_after_1min_mb"]} / {g[n]["rss_end_mb"]} / {g[n]["rss_max_mb"]}' if n in g else "" for n in names)])
    table.append([f"{label} slope, 2nd half (MB/min)", *(str(g[n]["slope_mb_per_min"]) if n in g else "" for n in names)])
widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
for row in table:
    print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))
