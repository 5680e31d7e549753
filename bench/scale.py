"""Scale benchmark: FAISS and Milvus: search latency, memory, recall, ingest rate at 10k–1M chunks.

Synthetic, clustered float32 vectors (dim 384 like all-MiniLM-L6-v2, L2-normalised, fixed
seed): 64 topics × 32 subtopics with uneven sizes, so neighbours are structured the way text
embeddings are (nearest cosines ~0.5-0.7), not uniform noise. Queries are fresh draws from the
same mixture, never in the index. A size's data is a prefix of the next size's data.

Indexes, all wrapped in ``IndexIDMap2`` as the product stores them:

- ``exact``: ``IndexFlatIP``, the baseline (and the ground truth for recall@k);
- ``ivf-sq8``: the product's approximate index (8-bit ``IndexIVFScalarQuantizer``,
  nlist ≈ 4·√n, trained on nlist·64 vectors, ``index.nprobe`` lists searched);
- ``hnsw``: ``IndexHNSWFlat`` (M=32, efConstruction 40), a comparison the product does not
  use; built only up to ``--hnsw-max`` vectors because its build is slow on few cores.

``exact`` and ``ivf-sq8`` are built by the product's own code (``IndexWriter._rebuild_faiss``
in index/store.py, fed by a stand-in for its SQLite cursor), so the benchmark measures the real
nlist, training sample and nprobe; which of the two the product picks at a size follows
``index.exact_max_vectors`` (marked "← product"). Each size is built in its own subprocess,
and each index is then loaded and queried in a fresh subprocess (as ``StoreReader`` does, by
``faiss.read_index``), which gives: load time, resident memory of the loaded index (RSS after
minus before loading), file size (= ``faiss.serialize_index`` size), single-query latency
p50/p95 (k=10, one query per call, after a warm-up) and recall@k against ``exact``.

Latency is measured with 1 FAISS thread and with 2 (the product sets none, so FAISS uses one
OpenMP thread per core): a single query gains little from a second thread, and when another
process keeps a core busy the OpenMP hand-off costs milliseconds per call, so compare the
1-thread columns across machines. Building uses ``--threads`` (2).

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--queries 200] [--k 10]
        [--nprobes 16,64] [--hnsw-max 100000] [--threads 2] [--query-threads 1,2]
        [--stores faiss,milvus] [--store-max 100000] [--chunks-per-doc 10]
        [--workdir /tmp] [--json]

Store backends through the product's own writer and reader (``--stores faiss,milvus``, up to
``--store-max`` chunks): synthetic documents of ``--chunks-per-doc`` chunks (the same vectors,
short synthetic texts) are written with ``open_writer`` (``IndexWriter`` / ``MilvusWriter``,
one commit) and searched with ``open_reader`` (``StoreReader.search_vector`` /
``MilvusStore.search_vector``, which also checks that each hit's document is published):
ingest rate (chunks/s, commit included), p50/p95 single-query latency (k=10) and recall@k
against the exact FAISS index. Milvus runs as Milvus Lite (a local file; Milvus Lite 3 serves
in-process, Python over FAISS, so its memory is in the peak RSS; AUTOINDEX is HNSW there).

The 1M run needs ~5 GB of RAM (the product builder joins all vectors into one buffer) and ~2 GB
of temporary disk (``--workdir``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DIM = 384
SEED = 20240607
TOPICS, SUBTOPICS = 64, 32
BLOCK = 50_000  # vectors are generated block by block, so every size is a prefix of the next


# -- data ----------------------------------------------------------------------------------------
def _normalise(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _noise(rng: np.random.Generator, n: int, scale: float) -> np.ndarray:
    # Per-dimension std scale/√d gives noise vectors of norm ≈ scale.
    return rng.standard_normal((n, DIM), dtype=np.float32) * np.float32(scale / np.sqrt(DIM))


def _mixture() -> tuple[np.ndarray, np.ndarray]:
    """Subtopic centres and their (uneven) probabilities."""
    rng = np.random.default_rng(SEED)
    topics = _normalise(rng.standard_normal((TOPICS, DIM), dtype=np.float32))
    subs = _normalise(np.repeat(topics, SUBTOPICS, axis=0) + _noise(rng, TOPICS * SUBTOPICS, 0.9))
    weights = rng.lognormal(0.0, 1.0, TOPICS * SUBTOPICS)
    return subs, weights / weights.sum()


def _draw(centres: np.ndarray, probs: np.ndarray, n: int, seed: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    which = rng.choice(len(centres), size=n, p=probs)
    return _normalise(centres[which] + _noise(rng, n, 0.9))


def make_vectors(n: int) -> np.ndarray:
    centres, probs = _mixture()
    out = np.empty((n, DIM), dtype=np.float32)
    for b, start in enumerate(range(0, n, BLOCK)):
        block = _draw(centres, probs, BLOCK, (SEED, 1, b))
        out[start : start + BLOCK] = block[: n - start]
    return out


def make_queries(n: int) -> np.ndarray:
    centres, probs = _mixture()
    return _draw(centres, probs, n, (SEED, 2))


# -- building with the product's code ------------------------------------------------------------
class _Rows:
    """What ``SELECT chunk_id, vector FROM chunks`` returns, without copying the vectors."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = vectors

    def __len__(self) -> int:
        return len(self.vectors)

    def __iter__(self):
        for i in range(len(self.vectors)):
            yield (i, memoryview(self.vectors[i]).cast("B"))


