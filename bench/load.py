"""Load benchmark: N simulated users asking at once against ``twosource serve``.

Everything runs on loopback: the demo corpus (examples/articles) is ingested into a temporary
data directory, two ``python -m llama_cpp.server`` processes serve the small test model
(SmolLM2-135M), and ``twosource serve`` answers through them. N users (threads, each with its
own Gradio client session) ask their questions at the same moment. The same load runs twice in
one go: against the pool of both servers, then against ONE of them (the other stays up and
idle), and the throughput ratio is printed.

    .venv/bin/python bench/load.py [--users 20] [--threads-per-server 1] [--max-tokens 120]

Prints, per run: answered, errored, p50/p95 latency (seconds from submitting the question to
the final answer, queue wait included), throughput (answers per minute), the load average,
and how many requests each llama.cpp server answered. Then the same number of requests
straight to the servers (no web app, retrieval or checks), to show how the language model
alone scales from one server to two on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent

QUESTIONS = [
    "How long will the Alder River Bridge be closed?",
    "Who is repairing the Alder River Bridge, and for how much?",
    "Why are the ferry workers on strike?",
    "How much will water rates rise?",
    "How much is the library budget being cut?",
    "How many vehicles cross the bridge each day according to the institute?",
    "When does the bridge closure start?",
    "What did the city engineer say about the bridge?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, what: str, limit: float = 180) -> None:
    deadline = time.time() + limit
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{what} did not answer at {url} within {limit:.0f} s")


def start_llm_server(model: Path, threads: int, n_ctx: int, log: Path) -> tuple:
    port = free_port()
    out = log.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(n_ctx),
            "--n_threads",
            str(threads),
            "--n_threads_batch",
            str(threads),
            # never cut an answer short when another request arrives (the pool sends each
            # server no more than its slots anyway)
            "--interrupt_requests",
            "False",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}/v1"


def start_web(data: Path, urls: list[str], max_tokens: int, log: Path) -> tuple:
    port = free_port()
    env = dict(os.environ, TWOSOURCE_LLM__MAX_TOKENS=str(max_tokens))
    args = [str(BIN / "twosource"), "--data", str(data), "serve", "--port", str(port)]
    for url in urls:
        args += ["--llm-url", url]
    proc = subprocess.Popen(args, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc, "twosource serve")
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def served(log: Path) -> int:
    """Chat completions a llama.cpp server has answered (its access log)."""
    return log.read_text(errors="replace").count("POST /v1/chat/completions")


def one_user(url: str, question: str, results: list, barrier: threading.Barrier) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    barrier.wait()
    start = time.perf_counter()
    try:
        chat = client.predict(question, 6, "", "", api_name="/ask")[0]  # (chat, question box)
        ok = "ts-error" not in chat and "ts-a" in chat
        detail = "" if ok else chat[-300:]
    except Exception as exc:  # a failed request is counted, not fatal
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
    results.append((ok, time.perf_counter() - start, detail))


def run_load(url: str, users: int) -> dict:
    results: list = []
    barrier = threading.Barrier(users + 1)
    threads = [
        threading.Thread(
            target=one_user, args=(url, QUESTIONS[i % len(QUESTIONS)], results, barrier)
        )
        for i in range(users)
    ]
    for t in threads:
        t.start()
    barrier.wait()  # every client is connected: all ask at once
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies = sorted(t for ok, t, _ in results if ok)
    answered = len(latencies)

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, round(p * (len(latencies) - 1)))]

    return {
        "answered": answered,
        "errored": len(results) - answered,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": pct(0.95),
        "wall": wall,
        "per_min": answered / wall * 60,
        "load": os.getloadavg(),
        "errors": [d for ok, _, d in results if not ok][:3],
    }


def llm_only(urls: list[str], n: int, max_tokens: int, corpus: Path) -> float:
    """Answers per minute for ``n`` simultaneous requests straight to the pool, each with a
    prompt of about the answer prompt's size (a demo article and a question)."""
    from index.settings import load_settings
    from qa.llm import make_generator

    article = (corpus / "ledger-bridge-closure.md").read_text()[:2500]
    pool = make_generator(load_settings(tempfile.mkdtemp(), llm={"url": urls}))
    done: list[str] = []

    def ask(i: int) -> None:
        messages = [
            {"role": "system", "content": "Answer from the passage only."},
            {"role": "user", "content": f"{article}\n\nQuestion {i}: {QUESTIONS[i % 8]}"},
        ]
        done.append("".join(pool.stream(messages, None, max_tokens, 0.0)))

    # untimed: each server evaluates the article once (llama.cpp then reuses it as the prompt
    # prefix), so neither run pays for the other's cache
    warm = [threading.Thread(target=ask, args=(i,)) for i in range(len(urls))]
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    done.clear()
    threads = [threading.Thread(target=ask, args=(i,)) for i in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(done) / (time.perf_counter() - start) * 60


def report(label: str, r: dict) -> None:
    load = ", ".join(f"{x:.1f}" for x in r["load"])
    print(
        f"{label}: answered {r['answered']}, errored {r['errored']}, "
        f"p50 {r['p50']:.1f} s, p95 {r['p95']:.1f} s, wall {r['wall']:.1f} s, "
        f"throughput {r['per_min']:.1f} answers/min (load average {load})",
        flush=True,
    )
    for detail in r["errors"]:
        print(f"  error: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="simulated users (default 20)")
    parser.add_argument("--threads-per-server", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=120, help="llm.max_tokens")
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--corpus", type=Path, default=REPO / "examples" / "articles")
    args = parser.parse_args()

    from qa.models import smollm2_path

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    data = work / "data"
    print(f"ingesting {args.corpus} into {data} …", flush=True)
    subprocess.run(
        [str(BIN / "twosource"), "--data", str(data), "ingest", "-q", str(args.corpus)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    servers = [
        start_llm_server(smollm2_path(), args.threads_per_server, args.n_ctx, work / f"llm{i}.log")
        for i in range(2)
    ]
    web = None
    try:
        for i, (proc, url) in enumerate(servers):
            wait_http(url + "/models", proc, f"llama.cpp server {i}")
        urls = [url for _, url in servers]
        print(
            f"{args.users} users, SmolLM2-135M, {args.threads_per_server} thread(s) per "
            f"server, max_tokens {args.max_tokens}, {os.cpu_count()} cores",
            flush=True,
        )
        results = {}
        for label, chosen in (("pool of 2 servers", urls), ("1 server", urls[:1])):
            web, url = start_web(data, chosen, args.max_tokens, work / f"web-{len(chosen)}.log")
            run_load(url, 2)  # warm-up: the embedder, both servers' prompt caches
            before = [served(work / f"llm{i}.log") for i in range(2)]
            results[label] = run_load(url, args.users)
            report(label, results[label])
            counts = [served(work / f"llm{i}.log") - b for i, b in enumerate(before)]
            print(f"  requests per llama.cpp server: {counts}", flush=True)
            stop(web)
            web = None
        two, one = results["pool of 2 servers"], results["1 server"]
        if one["per_min"] > 0:
            print(f"throughput ratio, 2 servers / 1 server: {two['per_min'] / one['per_min']:.2f}×")
        # the language model alone (no web app, retrieval or checks): how the servers scale
        rates = {}
        for label, chosen in (("pool of 2 servers", urls), ("1 server", urls[:1])):
            rates[label] = llm_only(chosen, args.users, args.max_tokens, args.corpus)
            print(
                f"LLM only, {label}: {args.users} requests at once, "
                f"{rates[label]:.1f} answers/min (load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
        print(f"LLM-only ratio: {rates['pool of 2 servers'] / rates['1 server']:.2f}×")
    finally:
        if web is not None:
            stop(web)
        for proc, _ in servers:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
