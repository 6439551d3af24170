#!/usr/bin/python3
"""Starts a sidecar STARTS times: ms from exec to /readyz 200 and to the first Generate answered (medians), as JSON.

start.py STARTS ADMIN_PORT GRPC_PORT GENERATE_FRAME -- COMMAND...
Debian's /usr/bin/python3 with python3-grpcio: the gRPC call is made with the request's raw bytes (no stubs)."""
import json, os, signal, statistics, subprocess, sys, time, urllib.request
import grpc

starts, admin, grpc_port, frame = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
command = sys.argv[sys.argv.index("--") + 1:]
request = open(frame, "rb").read()[5:]  # the gRPC frame's 5-byte header off: the Generate message itself
ready, first = [], []
for _ in range(starts):
    t0 = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if process.poll() is not None:
                sys.exit(f"the sidecar exited ({process.returncode}) before it was ready: {command}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{admin}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - t0 > 30:
                sys.exit("not ready after 30 s")
            time.sleep(0.002)
        ready.append((time.monotonic() - t0) * 1000)
        # A new channel per start (an old one would back off after its server went away), opened after readiness, as a
        # client would; its connect is part of the time to the first answer.
        with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            answer = channel.unary_unary("/mesh.gateway.v1.Inference/Generate")(request, timeout=30)
        if len(answer) < 20:
            sys.exit("the first Generate's answer is too short")
        first.append((time.monotonic() - t0) * 1000)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
print(json.dumps({"ready_ms": round(statistics.median(ready), 1), "first_ms": round(statistics.median(first), 1),
                  "ready_all": [round(v) for v in ready], "first_all": [round(v) for v in first]}))
