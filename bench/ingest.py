"""Ingest benchmark: TwoSource's ingest vs the stock LangChain pipeline, same embedder.

Corpus, built at run time in a temporary folder (never in the project): the five seed articles
plus web pages from WiCE (../shared/eval/wice/*.jsonl; each line's "evidence" is the sentence
list of one web page, turned into a .txt article: title line, sentences joined into paragraphs,
headings and short lines on their own; identical pages once), ``--docs`` articles in all.

Pipelines, each in its own subprocess so peak RSS (``os.wait4`` rusage of the child) is its own:

- ``twosource``: ``index.ingest.ingest([corpus], load_settings(data_dir))`` with default
  settings (``TWOSOURCE_*`` variables of the calling shell are removed for it);
- extra TwoSource variants given as environment overrides, e.g.
  ``--variant torch:TWOSOURCE_EMBEDDING__RUNTIME=torch,TWOSOURCE_EMBEDDING__PRECISION=fp32``
  (passed through as they are; a variant the product rejects is reported as failed);
- ``langchain`` (baseline): ``TextLoader`` per file → ``RecursiveCharacterTextSplitter(900,
  150)`` → ``HuggingFaceEmbeddings`` on the same local model folder (CPU, normalised) →
  ``FAISS.from_documents`` → ``save_local``.

Times are wall seconds of the whole child process (interpreter start, imports, model loading,
reading, chunking, embedding, writing the index) measured by the parent, so docs/s and chunks/s
are what a user waits for. Each TwoSource pipeline then ingests the same folder again into the
same data directory: nothing changed, so this should be near-instant and add nothing
(idempotent). Before timing, each pipeline runs once on three articles (not timed; fills the
ONNX export cache and the OS file cache — the one-time cost is printed); ``--no-warmup`` skips
that.

    .venv/bin/python bench/ingest.py [--docs 150] [--variant NAME:VAR=VALUE[,VAR=VALUE…]]…
        [--no-langchain] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
LANGCHAIN = "langchain"
TWOSOURCE = "twosource"


# -- corpus --------------------------------------------------------------------------------------
def page_to_article(evidence: list[str]) -> str:
    """One WiCE page (its sentence list) as a plain-text article."""
    meta: dict[str, str] = {}
    paragraphs: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            paragraphs.append(" ".join(para))
            para.clear()

    for raw in evidence:
        line = " ".join(raw.split())
        if not line:
            continue
        if line.startswith("(meta data) "):
            key, _, value = line[len("(meta data) ") :].partition(":")
            meta[key.strip()] = value.strip()
        elif line.startswith("#"):
            flush()
            paragraphs.append(line.lstrip("#").strip())
        elif line[-1] in '.!?"”’)':  # a sentence: joined into paragraphs of up to five
            para.append(line)
            if len(para) >= 5:
                flush()
        else:  # menu entries, captions, bylines: a line of their own
            flush()
            paragraphs.append(line)
    flush()
    title = meta.get("TITLE", "")
    return "\n\n".join([title, *paragraphs] if title else paragraphs) + "\n"


def wice_articles(wice_dir: Path) -> list[str]:
    articles: dict[str, str] = {}
    for path in sorted(wice_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    text = page_to_article(json.loads(line)["evidence"])
                    articles.setdefault(hashlib.sha256(text.encode()).hexdigest(), text)
    return list(articles.values())


def build_corpus(target: Path, n_docs: int, seed_dir: Path, wice_dir: Path) -> list[Path]:
    target.mkdir(parents=True)
    files = []
    for path in sorted(seed_dir.glob("*.txt"))[:n_docs]:
        files.append(target / f"seed_{path.name}")
        shutil.copyfile(path, files[-1])
    pages = wice_articles(wice_dir)
    wanted = n_docs - len(files)
    if wanted > len(pages):
        print(f"note: WiCE has {len(pages)} distinct pages; using all of them", file=sys.stderr)
    for i, text in enumerate(pages[: max(0, wanted)]):
        files.append(target / f"wice_{i:04d}.txt")
        files[-1].write_text(text, encoding="utf-8")
    return files


# -- children ------------------------------------------------------------------------------------
def run_twosource(corpus: Path, data_dir: Path) -> dict:
    from index.ingest import ingest
    from index.settings import load_settings
    from index.store import current_generation, read_manifest

    settings = load_settings(data_dir)
    report = ingest([corpus], settings)
    manifest = read_manifest(current_generation(data_dir))
    return {
        "docs_in": len(list(corpus.glob("*.txt"))),
        "added": len(report.added),
        "unchanged": len(report.unchanged),
        "duplicates": len(report.duplicates),
        "problems": [f"{p.path}: {p.reason}" for p in report.problems],
        "chunks_added": report.n_chunks_added,
        "chunks": manifest["counts"]["chunks"],
        "documents": manifest["counts"]["documents"],
        "generation": manifest["generation"],
        "faiss": manifest.get("faiss"),
        "embedder": manifest.get("embedder"),
        "runtime": settings.embedding.runtime if hasattr(settings.embedding, "runtime") else "",
    }


def run_langchain(corpus: Path, data_dir: Path) -> dict:
    from index.embed import hub_offline, resolve_embedder_path

    hub_offline()
    from langchain_community.document_loaders import TextLoader
    from langchain_community.vectorstores import FAISS
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    _, model_dir = resolve_embedder_path("default")
    files = sorted(corpus.glob("*.txt"))
    docs = []
    for path in files:
        docs += TextLoader(str(path), encoding="utf-8").load()
    splitter = RecursiveCharacterTextSplitter(chunk_size=900, chunk_overlap=150)
    chunks = splitter.split_documents(docs)
    embeddings = HuggingFaceEmbeddings(
        model_name=str(model_dir),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
    store = FAISS.from_documents(chunks, embeddings)
    store.save_local(str(data_dir))
    return {
        "docs_in": len(files),
        "added": len(docs),
        "chunks_added": len(chunks),
        "chunks": int(store.index.ntotal),
        "documents": len(docs),
    }


# -- parent --------------------------------------------------------------------------------------
def child_env(overrides: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWOSOURCE_")}
    env.update(overrides)
    return env


def spawn(pipeline: str, corpus: Path, data_dir: Path, env: dict[str, str]) -> dict:
    """Run one pipeline in a child; wall time and peak RSS come from the parent's side."""
    with tempfile.TemporaryDirectory(prefix="bench-ingest-out-") as tmp:
        out, err = Path(tmp) / "result.json", Path(tmp) / "stderr.txt"
        cmd = [sys.executable, __file__, "--pipeline", pipeline, "--corpus", str(corpus)]
        cmd += ["--data-dir", str(data_dir), "--out", str(out)]
        with err.open("wb") as err_fh:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err_fh)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        result = {
            "ok": proc.returncode == 0,
            "total_s": wall,
            "peak_rss_mb": usage.ru_maxrss / 1024,
        }
        if proc.returncode == 0 and out.is_file():
            result.update(json.loads(out.read_text()))
        else:
            lines = err.read_text(errors="replace").strip().splitlines()
            result["ok"] = False
            result["error"] = lines[-1] if lines else f"exit code {proc.returncode}"
        return result


