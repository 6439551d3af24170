#!/usr/bin/env python3
"""Key propagation: how long until sidecar B honours a virtual key created, then revoked, on sidecar A (one redis-server).

Starts a redis-server and two sidecars (store.redis shared, the HTTP door on each), then for each round:
  create a key on A's admin API -> poll B's HTTP door with it until it answers 200   (create figure)
  revoke it on A                -> poll B until it answers 401                      (revoke figure)
Each figure runs from A's admin answer to B's first honouring answer; B is polled every --poll-ms. Prints median, p90 and max.
The issue's target is "within about a second" (docs/0017: a pub/sub notice, and a 1 s poll as the backstop).

  python3 tests/Benchmarks/KeyPropagation/run.py --rounds 50             # the real run, on a quiet machine
  python3 tests/Benchmarks/KeyPropagation/run.py --rounds 3              # proves it works

The sidecar is sidecar/bin/Debug/net10.0/Mesh.Gateway.Sidecar.dll (dotnet build sidecar first), or --sidecar PATH to a
published executable or dll. Nothing is read from outside the repository; everything it starts is stopped at the end.
"""
import argparse, hashlib, json, os, socket, statistics, subprocess, sys, tempfile, time, urllib.error, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ADMIN_TOKEN = "key-propagation-admin-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_ready(admin, process, log, deadline=90):
    end = time.time() + deadline
    while time.time() < end:
        if process.poll() is not None:
            sys.exit(f"a sidecar exited ({process.returncode}); its log: {log}")
        try:
            if request("GET", admin + "/readyz", timeout=1)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"a sidecar did not become ready in {deadline} s; its log: {log}")


def chat(http, secret):
    body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
    return request("POST", http + "/v1/chat/completions", body, token=secret)[0]


def until(http, secret, status, poll, limit=30):
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        if chat(http, secret) == status:
            return time.perf_counter()
        time.sleep(poll)
    raise TimeoutError(f"B did not answer {status} within {limit} s")


def summary(name, ms):
    ms = sorted(ms)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    print(f"{name}: n={len(ms)} median={statistics.median(ms):.0f} ms p90={p90:.0f} ms max={ms[-1]:.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--poll-ms", type=float, default=5)
    parser.add_argument("--sidecar", default=os.path.join(ROOT, "sidecar", "bin", "Debug", "net10.0", "Mesh.Gateway.Sidecar.dll"))
    args = parser.parse_args()
    if not os.path.exists(args.sidecar):
        sys.exit(f"{args.sidecar} is missing: dotnet build sidecar (or pass --sidecar)")

    work = tempfile.mkdtemp(prefix="mesh-keyprop-")
    started = []
    try:
        redis_port = free_port()
        started.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work))
        admin_hash = "sha256:" + hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()
        sidecars = []
        for name in ("a", "b"):
            config = os.path.join(work, name + ".yaml")
            with open(config, "w") as f:
                f.write(f"""store:
  redis: redis://127.0.0.1:{redis_port}
admin:
  credentials: ["{admin_hash}"]
tenants:
  - id: team-a
    models: ["*"]
providers:
  - {{ name: mock, kind: mock }}
models:
  - {{ name: chat, targets: [ {{ provider: mock, model: mock }} ] }}
ledger:
  path: {os.path.join(work, name + "-ledger.jsonl")}
logging: {{ level: warning }}
""")
            grpc, admin, http = free_port(), free_port(), free_port()
            command = ["dotnet", args.sidecar] if args.sidecar.endswith(".dll") else [args.sidecar]
            log = os.path.join(work, name + ".log")
            process = subprocess.Popen(command + ["--config", config, "--grpc", f"127.0.0.1:{grpc}", "--admin", f"127.0.0.1:{admin}",
                                                  "--http", f"127.0.0.1:{http}"],
                                       stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=work)
            started.append(process)
            sidecars.append((f"http://127.0.0.1:{admin}", f"http://127.0.0.1:{http}", process, log))
        for admin, _, process, log in sidecars:
            wait_ready(admin, process, log)

        (admin_a, _, _, _), (_, http_b, _, _) = sidecars

        # Warm-up, not measured: each door's first call pays for JIT and set-up (seconds on a busy machine).
        for _, http, _, _ in sidecars:
            chat(http, "not-a-key")
        warm = json.loads(request("POST", admin_a + "/admin/v1/keys", {"tenant": "team-a", "name": "warm-up"}, token=ADMIN_TOKEN)[1])
        until(http_b, warm["secret"], 200, 0.05)
        poll = args.poll_ms / 1000
        created, revoked = [], []
        for i in range(args.rounds):
            status, body = request("POST", admin_a + "/admin/v1/keys", {"tenant": "team-a", "name": f"round-{i}"}, token=ADMIN_TOKEN)
            if status != 201:
                sys.exit(f"create on A: {status} {body[:200]!r}")
            answered = time.perf_counter()
            issued = json.loads(body)
            created.append((until(http_b, issued["secret"], 200, poll) - answered) * 1000)

            status, body = request("POST", f"{admin_a}/admin/v1/keys/{issued['key']['id']}/revoke", token=ADMIN_TOKEN)
            if status != 200:
                sys.exit(f"revoke on A: {status} {body[:200]!r}")
            answered = time.perf_counter()
            revoked.append((until(http_b, issued["secret"], 401, poll) - answered) * 1000)

        print(f"key propagation A -> B through one redis-server, {args.rounds} rounds, B polled every {args.poll_ms} ms")
        summary("created on A, honoured on B", created)
        summary("revoked on A, refused on B ", revoked)
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
