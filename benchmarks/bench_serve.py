"""A bounded load test of `copydesk serve` on a loopback port: throughput and latency.

Builds (once, cached under benchmarks/.cache/) an index of a seeded synthetic corpus, starts
`copydesk serve` on a free 127.0.0.1 port, and sends a fixed number of requests from a fixed
number of threads: POST /check with articles not in the index, GET /articles/{id},
GET /articles/{id}/reuse, GET /pairs/{source}/{target} and GET /stories. Prints throughput and
p50/p95/p99 latency per route; exits non-zero if any answer is a 5xx (or the run times out).

    python benchmarks/bench_serve.py --articles 2000 --requests 600 --concurrency 8
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from copydesk.store import Index
from copydesk.synthetic import make_corpus

CACHE = Path(__file__).parent / ".cache"
KEY = "bench"
#: share of each kind of request
MIX = {"check": 0.4, "article": 0.25, "reuse": 0.2, "pair": 0.1, "stories": 0.05}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _index(size: int, extra: int) -> tuple[Path, list[dict[str, str | None]]]:
    """The cached index of `size` articles, and `extra` articles to check that it lacks."""
    corpus = make_corpus(size + extra, seed=size + 1)
    db = CACHE / f"serve-{size}.db"  # an index of an older schema is migrated on opening
    if not db.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = db.with_suffix(".partial")
        started = time.perf_counter()
        with Index(partial) as index:
            index.add(corpus.articles[:size], batch_size=1000)
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{partial}{suffix}").exists():
                Path(f"{partial}{suffix}").rename(f"{db}{suffix}")
        print(f"built an index of {size} articles in {time.perf_counter() - started:.0f} s")
    to_check = [{"id": a.id, "text": a.text, "published": a.published}
                for a in corpus.articles[size:]]  # fmt: skip
    return db, to_check


def _start(db: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "copydesk.cli", "serve", "--db", str(db), "--port", str(port)],
        env={**os.environ, "COPYDESK_API_KEY": KEY},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="articles in the index")
    parser.add_argument("--requests", type=int, default=600, help="requests in all")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--timeout", type=float, default=300, help="seconds for the whole run")
    args = parser.parse_args()
    db, to_check = _index(args.articles, 100)
    with Index(db, create=False) as index:
        ids = index.ids()
        pairs = [(p.source, p.target) for s in index.stories()[:200] for p in
                 index.reuse(s.articles[0])][:200]  # fmt: skip
    rng = random.Random(1)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=args.requests)
    port = _free_port()
    server = _start(db, port)
    base = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    deadline = time.monotonic() + args.timeout
    local = threading.local()
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        """One keep-alive connection per client thread."""
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=base, timeout=60)
            clients.append(local.http)
        http: httpx.Client = local.http
        return http

    def send(job: tuple[int, str]) -> None:
        number, kind = job
        if time.monotonic() > deadline:
            failures.append(f"{kind}: not sent (past --timeout)")
            return
        pick = random.Random(number)
        http = client()
        started = time.perf_counter()
        if kind == "check":
            response = http.post("/check", json=pick.choice(to_check))
        elif kind == "article":
            response = http.get(f"/articles/{pick.choice(ids)}")
        elif kind == "reuse":
            response = http.get(f"/articles/{pick.choice(ids)}/reuse")
        elif kind == "pair" and pairs:
            source, target = pick.choice(pairs)
            response = http.get(f"/pairs/{source}/{target}")
        else:
            response = http.get("/stories", params={"limit": 20})
        timings[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            failures.append(f"{kind}: {response.status_code} {response.text[:200]}")

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(send, enumerate(kinds)))
        elapsed = time.perf_counter() - started
    finally:
        for http in clients:
            http.close()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    every = [t for values in timings.values() for t in values]
    print(
        f"{len(every)} requests, {args.concurrency} clients, index of {len(ids)} articles: "
        f"{len(every) / elapsed:.1f} requests/s"
    )
    print(f"{'route':<10} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in [*sorted(timings.items()), ("all", every)]:
        print(f"{kind:<10} {len(values):>6} {_quantile(values, 0.5):8.1f} "
              f"{_quantile(values, 0.95):8.1f} {_quantile(values, 0.99):8.1f}")  # fmt: skip
    if failures:
        raise SystemExit(f"{len(failures)} failures, first: {failures[0]}")
    print("no 5xx")


if __name__ == "__main__":
    main()
