"""Load test of POST /v1/analyze on loopback: starts `cuishou serve` itself on 127.0.0.1, runs N concurrent
clients for a fixed time, prints throughput, latency percentiles and the error count, then stops the server.

Bounded by construction: only 127.0.0.1, a fixed duration (default 60 s), a cap on the total number of
requests, a per-request timeout, and the server process is always terminated.
Usage: python bench/load_api.py [--clients 50] [--duration 60] [--max-requests 2000000]
Exit status 1 when any request failed (target: 0 errors).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"  # never anything else
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "messages.jsonl"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def load_payloads() -> list[dict]:
    """Request bodies from the bundled examples (text and channel only)."""
    rows = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"text": r["text"], **({"channel": r["channel"]} if r.get("channel") else {})} for r in rows]


def start_server(port: int, data_dir: str, rules_only: bool) -> subprocess.Popen:
    """`cuishou serve` on HOST:port with a throw-away case store; its stderr goes to ``data_dir/server.log``."""
    env = {**os.environ, "CUISHOU_DATA_DIR": data_dir, "CUISHOU_USE_MODEL": "false" if rules_only else "true"}
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "serve", "--host", HOST, "--port", str(port),
           "--log-level", "warning"]
    log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)


def wait_ready(base: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    """Poll /healthz until the server answers (or fail with its log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited early:\n" + log.read_text(encoding="utf-8", errors="replace"))
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1.0) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not become ready in time")


def client_loop(port: int, payloads: list[bytes], deadline: float, budget: Budget, latencies: list[float],
                errors: list[str], seed: int) -> None:
    """One client on its own keep-alive connection: post random examples back to back until the deadline or the
    shared request budget is spent."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Content-Type": "application/json"}
    try:
        while time.monotonic() < deadline and budget.take():
            body = rng.choice(payloads)
            started = time.perf_counter()
            try:
                conn.request("POST", "/v1/analyze", body, headers)
                resp = conn.getresponse()
                data = resp.read()
                ok = resp.status == 200 and b'"labels"' in data
                if not ok:
                    errors.append(f"HTTP {resp.status}")
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
    finally:
        conn.close()


class Budget:
    """A thread-safe cap on the total number of requests."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.lock = threading.Lock()

    def take(self) -> bool:
        """Claim one request; False when the budget is spent."""
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def run_load(port: int, clients: int, duration: float, max_requests: int) -> tuple[list[float], list[str], float]:
    """Run the clients (one thread and one connection each); returns (latencies of successes, errors, seconds)."""
    payloads = [json.dumps(p, ensure_ascii=False).encode() for p in load_payloads()]
    latencies: list[float] = []
    errors: list[str] = []
    budget = Budget(max_requests)
    started = time.monotonic()
    deadline = started + duration
    threads = [threading.Thread(target=client_loop, args=(port, payloads, deadline, budget, latencies, errors, seed),
                                daemon=True) for seed in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
    return latencies, errors, time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest-rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> int:
    """Parse arguments, start the server, run the load, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60, at most 600)")
    ap.add_argument("--max-requests", type=int, default=2_000_000, help="stop after this many requests in total")
    ap.add_argument("--with-model", action="store_true", help="let the server use the classifier (default: rules only)")
    args = ap.parse_args()
    duration = min(max(args.duration, 1.0), 600.0)
    port = free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="cuishou-load-") as data_dir:
        proc = start_server(port, data_dir, rules_only=not args.with_model)
        try:
            wait_ready(base, proc, Path(data_dir) / "server.log")
            warm = urllib.request.Request(base + "/v1/analyze", data=json.dumps({"text": "预热"}).encode(),
                                          headers={"Content-Type": "application/json"})
            urllib.request.urlopen(warm, timeout=60.0).close()  # load rule packs / model once
            latencies, errors, elapsed = run_load(port, args.clients, duration, args.max_requests)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
    total = len(latencies) + len(errors)
    print(f"POST /v1/analyze on {HOST}: {args.clients} clients for {elapsed:.1f} s "
          f"({'rules+model' if args.with_model else 'rules only'})")
    print(f"requests  {total}  ok {len(latencies)}  errors {len(errors)}")
    print(f"throughput  {len(latencies) / elapsed:.1f} req/s")
    if latencies:
        p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
        print(f"latency  p50 {p50:.1f} ms  p99 {p99:.1f} ms  mean {statistics.fmean(latencies) * 1000:.1f} ms"
              f"  max {max(latencies) * 1000:.1f} ms")
    if errors:
        kinds: dict[str, int] = {}
        for e in errors:
            kinds[e] = kinds.get(e, 0) + 1
        print("error kinds  " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
