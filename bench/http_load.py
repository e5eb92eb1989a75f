"""Load generators: POST each pre-signed body once, count the answers, time the whole.

`wrk` (the Debian package; installed by the benchmark when missing and we may)
is preferred: it costs the two cores far less than any Python client. The Lua
script bench/post_once.lua gives each wrk thread a disjoint slice of the bodies.
When wrk cannot be had, a multi-process Python client (http.client, keep-alive,
one connection per thread) does the same job; it also drives the bulk runs,
where there are only a few large requests in flight.

The scan runs GET a list of paths round robin for a fixed time instead
(bench/get_paths.lua, or the Python client going round the list), and count the
verdicts and reasons of the JSON answers as well as their status codes.

Every run is bounded: at most `cap` seconds, after which whatever was not
answered is reported as such.
"""

from __future__ import annotations

import http.client
import itertools
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LUA_SCRIPT = Path(__file__).with_name("post_once.lua")
GET_SCRIPT = Path(__file__).with_name("get_paths.lua")
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
VERDICT = re.compile(rb'"verdict": ?"([A-Z]+)"')
REASON_CODE = re.compile(rb'"code": ?"([a-z-]+)"')


@dataclass
class LoadResult:
    tool: str
    requests: int                       # bodies to send
    sent: int = 0
    answered: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    wall: float = 0.0                   # first request sent to last answer received, seconds
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    expected: int = 201                 # the status of a success: 201 for appends, 200 for scans
    verdicts: Counter[str] = field(default_factory=Counter)   # of JSON scan verdicts
    reasons: Counter[str] = field(default_factory=Counter)    # their reason codes

    @property
    def created(self) -> int:
        """Answered with the expected status."""
        return self.statuses.get(self.expected, 0)

    @property
    def failed(self) -> int:
        """Answered with any other status (0 stands for a broken connection)."""
        return self.answered - self.created

    @property
    def unanswered(self) -> int:
        """Sent but not answered before the run ended."""
        return max(0, self.sent - self.answered)

    @property
    def unsent(self) -> int:
        """Never sent: the run's time cap came first."""
        return max(0, self.requests - self.sent)

    def rate(self, per_request: int = 1) -> float:
        return self.created * per_request / self.wall if self.wall > 0 else 0.0

    def status_text(self) -> str:
        return ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items())) or "none"


# -- tools from Debian ---------------------------------------------------------------------------
def ensure_tool(binary: str, package: str, say: Any) -> str | None:
    """The path of `binary`; installs its Debian package first if it is missing and we are root."""
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        say(f"{binary} not found and cannot install it (not root or no apt-get)")
        return None
    say(f"{binary} not found: installing the Debian package with `apt-get install -y {package}`")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for attempt in ("install", "update-then-install"):
        if attempt == "update-then-install":
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300,
                           check=False)
        done = subprocess.run(["apt-get", "install", "-y", "-q", package], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode == 0 and shutil.which(binary):
            say(f"installed {package}")
            return shutil.which(binary)
    say(f"could not install {package}; falling back")
    return None


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split(" [")[0] if first else "wrk"


# -- wrk ---------------------------------------------------------------------------------------------
def run_wrk(wrk: str, url: str, bodies: list[str], *, connections: int = 64, threads: int = 2,
            cap: float = 120.0) -> LoadResult:
    """POST each body once with wrk; stop as soon as every request is answered, or at `cap`."""
    threads = max(1, min(threads, len(bodies)))
    connections = max(threads, connections)
    result = LoadResult(f"{wrk_version(wrk)}, {threads} threads, {connections} connections",
                        len(bodies))
    with tempfile.TemporaryDirectory(prefix="gi-trace-wrk-") as scratch:
        work = Path(scratch)
        body_file = work / "bodies.txt"
        body_file.write_text("\n".join(bodies) + "\n", encoding="utf-8")
        done_dir = work / "done"
        done_dir.mkdir()
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, int(cap))}s", "--timeout", "30s",
                   "-s", str(LUA_SCRIPT), url, str(body_file), str(threads), str(done_dir)]
        out_path = work / "wrk.out"
        with open(out_path, "w") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + cap + 30
            ended_early = False
            while proc.poll() is None and time.monotonic() < deadline:
                if len(list(done_dir.glob("done-*"))) >= threads:
                    proc.send_signal(signal.SIGINT)  # every request answered: end wrk's run now
                    ended_early = True
                    break
                time.sleep(0.02)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
                result.notes.append("wrk did not exit; killed")
        if not ended_early:
            result.notes.append(f"stopped by the {cap:.0f} s cap")
        _parse_wrk(out_path.read_text(errors="replace"), result)
        for path in sorted(done_dir.glob("errors-*")):
            result.samples.extend(path.read_text(errors="replace").splitlines()[:3])
    return result


def run_wrk_paths(wrk: str, base: str, paths: list[str], *, seconds: float, connections: int = 64,
                  threads: int = 2) -> LoadResult:
    """GET `paths` round robin as JSON with wrk for `seconds` (bench/get_paths.lua)."""
    result = LoadResult(f"{wrk_version(wrk)}, {threads} threads, {connections} connections", 0,
                        expected=200)
    with tempfile.TemporaryDirectory(prefix="gi-trace-wrk-") as scratch:
        path_file = Path(scratch) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "10s", "-s", str(GET_SCRIPT), base, str(path_file), str(threads)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    _parse_wrk(done.stdout + done.stderr, result)
    result.requests = result.sent
    return result


def _counts(text: str) -> Counter[str]:
    if text == "-":
        return Counter()
    return Counter({key: int(float(count)) for key, count in (item.split("=") for item in text.split(","))})