def parse_variant(spec: str) -> tuple[str, dict[str, str]]:
    name, sep, assignments = spec.partition(":")
    env: dict[str, str] = {}
    for item in assignments.split(",") if sep else []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise argparse.ArgumentTypeError(f"--variant {spec!r}: expected NAME:VAR=VALUE[,…]")
        env[key.strip()] = value
    if not name or name in (TWOSOURCE, LANGCHAIN) or not env:
        raise argparse.ArgumentTypeError(
            f"--variant {spec!r}: expected NAME:VAR=VALUE[,…] with a new NAME"
        )
    return name, env


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def print_table(results: dict[str, dict], reingest: dict[str, dict], corpus: dict) -> None:
    names = list(results)
    ts_names = [n for n in names if n != LANGCHAIN]
    has_lc = LANGCHAIN in results and results[LANGCHAIN]["ok"]
    print(
        f"Ingest benchmark: {corpus['docs']} articles ({corpus['mb']:.2f} MB: "
        f"{corpus['seed']} seed + {corpus['wice']} WiCE pages), {os.cpu_count()} cores. "
        "Times are whole-process wall seconds; ratios are pipeline / LangChain "
        "(above 1 is better for docs/s and chunks/s, below 1 for seconds and MB)."
    )
    print()
    ratio_heads = [f"{n} / LC" for n in ts_names] if has_lc else []
    heads = ["metric", *names, *ratio_heads]
    print("| " + " | ".join(heads) + " |")
    print("|---|" + "---:|" * (len(heads) - 1))

    def row(label: str, values: dict[str, object], key: str | None = None) -> None:
        cells = [fmt(values.get(n)) for n in names]
        ratios = []
        if has_lc:
            base = values.get(LANGCHAIN)
            for n in ts_names:
                v = values.get(n)
                ok = isinstance(v, int | float) and isinstance(base, int | float) and base
                ratios.append(f"{v / base:.2f}" if ok and key else "—")
        print("| " + " | ".join([label, *cells, *ratios]) + " |")

    def get(key: str) -> dict[str, object]:
        return {n: r.get(key) for n, r in results.items() if r["ok"]}

    def rate(key: str) -> dict[str, object]:
        return {n: r[key] / r["total_s"] for n, r in results.items() if r["ok"]}

    row("documents in", get("docs_in"))
    row("documents indexed", get("documents"))
    row("chunks", get("chunks"), "ratio")
    row("total s", get("total_s"), "ratio")
    row("documents/s", rate("docs_in"), "ratio")
    row("chunks/s", rate("chunks"), "ratio")
    row("peak RSS MB", get("peak_rss_mb"), "ratio")
    again = {n: r for n, r in reingest.items() if r["ok"]}
    row("re-ingest s", {n: r["total_s"] for n, r in again.items()})
    row("re-ingest peak RSS MB", {n: r["peak_rss_mb"] for n, r in again.items()})
    row("re-ingest chunks added", {n: r["chunks_added"] for n, r in again.items()})
    print()
    for name, res in results.items():
        if not res["ok"]:
            print(f"- {name}: FAILED after {res['total_s']:.1f} s — {res['error']}")
            continue
        if name == LANGCHAIN:
            print(f"- {name}: re-running it re-embeds everything (no incremental ingest)")
            continue
        emb = res.get("embedder") or {}
        notes = [
            f"embedder {emb.get('name')} {emb.get('precision', '')}".rstrip(),
            f"FAISS {res.get('faiss')}",
            f"{res['duplicates']} near-duplicates",
        ]
        if res["problems"]:
            notes.append(f"{len(res['problems'])} files not ingested: {res['problems'][:3]}")
        again = reingest.get(name)
        if again is not None and again["ok"]:
            same = again["generation"] == res["generation"] and again["chunks"] == res["chunks"]
            notes.append(
                f"re-ingest idempotent (same generation and chunks, {again['unchanged']} unchanged)"
                if same and again["chunks_added"] == 0
                else f"re-ingest NOT idempotent: {again}"
            )
        elif again is not None:
            notes.append(f"re-ingest FAILED — {again['error']}")
        print(f"- {name}: " + "; ".join(notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=150, help="articles in the corpus")
    parser.add_argument("--seed-dir", default=str(SHARED / "corpus" / "seed-articles"))
    parser.add_argument("--wice-dir", default=str(SHARED / "eval" / "wice"))
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        type=parse_variant,
        metavar="NAME:VAR=VALUE[,VAR=VALUE…]",
        help="an extra TwoSource run with these environment variables (repeatable)",
    )
    parser.add_argument("--no-langchain", action="store_true", help="skip the baseline")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    parser.add_argument("--pipeline", choices=[TWOSOURCE, LANGCHAIN], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.pipeline:
        runner = run_twosource if args.pipeline == TWOSOURCE else run_langchain
        result = runner(Path(args.corpus), Path(args.data_dir))
        Path(args.out).write_text(json.dumps(result))
        return

    dropped = sorted(k for k in os.environ if k.startswith("TWOSOURCE_"))
    if dropped:
        print(f"note: not passed to the children: {', '.join(dropped)}", file=sys.stderr)
    pipelines: list[tuple[str, str, dict[str, str]]] = [(TWOSOURCE, TWOSOURCE, {})]
    pipelines += [(name, TWOSOURCE, env) for name, env in args.variant]
    if len({name for name, _, _ in pipelines}) != len(pipelines):
        parser.error("variant names must be distinct")
    if not args.no_langchain:
        pipelines.append((LANGCHAIN, LANGCHAIN, {}))

    root = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        files = build_corpus(root / "corpus", args.docs, Path(args.seed_dir), Path(args.wice_dir))
        n_seed = sum(f.name.startswith("seed_") for f in files)
        corpus = {
            "docs": len(files),
            "seed": n_seed,
            "wice": len(files) - n_seed,
            "mb": sum(f.stat().st_size for f in files) / 1e6,
        }
        print(
            f"corpus: {corpus['docs']} articles, {corpus['mb']:.2f} MB in {root / 'corpus'}",
            file=sys.stderr,
        )
        if not args.no_warmup:
            mini = root / "warmup-corpus"
            mini.mkdir()
            for f in files[:3]:
                shutil.copyfile(f, mini / f.name)
            for name, kind, env in pipelines:
                res = spawn(kind, mini, root / f"warmup-{name}", child_env(env))
                status = "ok" if res["ok"] else f"failed — {res['error']}"
                print(f"warm-up {name}: {res['total_s']:.1f} s, {status}", file=sys.stderr)
        results: dict[str, dict] = {}
        reingest: dict[str, dict] = {}
        for name, kind, env in pipelines:
            print(f"running {name} …", file=sys.stderr)
            data_dir = root / f"data-{name}"
            results[name] = spawn(kind, root / "corpus", data_dir, child_env(env))
            if kind == TWOSOURCE and results[name]["ok"]:
                print(f"re-ingesting {name} …", file=sys.stderr)
                reingest[name] = spawn(kind, root / "corpus", data_dir, child_env(env))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps({"corpus": corpus, "runs": results, "reingest": reingest}, indent=2))
    else:
        print_table(results, reingest, corpus)


if __name__ == "__main__":
    main()
