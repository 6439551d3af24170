#!/usr/bin/python3
"""Where a process's resident memory is, by kind, from /proc/PID/smaps (issue 22: what grows under load).

smaps.py PID [EXECUTABLE]            one snapshot as JSON: MB resident per kind, and the thread count
smaps.py --diff BEFORE.json AFTER.json   the kinds side by side with the difference

Kinds: exe-file (the executable's file pages), exe-anon (its written pages: .hydrated type data, .data, relocations),
libs (shared libraries), gc (the GC's reserved range: committed regions, bookkeeping), stacks (a read-write mapping right
after a guard page: thread stacks), malloc (glibc arenas: 64 MB-aligned heaps), other-anon, other."""
import json, sys

MB = 1024 * 1024


def mappings(pid):
    maps, current = [], None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if "-" in parts[0] and not parts[0].endswith(":"):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            current = {"start": start, "end": end, "perms": parts[1], "path": parts[5] if len(parts) > 5 else "", "rss": 0}
            maps.append(current)
        elif parts[0] == "Rss:":
            current["rss"] = int(parts[1]) * 1024
    return maps


def classify(maps, exe):
    # The GC reserves one large range up front (256 GB with regions) and commits parts of it: every mapping in the largest
    # contiguous run of anonymous mappings belongs to it.
    runs, run = [], []
    for m in maps:
        if not m["path"] and run and run[-1]["end"] == m["start"]:
            run.append(m)
        else:
            if run:
                runs.append(run)
            run = [m] if not m["path"] else []
    if run:
        runs.append(run)
    gc = max(runs, key=lambda r: r[-1]["end"] - r[0]["start"]) if runs else []
    gc_ids = {id(m) for m in gc}
    totals, previous = {}, None
    for m in maps:
        size = m["end"] - m["start"]
        if exe and m["path"] == exe:
            kind = "exe-file"
        elif not m["path"] and previous is not None and previous["path"] == exe and previous["end"] == m["start"] and exe:
            kind = "exe-anon"  # .bss/.hydrated right after the executable's last file mapping
        elif m["path"].endswith(".so") or ".so." in m["path"]:
            kind = "libs"
        elif id(m) in gc_ids:
            kind = "gc"
        elif not m["path"] and m["perms"].startswith("rw") and previous is not None and not previous["path"] \
                and previous["perms"] == "---p" and previous["end"] == m["start"] and previous["end"] - previous["start"] <= 65536:
            kind = "stacks"
        elif not m["path"] and m["start"] % (64 * MB) == 0 and m["perms"].startswith("rw"):
            kind = "malloc"
        elif m["path"] in ("[heap]",):
            kind = "malloc"
        elif not m["path"]:
            kind = "other-anon"
        else:
            kind = "other"
        if kind == "exe-anon" or (kind == "other-anon" and previous is not None and previous.get("kind") == "exe-anon"
                                  and previous["end"] == m["start"]):
            kind = "exe-anon"
        m["kind"] = kind
        totals[kind] = totals.get(kind, 0) + m["rss"]
        previous = m
    return totals


def snapshot(pid, exe):
    totals = classify(mappings(pid), exe)
    status = {l.split(":")[0]: l.split(":")[1].strip() for l in open(f"/proc/{pid}/status")}
    return {"kinds_mb": {k: round(v / MB, 2) for k, v in sorted(totals.items())},
            "total_mb": round(sum(totals.values()) / MB, 2),
            "vmrss": status["VmRSS"], "rss_anon": status["RssAnon"], "rss_file": status["RssFile"],
            "threads": int(status["Threads"])}


if sys.argv[1] == "--diff":
    a, b = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
    print(f"{'kind':<12}{'before':>10}{'after':>10}{'delta':>10}  (MB)")
    for k in sorted(set(a["kinds_mb"]) | set(b["kinds_mb"])):
        x, y = a["kinds_mb"].get(k, 0), b["kinds_mb"].get(k, 0)
        print(f"{k:<12}{x:>10.2f}{y:>10.2f}{y - x:>+10.2f}")
    print(f"{'total':<12}{a['total_mb']:>10.2f}{b['total_mb']:>10.2f}{b['total_mb'] - a['total_mb']:>+10.2f}")
    print(f"threads {a['threads']} -> {b['threads']}; RssAnon {a['rss_anon']} -> {b['rss_anon']}; RssFile {a['rss_file']} -> {b['rss_file']}")
else:
    print(json.dumps(snapshot(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "")))