class _StubConn:
    def __init__(self, vectors: np.ndarray):
        self.rows = _Rows(vectors)

    def execute(self, sql: str, *args):
        if "FROM chunks" not in sql:
            raise RuntimeError(f"bench/scale.py: unexpected query from index/store.py: {sql}")
        return self

    def fetchall(self) -> _Rows:
        return self.rows


class _StubWriter:
    """Just enough of an ``IndexWriter`` for ``IndexWriter._rebuild_faiss``."""

    def __init__(self, vectors: np.ndarray, nprobe: int):
        self.conn = _StubConn(vectors)
        self.nprobe = nprobe


def product_index(vectors: np.ndarray, exact: bool, nprobe: int):
    from index.store import IndexWriter

    try:
        return IndexWriter._rebuild_faiss(
            _StubWriter(vectors, nprobe), vectors.shape[1], len(vectors), exact
        )
    except (AttributeError, TypeError) as exc:
        raise SystemExit(
            f"index/store.py no longer builds its FAISS index the way bench/scale.py expects "
            f"({exc}); update _StubWriter"
        ) from None


def hnsw_index(vectors: np.ndarray, m: int, ef_construction: int, ef_search: int):
    import faiss

    inner = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    inner.hnsw.efConstruction = ef_construction
    inner.hnsw.efSearch = ef_search
    index = faiss.IndexIDMap2(inner)
    index.add_with_ids(vectors, np.arange(len(vectors), dtype=np.int64))
    return index


def product_settings():
    """Default settings (plus any TWOSOURCE_* environment overrides), no data directory."""
    from index.settings import load_settings

    with tempfile.TemporaryDirectory() as empty:
        return load_settings(Path(empty))


def build_size(n: int, workdir: Path, args: argparse.Namespace) -> dict:
    """Child: generate n vectors, build every index, write them to ``workdir``."""
    import faiss

    faiss.omp_set_num_threads(args.threads)
    settings = product_settings()
    t0 = time.perf_counter()
    vectors = make_vectors(n)
    np.save(workdir / "queries.npy", make_queries(args.queries))
    out: dict = {"n": n, "generate_s": time.perf_counter() - t0, "indexes": {}}
    nprobe = settings.index.nprobe
    product_exact = n <= settings.index.exact_max_vectors  # as IndexWriter._build_faiss decides
    builds = [
        ("exact", lambda: product_index(vectors, True, nprobe), product_exact),
        ("ivf-sq8", lambda: product_index(vectors, False, nprobe), not product_exact),
    ]
    if n <= args.hnsw_max:
        builds.append(("hnsw", lambda: hnsw_index(vectors, args.hnsw_m, 40, args.ef_search), False))
    for name, build, chosen in builds:
        t0 = time.perf_counter()
        index = build()
        build_s = time.perf_counter() - t0
        info: dict = {"build_s": build_s, "product": chosen}
        ivf = _ivf(index)
        if ivf is not None:
            info["nlist"] = int(ivf.nlist)
            info["nprobe_built"] = int(ivf.nprobe)
        path = workdir / f"{name}.faiss"
        faiss.write_index(index, str(path))
        info["file_mb"] = path.stat().st_size / 1e6
        out["indexes"][name] = info
        del index
        print(f"  {n:>9,} {name:8} built in {build_s:6.1f} s", file=sys.stderr)
    out["nprobe_setting"] = settings.index.nprobe
    out["exact_max_vectors"] = settings.index.exact_max_vectors
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _ivf(index):
    import faiss

    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


