"""Answer benchmark: TwoSource vs a stock LangChain RetrievalQA-style chain, same LLM and embedder.

Each pipeline runs in its own subprocess (so peak RSS is its own) over the five seed articles and
ten questions, and reports retrieval ms, time to first token, time to the first answer text
(TwoSource streams the answer's sentences out of the model's JSON as they are written), full
answer time, decoding tokens/s, peak RSS and, for TwoSource, prompt tokens per answer and how
many of them llama.cpp evaluated (the rest came from the KV cache). The parent prints both and
the ratios. TwoSource also runs a third time with prompt-lookup decoding
(``llm.prompt_lookup = --lookup``, 10; off by default), so decoding speed with and without it
comes from the same run (``--lookup 0`` skips that run).

    .venv/bin/python bench/answer.py [--seed-dir ../shared/corpus/seed-articles] [--model smollm2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTIONS = [
    "Does Russia need to mobilize five million people to win the war?",
    "Why is Putin avoiding a new mobilization wave?",
    "What did Andriy Chernyak say about Russia's mobilization?",
    "Why is mobilization in the occupied territories risky for Russia, according to Kovalenko?",
    "How much has the war cost Russia's budget according to Forbes?",
    "What did the mobilized personnel from Serpukhov complain about?",
    "How many settlements did Ukrainian forces retake in the Kharkiv region?",
    "What did Boris Nadezhdin say about Putin's special operation?",
    "How many POWs were exchanged on November 24?",
    "What did the Wall Street Journal report about Putin and mobilization?",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_twosource(seed: Path, model: str, lookup: int | None = None) -> dict:
    from index.ingest import ingest
    from index.settings import load_settings
    from qa.api import Assistant

    data = Path(tempfile.mkdtemp(prefix="bench-ts-"))
    llm = {"model": model} | ({"prompt_lookup": lookup} if lookup is not None else {})
    settings = load_settings(data, llm=llm)
    ingest([seed], settings)
    assistant = Assistant(settings=settings)
    assistant.ask(QUESTIONS[0])  # warm-up: model load, BM25 build (not timed)
    rows = []
    for q in QUESTIONS:
        t0 = time.perf_counter()
        first_text, answer = None, None
        for event in assistant.stream(q):
            if event.kind == "token" and first_text is None and event.text.strip():
                first_text = time.perf_counter() - t0
            elif event.kind == "answer":
                answer = event.answer
        total = time.perf_counter() - t0
        t = answer.timings
        usage = getattr(assistant.engine.generator, "last_usage", None) or {}
        rows.append(
            {
                "prompt_tokens": usage.get("prompt_tokens", 0),
                "prompt_evaluated": usage.get("prompt_tokens_evaluated", 0),
                "generated_tokens": t.get("tokens", 0.0),
                "retrieval_ms": 1000 * t.get("retrieval_s", 0.0),
                "ttft_s": t.get("first_token_s", total),
                "first_text_s": first_text if first_text is not None else total,
                "total_s": total,
                "tokens_per_s": t.get("tokens_per_s", 0.0),
                # checking the drafted sentences against their passages, then the archive
                "check_s": t.get("verification_s", 0.0) + t.get("corroboration_s", 0.0),
                "status": answer.status + ("/extractive" if answer.extractive else ""),
                "cited": len(answer.citations()),
            }
        )
    return {"rows": rows, "peak_rss_mb": peak_rss_mb()}


def run_langchain(seed: Path, model: str) -> dict:
    from index.embed import hub_offline, resolve_embedder_path
    from index.settings import load_settings
    from qa.models import resolve_llm

    hub_offline()
    from langchain_community.document_loaders import TextLoader
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    gguf = resolve_llm(load_settings(tempfile.mkdtemp(), llm={"model": model}))
    _, emb_path = resolve_embedder_path("default")
    embeddings = HuggingFaceEmbeddings(model_name=str(emb_path), model_kwargs={"device": "cpu"})
    docs = []
    for path in sorted(seed.glob("*.txt")):
        docs += TextLoader(str(path), encoding="utf-8").load()
    chunks = RecursiveCharacterTextSplitter(chunk_size=900, chunk_overlap=150).split_documents(docs)
    store = FAISS.from_documents(chunks, embeddings)
    retriever = store.as_retriever(search_kwargs={"k": 4})
    from bench.stock_chain import stock_llm, stuff_prompt

    llm = stock_llm(gguf, None)
    prompt = stuff_prompt()

    def ask(q: str) -> tuple[float, float, float, int]:
        t0 = time.perf_counter()
        found = retriever.invoke(q)
        t_ret = time.perf_counter() - t0
        text = prompt.format(context="\n\n".join(d.page_content for d in found), question=q)
        first, n = None, 0
        for _ in llm.stream(text):
            if first is None:
                first = time.perf_counter() - t0
            n += 1
        total = time.perf_counter() - t0
        return t_ret, first or total, total, n

    ask(QUESTIONS[0])  # warm-up
    rows = []
    for q in QUESTIONS:
        t_ret, ttft, total, n = ask(q)
        gen = total - ttft  # decoding time after the first token
        rows.append(
            {
                "retrieval_ms": 1000 * t_ret,
                "ttft_s": ttft,
                "first_text_s": ttft,  # the stock chain streams plain text
                "total_s": total,
                "tokens_per_s": ((n - 1) / gen) if gen > 0 and n > 1 else 0.0,
                "status": "answered (unchecked)",
                "cited": 0,
            }
        )
    return {"rows": rows, "peak_rss_mb": peak_rss_mb()}


def summarise(result: dict) -> dict:
    rows = result["rows"]
    med = lambda key: statistics.median(r[key] for r in rows)  # noqa: E731
    return {
        "retrieval_ms": med("retrieval_ms"),
        "ttft_s": med("ttft_s"),
        "first_text_s": med("first_text_s"),
        "total_s": med("total_s"),
        "tokens_per_s": med("tokens_per_s"),
        "check_s": med("check_s") if "check_s" in rows[0] else 0.0,
        "prompt_tokens": med("prompt_tokens") if "prompt_tokens" in rows[0] else 0.0,
        "prompt_evaluated": med("prompt_evaluated") if "prompt_evaluated" in rows[0] else 0.0,
        "generated_tokens": med("generated_tokens") if "generated_tokens" in rows[0] else 0.0,
        "peak_rss_mb": result["peak_rss_mb"],
        "answered": sum(r["status"].startswith("answered") for r in rows),
        "with_citations": sum(r["cited"] > 0 for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-dir", default=str(REPO.parent / "shared/corpus/seed-articles"))
    parser.add_argument("--model", default="default", help="'default', 'smollm2' or a .gguf path")
    parser.add_argument(
        "--lookup",
        type=int,
        default=10,
        help="drafted tokens for the run with prompt-lookup decoding (0 = no such run)",
    )
    parser.add_argument(
        "--pipeline", choices=["twosource", "twosource-lookup", "langchain"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    seed = Path(args.seed_dir)
    if args.pipeline:
        if args.pipeline == "langchain":
            result = run_langchain(seed, args.model)
        else:
            lookup = args.lookup if args.pipeline == "twosource-lookup" else None
            result = run_twosource(seed, args.model, lookup)
        print(json.dumps(result))
        return
    results = {}
    names = ["twosource", "langchain"] + (["twosource-lookup"] if args.lookup else [])
    for name in names:
        print(f"running {name} …", file=sys.stderr)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--pipeline",
                name,
                "--seed-dir",
                str(seed),
                "--model",
                args.model,
                "--lookup",
                str(args.lookup),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = summarise(json.loads(out.stdout.strip().splitlines()[-1]))
    ts, lc = results["twosource"], results["langchain"]
    plain = results.get("twosource-lookup")
    print(
        f"Answer benchmark: {len(QUESTIONS)} questions on the seed articles, model={args.model}, "
        f"{os.cpu_count()} cores (medians); load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'metric':22} {'TwoSource':>12} {'LangChain':>12} {'ratio TS/LC':>12}", end="")
    print(f" {f'TS lookup {args.lookup}':>13}" if plain else "")
    for key, label in [
        ("retrieval_ms", "retrieval ms"),
        ("ttft_s", "first token s"),
        ("first_text_s", "first answer text s"),
        ("total_s", "full answer s"),
        ("tokens_per_s", "decoding tokens/s"),
        ("check_s", "verify+corroborate s"),
        ("prompt_tokens", "prompt tokens"),
        ("prompt_evaluated", "  of them evaluated"),
        ("generated_tokens", "generated tokens"),
        ("peak_rss_mb", "peak RSS MB"),
        ("answered", "answered"),
        ("with_citations", "with citations"),
    ]:
        a, b = ts[key], lc[key]
        ratio = f"{a / b:.2f}" if b else "—"
        print(f"{label:22} {a:12.1f} {b:12.1f} {ratio:>12}", end="")
        print(f" {plain[key]:13.1f}" if plain else "")


if __name__ == "__main__":
    main()
