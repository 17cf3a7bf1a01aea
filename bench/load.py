"""A small closed-loop HTTP load generator: N client threads, keep-alive
connections, every request timed. (wrk and hyperfine are not needed.)

Each thread sends its share of the requests one after another on its own
connection, so ``concurrency`` requests are in flight at any time; throughput
is completed requests over the wall time from the common start to the last
answer.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class LoadResult:
    elapsed: float
    latencies: list[float]  # seconds, one per request
    statuses: Counter = field(default_factory=Counter)
    sample_errors: list[str] = field(default_factory=list)

    def ok(self, *expected: int) -> int:
        return sum(self.statuses[code] for code in expected)

    def throughput(self, *expected: int) -> float:
        return self.ok(*expected) / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


def combined(results: list[LoadResult]) -> LoadResult:
    """Several loads as one: their requests, statuses and time added up."""
    total = LoadResult(elapsed=sum(r.elapsed for r in results), latencies=[])
    for result in results:
        total.latencies.extend(result.latencies)
        total.statuses.update(result.statuses)
        total.sample_errors.extend(result.sample_errors)
    return total


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.95 → p95), by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(fraction * 1000) - 1]


def json_request(method: str, path: str, payload: dict | None, headers: dict[str, str]) -> Request:
    body = None if payload is None else json.dumps(payload).encode()
    merged = {"Accept": "application/json", **headers}
    if body is not None:
        merged["Content-Type"] = "application/json"
    return Request(method, path, merged, body)


def run(port: int, requests: list[Request], *, concurrency: int, timeout: float = 60) -> LoadResult:
    """Send ``requests`` to 127.0.0.1:``port`` from ``concurrency`` threads."""
    share = [requests[i::concurrency] for i in range(concurrency)]
    latencies: list[list[float]] = [[] for _ in share]
    statuses: list[Counter] = [Counter() for _ in share]
    errors: list[str] = []
    start_line = threading.Barrier(len(share) + 1)
    finished = [0.0] * len(share)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        start_line.wait()
        for request in share[index]:
            began = time.perf_counter()
            try:
                connection.request(
                    request.method, request.path, body=request.body, headers=request.headers
                )
                response = connection.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                status, body = 0, repr(exc).encode()
            latencies[index].append(time.perf_counter() - began)
            statuses[index][status] += 1
            if (status >= 400 or status == 0) and len(errors) < 5:
                errors.append(f"{status}: {body[:300].decode(errors='replace')}")
        finished[index] = time.perf_counter()
        connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(share))]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    total = Counter()
    for counter in statuses:
        total.update(counter)
    return LoadResult(
        elapsed=max(finished) - began,
        latencies=[value for chunk in latencies for value in chunk],
        statuses=total,
        sample_errors=errors,
    )