def _parse_wrk(output: str, result: LoadResult) -> None:
    firsts, lasts = [], []
    seen = False
    for line in output.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "BENCH-THREAD" and len(parts) >= 9:
            seen = True
            result.sent += int(parts[3])
            result.answered += int(parts[4])
            if float(parts[6]) > 0:
                firsts.append(float(parts[6]))
            if float(parts[7]) > 0:
                lasts.append(float(parts[7]))
            if parts[8] != "-":
                for item in parts[8].split(","):
                    code, count = item.split("=")
                    result.statuses[int(float(code))] += int(float(count))
        elif parts[0] == "BENCH-VERDICTS" and len(parts) >= 2:
            result.verdicts.update(_counts(parts[1]))
        elif parts[0] == "BENCH-REASONS" and len(parts) >= 2:
            result.reasons.update(_counts(parts[1]))
        elif parts[0] == "BENCH-LATENCY" and len(parts) >= 5:
            p50, p90, p99, top = (float(v) / 1000 for v in parts[1:5])
            result.p50_ms, result.p90_ms, result.p99_ms, result.max_ms = p50, p90, p99, top
        elif parts[0] == "BENCH-ERRORS" and any(int(v) for v in parts[1:5]):
            result.notes.append("wrk socket errors (connect, read, write, timeout): "
                                + ", ".join(parts[1:5]))
    if not seen:
        result.notes.append("wrk printed no results: " + " | ".join(output.splitlines()[-5:]))
    if firsts and lasts:
        result.wall = max(lasts) - min(firsts)


# -- Python client --------------------------------------------------------------------------------
def _client_process(host: str, port: int, path: str, bodies: list[bytes], connections: int,
                    ready: Any, go: Any, results: Any, cap: float, gets: bool) -> None:
    """One client process: `connections` threads, each with one keep-alive connection. With
    `gets`, `bodies` are paths to GET round robin until `cap`; else bodies to POST once each."""
    slices = [bodies[i::connections] for i in range(connections)]
    slices = [s for s in slices if s]
    outcome: dict[str, Any] = {"statuses": Counter(), "latencies": [], "sent": 0, "samples": [],
                               "first": 0.0, "last": 0.0, "verdicts": Counter(), "reasons": Counter()}
    expected = 200 if gets else 201
    lock = threading.Lock()

    def worker(mine: list[bytes]) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        deadline = time.monotonic() + cap
        go.wait(timeout=120)
        for body in itertools.cycle(mine) if gets else mine:
            if time.monotonic() > deadline:
                break
            start = time.monotonic()
            try:
                if gets:
                    conn.request("GET", body.decode(), headers={"Accept": "application/json"})
                else:
                    conn.request("POST", path, body=body, headers=HEADERS)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                status, data = 0, str(e).encode()
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
            end = time.monotonic()
            verdict = VERDICT.search(data) if gets and status == 200 else None
            with lock:
                outcome["sent"] += 1
                outcome["statuses"][status] += 1
                outcome["latencies"].append(end - start)
                outcome["first"] = min(outcome["first"] or start, start)
                outcome["last"] = max(outcome["last"], end)
                if verdict:
                    outcome["verdicts"][verdict.group(1).decode()] += 1
                    outcome["reasons"].update(code.decode() for code in REASON_CODE.findall(data))
                if status != expected and len(outcome["samples"]) < 3:
                    outcome["samples"].append(f"{status} {data[:300]!r}")
        conn.close()

    workers = [threading.Thread(target=worker, args=(mine,), daemon=True) for mine in slices]
    for thread in workers:
        thread.start()
    ready.put(os.getpid())
    for thread in workers:
        thread.join(timeout=cap + 180)
    results.put(outcome)


def run_python(url: str, bodies: list[str], *, processes: int = 4, connections_per_process: int = 16,
               cap: float = 120.0, gets: bool = False) -> LoadResult:
    """POST each body once from `processes` processes; started together, timed to the last answer.
    With `gets`, `bodies` are paths under `url`, GET as JSON round robin for `cap` seconds."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    encoded = [b.encode() for b in bodies]
    processes = max(1, min(processes, len(encoded)))
    ctx = multiprocessing.get_context("fork")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_client_process,
                         args=(host, int(port or 80), "/" + path, encoded[i::processes],
                               connections_per_process, ready, go, results, cap, gets), daemon=True)
             for i in range(processes)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=60)
    go.set()
    outcomes = [results.get(timeout=cap + 240) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    result = LoadResult(f"Python http.client, {processes} processes x {connections_per_process} "
                        "connections", len(bodies), expected=200 if gets else 201)
    latencies: list[float] = []
    for outcome in outcomes:
        result.sent += outcome["sent"]
        result.answered += outcome["sent"]
        result.statuses.update(outcome["statuses"])
        result.verdicts.update(outcome["verdicts"])
        result.reasons.update(outcome["reasons"])
        latencies.extend(outcome["latencies"])
        result.samples.extend(outcome["samples"])
    firsts = [o["first"] for o in outcomes if o["first"]]
    lasts = [o["last"] for o in outcomes if o["last"]]
    if firsts and lasts:
        result.wall = max(lasts) - min(firsts)
    if latencies:
        latencies.sort()
        result.p50_ms, result.p90_ms, result.p99_ms = (
            1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))] for q in (0.5, 0.9, 0.99))
        result.max_ms = 1000 * latencies[-1]
    if gets:
        result.requests = result.sent
    elif result.answered < result.requests:
        result.notes.append(f"stopped by the {cap:.0f} s cap")
    return result
