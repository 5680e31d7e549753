"""Embedding benchmark: chunks/s of each embedding runtime against stock sentence-transformers.

The corpus is built at run time from the web pages of WiCE (../shared/eval/wice, news and
other pages cited by Wikipedia) cut by the product's own chunker (900/150 characters), so the
chunks have realistic lengths. Never written into the project.

Baseline (same run, same process, same threads): ``SentenceTransformer.encode`` over the
chunks in their natural order, batch 32 — what a stock pipeline such as LangChain's
``HuggingFaceEmbeddings`` does. Variants: the same model sorted by length (less padding),
ONNX Runtime fp32 and ONNX Runtime int8 (both through :func:`index.embed.embed_texts`). Each
variant also reports its agreement with the baseline vectors (cosine, min and mean).

    .venv/bin/python bench/embed.py [--chunks 800] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from index.chunking import split_text  # noqa: E402
from index.embed import (  # noqa: E402
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    embed_texts,
)


def wice_chunks(eval_dir: Path, limit: int) -> list[str]:
    pages: dict[str, None] = {}
    for line in (eval_dir / "wice" / "claim_dev.jsonl").read_text().splitlines():
        sentences = json.loads(line)["evidence"]
        body = " ".join(s for s in sentences if not s.startswith("(meta data)"))
        pages.setdefault(body, None)
    chunks: list[str] = []
    for page in pages:
        chunks += [page[s.start : s.end] for s in split_text(page, 900, 150)]
        if len(chunks) >= limit:
            break
    return chunks[:limit]


def timed(fn, texts: list[str]) -> tuple[np.ndarray, float]:
    fn(texts[:8])  # warm-up: first-call allocations are not the steady state
    t0 = time.perf_counter()
    vectors = fn(texts)
    return vectors, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chunks", type=int, default=800)
    ap.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    texts = wice_chunks(args.eval_dir, args.chunks)
    chars = sum(map(len, texts))
    print(f"{len(texts)} chunks, mean {chars / len(texts):.0f} chars, {args.threads} threads")
    cache = Path(tempfile.mkdtemp(prefix="bench-embed-"))
    st = SentenceTransformerEmbedder("default", threads=args.threads)
    onnx32 = OnnxEmbedder("default", args.threads, precision="fp32", cache_dir=cache)
    onnx8 = OnnxEmbedder("default", args.threads, precision="int8", cache_dir=cache)

    def stock(batch: list[str]) -> np.ndarray:
        return st._model.encode(batch, batch_size=32, normalize_embeddings=True)

    base, base_s = timed(stock, texts)
    rows = [{"variant": "sentence-transformers, input order (baseline)", "s": base_s}]
    for name, emb in (
        ("sentence-transformers, length-sorted", st),
        ("ONNX Runtime fp32, length-sorted", onnx32),
        ("ONNX Runtime int8, length-sorted (default)", onnx8),
    ):
        vectors, secs = timed(lambda batch, e=emb: embed_texts(e, batch, 32), texts)
        cos = (vectors * base).sum(axis=1)
        rows.append({"variant": name, "s": secs, "cos_min": cos.min(), "cos_mean": cos.mean()})
    for row in rows:
        row["chunks_per_s"] = len(texts) / row["s"]
        row["speedup"] = base_s / row["s"]
    if args.json:
        print(json.dumps(rows, default=float, indent=1))
        return
    print("| variant | chunks/s | × baseline | cosine to baseline (min / mean) |")
    print("|---|---|---|---|")
    for row in rows:
        agree = f"{row['cos_min']:.4f} / {row['cos_mean']:.4f}" if "cos_min" in row else "—"
        print(f"| {row['variant']} | {row['chunks_per_s']:.1f} | {row['speedup']:.2f} | {agree} |")


if __name__ == "__main__":
    main()