# -- querying in a fresh process -----------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def query_index(path: Path, queries_path: Path, args: argparse.Namespace) -> dict:
    """Child: load one index like StoreReader, time single queries, save the ids found."""
    import faiss

    queries = np.load(queries_path)
    before = _rss_mb()
    t0 = time.perf_counter()
    index = faiss.read_index(str(path))
    load_s = time.perf_counter() - t0
    loaded_mb = _rss_mb() - before
    ivf = _ivf(index)
    nprobes = [int(p) for p in args.nprobes.split(",")] if ivf is not None else [0]
    runs = []
    for nprobe in nprobes:
        if ivf is not None:
            ivf.nprobe = nprobe
        run: dict = {"nprobe": nprobe, "latency": {}}
        for threads in [int(t) for t in args.query_threads.split(",")]:
            faiss.omp_set_num_threads(threads)
            for q in queries[: min(10, len(queries))]:  # warm-up
                index.search(q.reshape(1, -1), args.k)
            ids = np.full((len(queries), args.k), -1, dtype=np.int64)
            ms = np.empty(len(queries))
            for i, q in enumerate(queries):
                row = q.reshape(1, -1)
                t0 = time.perf_counter()
                _, found = index.search(row, args.k)
                ms[i] = 1000 * (time.perf_counter() - t0)
                ids[i] = found[0]
            run["latency"][str(threads)] = {
                "p50_ms": float(np.percentile(ms, 50)),
                "p95_ms": float(np.percentile(ms, 95)),
            }
        ids_path = path.with_name(f"{path.stem}.nprobe{nprobe}.ids.npy")
        np.save(ids_path, ids)
        run["ids"] = str(ids_path)
        runs.append(run)
    return {
        "load_s": load_s,
        "loaded_mb": loaded_mb,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "runs": runs,
    }


# -- the store backends, through the product's writer and reader ---------------------------------
def store_size(n: int, backend: str, workdir: Path, args: argparse.Namespace) -> dict:
    """Child: ingest n synthetic chunks into one backend, then time single searches."""
    import faiss

    from index.backend import open_reader, open_writer
    from index.records import Document, DocumentMeta
    from index.settings import load_settings

    faiss.omp_set_num_threads(int(args.query_threads.split(",")[0]))  # as the raw FAISS rows
    data = workdir / f"store-{backend}"
    settings = load_settings(data, index={"backend": backend})
    vectors = make_vectors(n)
    queries = np.load(workdir / "queries.npy")
    per = args.chunks_per_doc
    t0 = time.perf_counter()
    writer = open_writer(settings)
    for d, start in enumerate(range(0, n, per)):
        vecs = vectors[start : start + per]
        texts = [
            f"topic {(start + i) % 997} item {start + i} of document {d}" for i in range(len(vecs))
        ]
        spans, pos = [], 0
        for text in texts:
            spans.append((pos, pos + len(text), text))
            pos += len(text) + 1
        doc = Document(
            doc_id=f"{d:016x}",
            path=f"/synthetic/{d}.txt",
            format="txt",
            cleaned_text="\n".join(texts),
            meta=DocumentMeta(
                title=f"Document {d}",
                outlet=f"Outlet {d % 20}",
                published=f"2024-01-{d % 28 + 1:02d}",
            ),
            n_chunks=len(texts),
        )
        writer.add_document(doc, "utf-8", [], bytes(8), spans, vecs)
        writer.set_file(doc.path, doc.doc_id, f"{d:064x}", "", 1, 0.0)
    identity = {"name": "synthetic", "setting": "default", "fingerprint": "synthetic", "dim": DIM}
    writer.commit(identity, {"size": settings.chunking.size, "overlap": settings.chunking.overlap})
    ingest_s = time.perf_counter() - t0
    del vectors
    reader = open_reader(settings, verify=False)
    for q in queries[: min(10, len(queries))]:  # warm-up (FAISS loads its file here)
        reader.search_vector(q, args.k)
    ids = np.full((len(queries), args.k), -1, dtype=np.int64)
    ms = np.empty(len(queries))
    for i, q in enumerate(queries):
        t1 = time.perf_counter()
        found = reader.search_vector(q, args.k)
        ms[i] = 1000 * (time.perf_counter() - t1)
        ids[i, : len(found)] = [cid - 1 for cid, _ in found]  # chunk ids start at 1
    reader.close()
    ids_path = workdir / f"store-{backend}.ids.npy"
    np.save(ids_path, ids)
    disk = sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 1e6
    return {
        "backend": backend,
        "ingest_s": ingest_s,
        "chunks_per_s": n / ingest_s,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "ids": str(ids_path),
        "disk_mb": disk,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth, strict=True))
    return hits / max(1, sum(int((t >= 0).sum()) for t in truth))


