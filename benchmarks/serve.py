"""Load benchmark of the explorer: `accord serve` (a real uvicorn server in its own process) on
the shared-corpus store, 50 concurrent clients for 60 s mixing search, passage, document and
domain pages. Reports throughput, p50/p95 latency per page type and errors.
Targets: p95 < 300 ms for search and passage pages, < 1 s for the largest document page,
zero errors.

Each client is one person: it asks for a page, waits for the whole answer, thinks for a random
time (exponential, mean --think seconds), and asks for the next. With --think 0 the clients
send back to back: the server's capacity, where latency is mostly queueing.

    python benchmarks/serve.py                      # builds or updates benchmarks/results/shared.db
    python benchmarks/serve.py --store accord.db --rounds 1 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from _common import run_shared_store, save

# Page type -> share of requests. "document" is any document; "largest document" the one
# with the most passages (the heaviest page the explorer serves).
MIX = {
    "search": 0.40,
    "passage": 0.30,
    "document": 0.12,
    "largest document": 0.03,
    "domain": 0.15,
}
TARGET_P95_MS = {"search": 300, "passage": 300, "largest document": 1000}
# Our own words for search boxes (not corpus text): single words, pairs and phrases.
WORDS = [
    "health",
    "data protection",
    "human rights",
    '"capacity building"',
    "education",
    "climate",
    "safety",
    "transparency",
    "cooperation",
    "security",
    "innovation",
    "children",
    "privacy",
    "standards",
    "risk assessment",
    "developing countries",
    "accountability",
    "labour",
    "military",
    "research",
]
START_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 60


@dataclass
class Site:
    """What the clients ask for: ids read from the store, labels and domains from the API."""

    documents: list[str]
    largest: str
    largest_passages: int
    passages: list[str]
    domains: list[str]
    institutions: list[str]
    domain_labels: list[str]
    dimensions: list[str]  # a document page highlights one; people switch now and then

    def url(self, kind: str, rng: random.Random) -> str:
        if kind == "search":
            return "/passages?" + urlencode(self._search(rng))
        if kind == "passage":
            return f"/passages/{rng.choice(self.passages)}"
        if kind in ("document", "largest document"):
            document = self.largest if kind == "largest document" else rng.choice(self.documents)
            if rng.random() < 0.5:
                return f"/documents/{document}"
            return f"/documents/{document}?dimension={rng.choice(self.dimensions)}"
        return f"/domains/{rng.choice(self.domains)}"

    def _search(self, rng: random.Random) -> list[tuple[str, str]]:
        """Words (60 %), words with a facet (20 %), or a facet alone as the ranking's links
        give (20 %); a later page now and then."""
        draw = rng.random()
        params: list[tuple[str, str]] = []
        if draw < 0.8:
            params.append(("q", rng.choice(WORDS)))
        if draw >= 0.6:
            if rng.random() < 0.5:
                params.append(("institution", rng.choice(self.institutions)))
            else:
                params.append(("label.domain", rng.choice(self.domain_labels)))
        if rng.random() < 0.2:
            params.append(("page", str(rng.randint(2, 3))))
        return params


def read_site(store: Path, base: str) -> Site:
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    documents = db.execute(
        "SELECT id, n_passages FROM documents WHERE is_current = 1 ORDER BY n_passages DESC, id"
    ).fetchall()
    passages = [
        r[0]
        for r in db.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.is_current = 1 ORDER BY p.id"
        )
    ]
    db.close()
    overview = httpx.get(f"{base}/api/overview", timeout=REQUEST_TIMEOUT_S).json()
    search = httpx.get(f"{base}/api/passages", timeout=REQUEST_TIMEOUT_S).json()
    facets = {f["key"]: [v["value"] for v in f["values"]] for f in search["facets"]}
    largest = httpx.get(f"{base}/api/documents/{documents[0][0]}", timeout=REQUEST_TIMEOUT_S)
    return Site(
        documents=[d for d, _ in documents],
        largest=documents[0][0],
        largest_passages=documents[0][1],
        passages=random.Random(0).sample(passages, min(5000, len(passages))),
        domains=[r["domain"] for r in [*overview["ranked"], *overview["unranked"]]],
        institutions=facets["institution"],
        domain_labels=facets["label.domain"],
        dimensions=largest.json()["dimensions"],
    )


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(store: Path) -> Iterator[tuple[subprocess.Popen, str, float]]:
    """`accord serve` in its own process: (process, base URL, seconds until it answered)."""
    port = free_port()
    command = [sys.executable, "-m", "accord", "--quiet", "--store", str(store), "serve"]
    started = time.perf_counter()
    server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, base)
        yield server, base, round(time.perf_counter() - started, 1)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(server: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"accord serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/api/tables", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    sys.exit(f"accord serve did not answer within {START_TIMEOUT_S} s")


# ---------------------------------------------------------------- the clients


async def one_client(
    seed: str, http: httpx.AsyncClient, site: Site, until: float, think: float, samples: list
) -> None:
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    await asyncio.sleep(rng.uniform(0, min(think, 1.0)))  # people do not all click at once
    while time.perf_counter() < until:
        kind = rng.choices(kinds, weights)[0]
        url = site.url(kind, rng)
        started = time.perf_counter()
        try:
            response = await http.get(url)
            status = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        samples.append((kind, time.perf_counter() - started, status, url, started))
        if think:
            await asyncio.sleep(rng.expovariate(1 / think))


async def load(
    base: str, site: Site, args: argparse.Namespace, think: float, seed: int, cpu: Callable
) -> dict:
    """Clients for warm-up + measured seconds; requests started in the warm-up are reported
    apart. ``cpu()`` reads the server's CPU time, at the start and end of the measured part."""
    samples: list[tuple[str, float, int | str, str, float]] = []
    # Idle connections are dropped by the client before uvicorn's 5 s keep-alive timeout, so
    # a request never races the server closing its connection.
    limits = httpx.Limits(
        max_connections=args.clients, max_keepalive_connections=args.clients, keepalive_expiry=4
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT_S) as http:
        started = time.perf_counter()
        measured_from = started + args.warmup
        until = measured_from + args.seconds
        clients = [
            one_client(f"{seed}-{n}", http, site, until, think, samples)
            for n in range(args.clients)
        ]
        cpu_from = asyncio.create_task(_at(measured_from, cpu))
        await asyncio.gather(*clients)
        ended = time.perf_counter()
        cpu_used = cpu() - await cpu_from
    measured = [x for x in samples if x[4] >= measured_from]
    result = summarise(measured, ended - measured_from)
    result["server_cpu_ms_per_request"] = round(cpu_used / max(1, len(measured)) * 1000, 1)
    result["server_cpu_share"] = round(cpu_used / (ended - measured_from), 2)
    result["warmup"] = summarise([x for x in samples if x[4] < measured_from], args.warmup)
    return result


