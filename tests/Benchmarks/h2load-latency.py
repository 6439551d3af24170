"""Summarises one fixed-rate h2load run as a JSON line: percentiles from its --log-file, checks from its stdout.

    python3 h2load-latency.py LOG_FILE STDOUT_FILE [MIN_DATA_BYTES_PER_REQUEST]

Latency runs from the request's start to the end of its answer (h2load's third log column, microseconds). h2load counts
HTTP statuses only: a gRPC error comes as HTTP 200 with grpc-status in trailers and no DATA. So the caller gives the least
DATA a good answer carries, and every request short of it on average counts as an error (the run is flagged, not hidden).
"""
import json
import math
import re
import sys

log_path, out_path = sys.argv[1], sys.argv[2]
min_data = int(sys.argv[3]) if len(sys.argv) > 3 else 0
rows = [line.split("\t") for line in open(log_path, encoding="utf-8") if line.strip()]
micros = sorted(int(r[2]) for r in rows)
bad_status = sum(1 for r in rows if r[1] != "200")
out = open(out_path, encoding="utf-8").read()
requests = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", out)
data = re.search(r"traffic: .*, \S+ \((\d+)\) data", out)
succeeded = int(requests.group(4)) if requests else 0
failed = sum(int(requests.group(i)) for i in (5, 6, 7)) if requests else 1
data_bytes = int(data.group(1)) if data else 0
short = succeeded > 0 and data_bytes < succeeded * min_data


def percentile(p):
    return micros[max(0, min(len(micros) - 1, math.ceil(p / 100 * len(micros)) - 1))] / 1000 if micros else float("nan")


print(json.dumps({
    "n": len(micros),
    "errors": bad_status + failed + (succeeded if short else 0),
    "p50": percentile(50), "p90": percentile(90), "p99": percentile(99), "p999": percentile(99.9),
    "max": micros[-1] / 1000 if micros else float("nan"),
    "data_per_request": round(data_bytes / succeeded, 1) if succeeded else 0,
}))
