"""Cold-start benchmark: `twosource ask` in a fresh process, to the first streamed answer text.

Setup (not timed): the seed articles are ingested into a temporary TwoSource index
(``twosource ingest``) and into a LangChain FAISS index (same 900/150 splitter and embedder).

How the first token is seen without changing qa/: ``twosource ask`` prints, on stderr,
"Found N evidence passages." when retrieval is done, then the answer draft as the model writes
it (``click.echo(..., nl=False)``, flushed per piece), then the checked answer on stdout. The
parent spawns the real ``.venv/bin/twosource --data DIR ask QUESTION`` with both streams piped
and timestamps every read: "evidence shown" is the arrival of that line, "first answer text"
the first non-blank byte after it. The draft shows the answer text parsed out of the model's
JSON output, so it appears a few tokens after the model's first token; a second, instrumented
run per repeat (``python -c`` running the same ``qa.cli.main``, with the generator's ``stream``
wrapped to write to a pipe on its first delta) gives "first LLM token" too, and is stopped at
the first answer text. All times are from just before the process is spawned. Processes are
cold; the OS file cache is warm (one untimed run of each command first; ``--no-warmup`` skips
it).

Phases, also fresh processes: ``python -c pass`` (interpreter floor), ``python -c "import
qa.cli"``, and ``twosource --data DIR search QUESTION`` (embedder, index, search; no LLM) to
process exit.

Baseline in the same run: the stock LangChain chain in a fresh process (imports,
``HuggingFaceEmbeddings``, ``FAISS.load_local``, ``LlamaCpp`` on the same GGUF with stock
settings — its default ``n_batch`` is 8, TwoSource uses 512; ``--langchain-n-batch 512`` gives a
tuned baseline — then retrieve k=4 and ``llm.stream`` the classic RetrievalQA prompt);
"first token" is its first non-empty streamed chunk. Medians of ``--repeat`` runs (3).

    .venv/bin/python bench/coldstart.py [--repeat 3] [--model default|smollm2|PATH.gguf]
        [--question "…"] [--first-token-only] [--langchain-n-batch N] [--no-langchain] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTION = "Why is Putin avoiding a new mobilization wave?"
PROBE_FD = "TWOSOURCE_BENCH_PROBE_FD"  # read and removed by the probe before the CLI starts
EVIDENCE_LINE = re.compile(rb"Found \d+ evidence passages?\.\r?\n")
LC_RETRIEVED, LC_FIRST, LC_DONE = b"@@retrieved\n", b"@@first-token\n", b"@@done\n"

# `twosource` itself (same as the console script), plus a wrapper that reports the model's
# first delta on the pipe named by PROBE_FD. Only the stdlib is imported before qa.llm.
PROBE = f"""
import os, sys
fd = int(os.environ.pop({PROBE_FD!r}))
import qa.llm as llm

def wrap(original):
    def stream(self, *args, **kwargs):
        first = True
        for delta in original(self, *args, **kwargs):
            if first:
                os.write(fd, b"delta\\n")
                first = False
            yield delta
    return stream

for cls in (llm.LlamaCppGenerator, llm.OpenAIServerGenerator):
    cls.stream = wrap(cls.stream)