async def _at(moment: float, read: Callable[[], float]) -> float:
    await asyncio.sleep(max(0.0, moment - time.perf_counter()))
    return read()


def server_cpu_s(server: subprocess.Popen) -> float:
    """CPU time the server process has used (user + system): unlike latency, barely moved by
    what else runs on the machine."""
    fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_page(server: subprocess.Popen, base: str, site: Site, n: int = 40) -> dict:
    """Server CPU and latency per page type, one request at a time (no queueing), each URL
    asked once (so none is answered from the response cache)."""
    found = {}
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as http:
        for kind in MIX:
            rng = random.Random(kind)
            urls = list(dict.fromkeys(site.url(kind, rng) for _ in range(n)))
            times = []
            before = server_cpu_s(server)
            for url in urls:
                started = time.perf_counter()
                http.get(url).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            cpu = (server_cpu_s(server) - before) / len(urls) * 1000
            found[kind] = {
                "urls": len(urls),
                "cpu_ms": round(cpu, 1),
                "p50_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
            }
    return found


def summarise(samples: list, elapsed: float) -> dict:
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors = [f"{status} {url}" for _, _, status, url, _ in samples if status != 200]
    distinct = len({url for _, _, _, url, _ in samples})
    for kind, seconds, status, _, _ in samples:
        if status == 200:
            by_kind[kind].append(seconds * 1000)
    pages = {}
    for kind in MIX:
        times = sorted(by_kind.get(kind, []))
        if not times:
            continue
        pages[kind] = {
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 95), 1),
            "p99_ms": round(_percentile(times, 99), 1),
            "max_ms": round(times[-1], 1),
        }
    return {
        "requests": len(samples),
        "elapsed_s": round(elapsed, 1),
        "throughput_per_s": round(len(samples) / elapsed, 1),
        "errors": len(errors),
        "repeated_url_share": round(1 - distinct / max(1, len(samples)), 2),
        "error_examples": sorted(set(errors))[:10],
        "pages": pages,
    }