# -- parent ----------------------------------------------------------------------------------------
def _child(args: argparse.Namespace, extra: list[str]) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--threads",
        str(args.threads),
        "--query-threads",
        args.query_threads,
        "--queries",
        str(args.queries),
        "--k",
        str(args.k),
        "--nprobes",
        args.nprobes,
        "--hnsw-max",
        str(args.hnsw_max),
        "--hnsw-m",
        str(args.hnsw_m),
        "--ef-search",
        str(args.ef_search),
        "--chunks-per-doc",
        str(args.chunks_per_doc),
        "--stores",
        args.stores,
        *extra,
    ]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_size(n: int, args: argparse.Namespace, root: Path) -> dict:
    workdir = root / f"n{n}"
    workdir.mkdir()
    try:
        t0 = time.perf_counter()
        built = _child(args, ["--build-size", str(n), "--child-dir", str(workdir)])
        built["wall_s"] = time.perf_counter() - t0
        truth = None
        for name, info in built["indexes"].items():
            path = workdir / f"{name}.faiss"
            info.update(_child(args, ["--query-index", str(path), "--child-dir", str(workdir)]))
            for run in info["runs"]:
                ids = np.load(run.pop("ids"))
                if name == "exact":
                    truth = ids
                run["recall"] = recall(ids, truth)
            path.unlink()  # free the disk before the next index/size
        built["stores"] = {}
        for backend in (
            [b for b in args.stores.split(",") if b.strip()] if n <= args.store_max else []
        ):
            print(f"  {n:>9,} store {backend} …", file=sys.stderr)
            t0 = time.perf_counter()
            got = _child(
                args, ["--store-size", str(n), "--backend", backend, "--child-dir", str(workdir)]
            )
            got["wall_s"] = time.perf_counter() - t0
            got["recall"] = recall(np.load(got.pop("ids")), truth)
            built["stores"][backend] = got
            shutil.rmtree(workdir / f"store-{backend}", ignore_errors=True)
        return built
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_table(results: list[dict], args: argparse.Namespace) -> None:
    threads = [t.strip() for t in args.query_threads.split(",")]
    print(
        f"Scale benchmark: dim {DIM}, clustered synthetic vectors, {args.queries} single queries "
        f"(k={args.k}), built with {args.threads} FAISS threads, {os.cpu_count()} cores. "
        "Baseline = exact (IndexFlatIP) at the same size; ← product = what TwoSource builds. "
        f"Ratios use the {threads[0]}-thread latency and the loaded memory."
    )
    print()
    lat_heads = " | ".join(f"p50 ms {t}t | p95 ms {t}t" for t in threads)
    print(
        f"| vectors | index | build s | file MB | loaded MB | load s | {lat_heads} | "
        f"recall@{args.k} | p50 vs exact | MB vs exact |"
    )
    print("|---:|---|" + "---:|" * (7 + 2 * len(threads)))
    for res in results:
        base = res["indexes"]["exact"]
        base_p50 = base["runs"][0]["latency"][threads[0]]["p50_ms"]
        for name, info in res["indexes"].items():
            label = name
            if "nlist" in info:
                label += f" (nlist {info['nlist']})"
            for run in info["runs"]:
                shown = label + (f" nprobe {run['nprobe']}" if run["nprobe"] else "")
                product = info["product"] and (
                    not run["nprobe"] or run["nprobe"] == res["nprobe_setting"]
                )
                if product:
                    shown += " ← product"
                lat = " | ".join(
                    f"{run['latency'][t]['p50_ms']:.2f} | {run['latency'][t]['p95_ms']:.2f}"
                    for t in threads
                )
                p50 = run["latency"][threads[0]]["p50_ms"]
                print(
                    f"| {res['n']:,} | {shown} | {info['build_s']:.1f} | {info['file_mb']:.0f} | "
                    f"{info['loaded_mb']:.0f} | {info['load_s']:.2f} | {lat} | "
                    f"{run['recall']:.3f} | {p50 / base_p50:.2f} | "
                    f"{info['loaded_mb'] / base['loaded_mb']:.2f} |"
                )
    stores = [
        (res["n"], name, got) for res in results for name, got in res.get("stores", {}).items()
    ]
    if stores:
        print()
        print(
            f"Store backends through the product's writer and reader ({args.chunks_per_doc} chunks "
            "per document, one commit; search_vector with the published-document check), "
            f"recall@{args.k} against exact FAISS:"
        )
        print()
        print(
            "| chunks | backend | ingest s | chunks/s | p50 ms | p95 ms | recall@10 | disk MB | "
            "peak RSS MB |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for n, name, got in stores:
            print(
                f"| {n:,} | {name} | {got['ingest_s']:.1f} | {got['chunks_per_s']:,.0f} | "
                f"{got['p50_ms']:.2f} | {got['p95_ms']:.2f} | {got['recall']:.3f} | "
                f"{got['disk_mb']:.0f} | {got['peak_rss_mb']:.0f} |"
            )
    print()
    for res in results:
        print(
            f"- {res['n']:,}: data generated in {res['generate_s']:.1f} s, builder peak RSS "
            f"{res['peak_rss_mb']:.0f} MB, whole size {res['wall_s']:.0f} s "
            f"(product: exact up to {res['exact_max_vectors']:,} vectors, "
            f"nprobe {res['nprobe_setting']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--nprobes",
        default="",
        help="IVF lists searched, comma-separated (default: the product's index.nprobe)",
    )
    parser.add_argument("--hnsw-max", type=int, default=100_000, help="largest size for HNSW")
    parser.add_argument("--hnsw-m", type=int, default=32)
    parser.add_argument("--ef-search", type=int, default=64, help="HNSW efSearch")
    parser.add_argument(
        "--threads", type=int, default=2, help="FAISS (OpenMP) threads for building"
    )
    parser.add_argument(
        "--query-threads",
        default="1,2",
        help="FAISS threads for the single queries, comma-separated; the first gives the ratios",
    )
    parser.add_argument(
        "--stores", default="faiss,milvus", help="store backends to run through the product's code"
    )
    parser.add_argument(
        "--store-max",
        type=int,
        default=100_000,
        help="largest size for them (Milvus Lite ingests ~100-600 chunks/s on 2 busy cores: 1M "
        "takes hours)",
    )
    parser.add_argument("--chunks-per-doc", type=int, default=10)
    parser.add_argument("--workdir", default=None, help="where temporary index files go")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    parser.add_argument("--build-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--query-index", help=argparse.SUPPRESS)
    parser.add_argument("--child-dir", help=argparse.SUPPRESS)
    parser.add_argument("--store-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.nprobes:
        args.nprobes = str(product_settings().index.nprobe)
    if args.build_size:
        print(json.dumps(build_size(args.build_size, Path(args.child_dir), args)))
        return
    if args.store_size:
        got = store_size(args.store_size, args.backend, Path(args.child_dir), args)
        print(json.dumps(got))
        return
    if args.query_index:
        path = Path(args.query_index)
        print(json.dumps(query_index(path, Path(args.child_dir) / "queries.npy", args)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    root = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.workdir))
    results = []
    try:
        for n in sizes:
            print(f"size {n:,} …", file=sys.stderr)
            results.append(run_size(n, args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results, args)


if __name__ == "__main__":
    main()