from qa.cli import main
sys.argv[0] = "twosource"
sys.exit(main())
"""


# -- running and watching a child ------------------------------------------------------------------
class Run:
    """A child process whose output chunks are timestamped (seconds since just before spawn)."""

    def __init__(self, cmd: list[str], env: dict[str, str], stop_on=None, probe: bool = False):
        self.chunks: dict[str, list[tuple[float, bytes]]] = {"stdout": [], "stderr": []}
        self.stop_on = stop_on  # callable(run) -> bool: kill the child once it is true
        self.stop = threading.Event()
        self.exited = threading.Event()
        self.killed = False
        pass_fds: tuple[int, ...] = ()
        probe_r = None
        if probe:
            probe_r, probe_w = os.pipe()
            env = {**env, PROBE_FD: str(probe_w)}
            pass_fds = (probe_w,)
            self.chunks["probe"] = []
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
        )
        if probe:
            os.close(probe_w)
        fds = {"stdout": self.proc.stdout.fileno(), "stderr": self.proc.stderr.fileno()}
        if probe_r is not None:
            fds["probe"] = probe_r
        self.readers = [
            threading.Thread(target=self._read, args=(name, fd), daemon=True)
            for name, fd in fds.items()
        ]
        for t in self.readers:
            t.start()
        self._probe_r = probe_r
        threading.Thread(target=self._wait_exit, daemon=True).start()

    def _read(self, name: str, fd: int) -> None:
        while True:
            data = os.read(fd, 65536)
            if not data:
                return
            self.chunks[name].append((time.perf_counter() - self.t0, data))
            if self.stop_on is not None and self.stop_on(self):
                self.stop.set()

    def _wait_exit(self) -> None:
        # WNOWAIT: learn the exit time without reaping, so the pid stays valid for a kill.
        os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOWAIT)
        self.exit_s = time.perf_counter() - self.t0
        self.exited.set()
        self.stop.set()

    def finish(self, timeout: float, label: str = "") -> Run:
        if not self.stop.wait(timeout):
            print(f"timeout after {timeout:.0f} s: killing {self.proc.args[:3]}", file=sys.stderr)
        if not self.exited.is_set():
            self.killed = True
            self.proc.kill()
        self.exited.wait()
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.peak_rss_mb = usage.ru_maxrss / 1024  # Linux: kilobytes
        for t in self.readers:
            t.join()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()
        if self._probe_r is not None:
            os.close(self._probe_r)
        if label:
            how = "stopped" if self.killed else f"exit {self.proc.returncode}"
            print(f"  {label}: {self.exit_s:.2f} s ({how})", file=sys.stderr)
        return self

    def text(self, name: str) -> bytes:
        return b"".join(data for _, data in self.chunks[name])

    def time_of(self, name: str, offset: int) -> float | None:
        """When the byte at ``offset`` of a stream arrived."""
        seen = 0
        for t, data in list(self.chunks[name]):
            seen += len(data)
            if seen > offset:
                return t
        return None

    def time_after(self, name: str, pattern: re.Pattern | bytes) -> float | None:
        """When the end of the first match of ``pattern`` arrived."""
        buf = self.text(name)
        if isinstance(pattern, bytes):
            at = buf.find(pattern)
            return None if at < 0 else self.time_of(name, at + len(pattern) - 1)
        match = pattern.search(buf)
        return None if match is None else self.time_of(name, match.end() - 1)

    def check(self, ok_codes: tuple[int, ...] = (0,)) -> None:
        if not self.killed and self.proc.returncode not in ok_codes:
            err = self.text("stderr").decode(errors="replace").strip()[-2000:]
            raise SystemExit(f"{self.proc.args[:4]} failed ({self.proc.returncode}):\n{err}")


def first_answer_text(run: Run) -> tuple[float | None, str]:
    """(time, sample) of the first non-blank stderr byte after the 'evidence passages' line."""
    buf = run.text("stderr")
    match = EVIDENCE_LINE.search(buf)
    if match is None:
        return None, ""
    rest = buf[match.end() :]
    start = len(rest) - len(rest.lstrip())
    if start == len(rest):
        return None, ""
    return run.time_of("stderr", match.end() + start), rest[start : start + 60].decode(
        errors="replace"
    )


# -- the LangChain baseline (child) ---------------------------------------------------------------
def _lc_imports():
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings

    return FAISS, HuggingFaceEmbeddings


def build_langchain_index(seed: Path, target: Path, embedder: str) -> None:
    from langchain_community.document_loaders import TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    FAISS, HuggingFaceEmbeddings = _lc_imports()
    docs = []
    for path in sorted(seed.glob("*.txt")):
        docs += TextLoader(str(path), encoding="utf-8").load()
    chunks = RecursiveCharacterTextSplitter(chunk_size=900, chunk_overlap=150).split_documents(docs)
    embeddings = HuggingFaceEmbeddings(
        model_name=embedder,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
    FAISS.from_documents(chunks, embeddings).save_local(str(target))


def langchain_ask(index_dir: Path, embedder: str, gguf: str, question: str, n_batch: int) -> None:
    """The stock chain, cold: markers on stdout tell the parent where it is."""

    FAISS, HuggingFaceEmbeddings = _lc_imports()
    embeddings = HuggingFaceEmbeddings(
        model_name=embedder,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
    store = FAISS.load_local(str(index_dir), embeddings, allow_dangerous_deserialization=True)
    retriever = store.as_retriever(search_kwargs={"k": 4})
    from bench.stock_chain import stock_llm, stuff_prompt

    llm = stock_llm(gguf, n_batch)
    prompt = stuff_prompt()
    found = retriever.invoke(question)
    out = sys.stdout.buffer
    out.write(LC_RETRIEVED)
    out.flush()
    text = prompt.format(context="\n\n".join(d.page_content for d in found), question=question)
    first = True
    for piece in llm.stream(text):
        if first and piece:
            out.write(LC_FIRST)
            out.flush()
            first = False
    out.write(LC_DONE)
    out.flush()


# -- parent --------------------------------------------------------------------------------------
def child_env() -> dict[str, str]:
    from index.embed import hub_offline

    hub_offline()  # the same offline switches for both pipelines' libraries
    return {k: v for k, v in os.environ.items() if not k.startswith("TWOSOURCE_")}


def measure(args: argparse.Namespace, paths: dict, env: dict, timed: bool = True) -> dict:
    """One round of every measurement (fresh processes)."""
    py = sys.executable
    ts = [str(paths["twosource"]), "--data", str(paths["ts_data"])]
    model = [] if args.model == "default" else ["--model", args.model]
    ask_args = ["--data", str(paths["ts_data"]), "ask", *model, args.question]
    timeout = args.timeout
    out: dict = {}

    def got_text(run: Run) -> bool:
        return first_answer_text(run)[0] is not None

    def got_lc_token(run: Run) -> bool:
        return LC_FIRST in run.text("stdout")

    stop_early = args.first_token_only or not timed

    if timed:
        out["python_s"] = Run([py, "-c", "pass"], env).finish(timeout, "python").exit_s
        r = Run([py, "-c", "import qa.cli"], env).finish(timeout, "import")
        r.check()
        out["import_s"] = r.exit_s
    r = Run([*ts, "search", args.question], env).finish(timeout, "search")
    r.check()
    out["search_s"] = r.exit_s

    stop = got_text if stop_early else None
    r = Run([*ts, *ask_args[2:]], env, stop_on=stop).finish(timeout, "twosource ask")
    r.check(ok_codes=(0, 10))
    out["evidence_s"] = r.time_after("stderr", EVIDENCE_LINE)
    out["first_text_s"], out["first_text"] = first_answer_text(r)
    stdout_at = r.chunks["stdout"][0][0] if r.chunks["stdout"] else None
    if not r.killed:
        out["ask_exit_s"] = r.exit_s
        out["ask_peak_rss_mb"] = r.peak_rss_mb
        out["ask_stdout_s"] = stdout_at
        out["ask_status"] = "abstained" if r.proc.returncode == 10 else "answered"

    if timed:
        r = Run([py, "-c", PROBE, *ask_args], env, stop_on=got_text, probe=True)
        r.finish(timeout, "twosource ask, instrumented")
        r.check(ok_codes=(0, 10))
        out["probe_first_delta_s"] = r.chunks["probe"][0][0] if r.chunks["probe"] else None
        out["probe_first_text_s"] = first_answer_text(r)[0]

    if args.no_langchain:
        return out
    lc = [
        py,
        __file__,
        "--langchain-ask",
        str(paths["lc_index"]),
        "--embedder",
        str(paths["embedder"]),
        "--gguf",
        str(paths["gguf"]),
        "--question",
        args.question,
        "--langchain-n-batch",
        str(args.langchain_n_batch),
    ]
    stop = got_lc_token if stop_early else None
    r = Run(lc, env, stop_on=stop).finish(timeout, "langchain")
    r.check()
    out["lc_retrieved_s"] = r.time_after("stdout", LC_RETRIEVED)
    out["lc_first_token_s"] = r.time_after("stdout", LC_FIRST)
    if not r.killed:
        out["lc_exit_s"] = r.exit_s
        out["lc_peak_rss_mb"] = r.peak_rss_mb
    return out


def median(rounds: list[dict], key: str) -> float | None:
    values = [r[key] for r in rounds if r.get(key) is not None]
    return statistics.median(values) if values else None


def print_table(rounds: list[dict], args: argparse.Namespace, paths: dict) -> None:
    keys = {key for r in rounds for key, value in r.items() if not isinstance(value, str)}
    m = {key: median(rounds, key) for key in keys}
    print(
        f"Cold-start benchmark: `twosource ask` vs stock LangChain, fresh processes, warm file "
        f"cache, model {Path(paths['gguf']).name}, {os.cpu_count()} cores, "
        f"median of {len(rounds)} (seconds from spawn); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"Question: {args.question!r}")
    print()
    print("| phase | TwoSource | LangChain | TS / LC |")
    print("|---|---:|---:|---:|")

    def row(label: str, ts_key: str | None, lc_key: str | None, digits: int = 2) -> None:
        a = m.get(ts_key) if ts_key else None
        b = m.get(lc_key) if lc_key else None
        cell = lambda v: "—" if v is None else f"{v:,.{digits}f}"  # noqa: E731
        ratio = f"{a / b:.2f}" if a is not None and b else "—"
        print(f"| {label} | {cell(a)} | {cell(b)} | {ratio} |")

    row("`python -c pass` (interpreter)", "python_s", None)
    row("`python -c 'import qa.cli'`", "import_s", None)
    row("`twosource search` (no LLM), exit", "search_s", None)
    row("ask: evidence shown / LC: retrieved (LLM loaded)", "evidence_s", "lc_retrieved_s")
    row("ask, instrumented run: first LLM token", "probe_first_delta_s", "lc_first_token_s")
    row("ask, instrumented run: first answer text", "probe_first_text_s", None)
    row("**ask: first answer text on screen**", "first_text_s", "lc_first_token_s")
    row("ask: checked answer printed (stdout)", "ask_stdout_s", None)
    row("ask: process exit", "ask_exit_s", "lc_exit_s")
    row("ask: peak RSS MB", "ask_peak_rss_mb", "lc_peak_rss_mb", 0)
    print()
    print("- ratios below 1: TwoSource takes less time / memory than LangChain")
    samples = {r.get("first_text", "") for r in rounds}
    print(f"- first answer text seen: {sorted(samples)}")
    statuses = [r["ask_status"] for r in rounds if "ask_status" in r]
    if statuses:
        print(f"- twosource ask outcome: {', '.join(statuses)}")
    print(
        "- LangChain's first token is its first raw chunk (no JSON, no checking); "
        f"n_batch {args.langchain_n_batch or '8 (stock default)'}"
    )


def setup(args: argparse.Namespace, root: Path, env: dict) -> dict:
    from index.embed import resolve_embedder_path
    from index.settings import load_settings
    from qa.models import resolve_llm

    seed = Path(args.seed_dir)
    twosource = Path(sys.executable).with_name("twosource")
    if not twosource.is_file():
        raise SystemExit(f"{twosource} not found — install the project into this venv")
    with tempfile.TemporaryDirectory() as empty:
        gguf = resolve_llm(load_settings(Path(empty), llm={"model": args.model}), progress=True)
    paths = {
        "twosource": twosource,
        "ts_data": root / "ts-data",
        "lc_index": root / "lc-index",
        "embedder": resolve_embedder_path("default")[1],
        "gguf": gguf,
    }
    print("setup: ingesting the seed articles (TwoSource, LangChain) …", file=sys.stderr)
    subprocess.run(
        [str(twosource), "--data", str(paths["ts_data"]), "ingest", str(seed), "-q"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if args.no_langchain:
        return paths
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--build-langchain-index",
            str(paths["lc_index"]),
            "--seed-dir",
            str(seed),
            "--embedder",
            str(paths["embedder"]),
        ],
        env=env,
        check=True,
    )
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default="default", help="'default', 'smollm2' or a .gguf path")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--seed-dir", default=str(REPO.parent / "shared/corpus/seed-articles"))
    parser.add_argument(
        "--first-token-only",
        action="store_true",
        help="stop each ask at its first answer text (faster; no exit time or peak RSS)",
    )
    parser.add_argument(
        "--langchain-n-batch", type=int, default=0, help="LlamaCpp n_batch (0: stock default)"
    )
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed first round")
    parser.add_argument(
        "--no-langchain", action="store_true", help="measure TwoSource only (no stock chain)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    parser.add_argument("--json", action="store_true", help="print the raw rounds as JSON")
    parser.add_argument("--build-langchain-index", help=argparse.SUPPRESS)
    parser.add_argument("--langchain-ask", help=argparse.SUPPRESS)
    parser.add_argument("--embedder", help=argparse.SUPPRESS)
    parser.add_argument("--gguf", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.build_langchain_index:
        build_langchain_index(Path(args.seed_dir), Path(args.build_langchain_index), args.embedder)
        return
    if args.langchain_ask:
        langchain_ask(
            Path(args.langchain_ask),
            args.embedder,
            args.gguf,
            args.question,
            args.langchain_n_batch,
        )
        return

    env = child_env()
    root = Path(tempfile.mkdtemp(prefix="bench-coldstart-"))
    try:
        paths = setup(args, root, env)
        if not args.no_warmup:
            print("warm-up round (not timed) …", file=sys.stderr)
            measure(args, paths, env, timed=False)
        rounds = []
        for i in range(args.repeat):
            print(f"round {i + 1}/{args.repeat} …", file=sys.stderr)
            rounds.append(measure(args, paths, env))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(rounds, indent=2, default=str))
    else:
        print_table(rounds, args, paths)


if __name__ == "__main__":
    main()