def _percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile."""
    return sorted_values[max(0, math.ceil(q / 100 * len(sorted_values)) - 1)]


def worst_ratio(result: dict) -> float:
    """How far the round is from its targets (below 1: all met); picks the best round."""
    ratios = [
        result["pages"][kind]["p95_ms"] / target
        for kind, target in TARGET_P95_MS.items()
        if kind in result["pages"]
    ]
    return max(ratios) + result["errors"]


def meets(result: dict) -> dict[str, bool]:
    met = {
        kind: kind in result["pages"] and result["pages"][kind]["p95_ms"] < target
        for kind, target in TARGET_P95_MS.items()
    }
    met["zero errors"] = result["errors"] == 0
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store (default: the shared corpus)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds")
    parser.add_argument(
        "--warmup", type=float, default=10, help="seconds of load before measuring (reported apart)"
    )
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--capacity", action="store_true", help="also run once with --think 0")
    args = parser.parse_args()
    store = args.store or Path(run_shared_store().store)
    with running_server(store) as (server, base, start_s):
        site = read_site(store, base)
        sequential = cpu_per_page(server, base, site)
    print(f"one at a time (server started in {start_s} s): {sequential}", flush=True)
    rounds = []
    # Each round on a fresh server: its caches start cold, as after `accord serve`.
    for number in range(args.rounds):
        rounds.append(measure(store, site, args, args.think, number))
        print(f"round {number + 1}: {_line(rounds[-1])}", flush=True)
    capacity = measure(store, site, args, 0, args.rounds) if args.capacity else None
    if capacity:
        print(f"capacity (no think time): {_line(capacity)}", flush=True)
    best = min(rounds, key=worst_ratio)
    save(
        "serve",
        {
            "store": str(store),
            "documents": len(site.documents),
            "passages": _count_passages(store),
            "largest_document_passages": site.largest_passages,
            "server_start_s": start_s,
            "clients": args.clients,
            "seconds": args.seconds,
            "warmup_s": args.warmup,
            "think_mean_s": args.think,
            "mix": MIX,
            "target_p95_ms": TARGET_P95_MS,
            "one_at_a_time": sequential,
            "best": best,
            "meets_targets": meets(best),
            "rounds": rounds,
            "capacity_no_think": capacity,
        },
    )


def measure(store: Path, site: Site, args: argparse.Namespace, think: float, seed: int) -> dict:
    """One round of load on a freshly started server."""
    with running_server(store) as (server, base, _):
        client_cpu = time.process_time()
        result = asyncio.run(load(base, site, args, think, seed, lambda: server_cpu_s(server)))
        client_cpu = time.process_time() - client_cpu
    # The clients share the machine with the server: their CPU is load the server competes with.
    result["client_cpu_share"] = round(client_cpu / (args.warmup + result["elapsed_s"]), 2)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return result


def _line(result: dict) -> str:
    pages = ", ".join(
        f"{kind} p50 {p['p50_ms']:.0f} / p95 {p['p95_ms']:.0f} ms"
        for kind, p in result["pages"].items()
    )
    return (
        f"{result['throughput_per_s']} req/s, {result['errors']} errors, server CPU"
        f" {result.get('server_cpu_ms_per_request')} ms/request"
        f" ({result.get('server_cpu_share')} of a core, clients {result.get('client_cpu_share')}),"
        " load"
        f" {result.get('load_average')}; {pages}"
    )


def _count_passages(store: Path) -> int:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM passages").fetchone()[0]


if __name__ == "__main__":
    main()
