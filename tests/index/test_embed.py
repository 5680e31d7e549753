"""Both embedding runtimes compute one model; int8 stays close; an index keeps its precision."""

import numpy as np
import pytest

from index.embed import (
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    embed_texts,
    exported_graph,
    index_precision,
    load_embedder,
)
from index.errors import IndexMismatchError, ModelNotFoundError
from index.ingest import ingest
from index.search import Index
from index.settings import load_settings

from ..conftest import seed_dir, seed_file


@pytest.fixture(scope="module")
def torch_embedder():
    return SentenceTransformerEmbedder("default", threads=2)


@pytest.fixture(scope="module")
def texts():
    body = seed_file("000").read_text(encoding="utf-8")
    chunks = [body[i : i + 900] for i in range(0, len(body), 700)]
    # A short text, one past the 256 word-piece window (truncation must match), and padding.
    return [*chunks, "Kyiv", "mobilization " * 400, "a b c"]


@pytest.mark.slow
def test_onnx_fp32_matches_sentence_transformers(torch_embedder, texts, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "models"
    onnx = OnnxEmbedder("default", 2, precision="fp32", cache_dir=cache)
    want = embed_texts(torch_embedder, texts)
    got = embed_texts(onnx, texts, batch_size=8)
    assert got.shape == want.shape == (len(texts), 384)
    assert np.abs(got - want).max() < 1e-4
    assert onnx.fingerprint == torch_embedder.fingerprint  # fp32 vectors are interchangeable
    assert onnx.count_tokens(texts[-2]) == torch_embedder.count_tokens(texts[-2]) > 256


def test_int8_stays_close_and_has_its_own_identity(embedder, torch_embedder, texts):
    assert embedder.precision == "int8" and isinstance(embedder, OnnxEmbedder)
    cos = (embed_texts(embedder, texts) * embed_texts(torch_embedder, texts)).sum(axis=1)
    assert cos.min() > 0.95 and cos.mean() > 0.98, cos
    norms = np.linalg.norm(embed_texts(embedder, texts), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert embedder.fingerprint == f"{torch_embedder.fingerprint}:int8"


def test_export_is_cached_and_atomic(embedder, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "models" / "embedders"
    graphs = sorted(p.name for p in cache.rglob("*.onnx"))
    assert "model.int8.onnx" in graphs and "model.onnx" in graphs
    assert not [p for p in cache.rglob("*") if ".tmp" in p.name]  # no half-written files
    folder = next(cache.iterdir())
    before = (folder / "model.int8.onnx").stat().st_mtime_ns
    assert exported_graph(embedder.path, folder, "int8").stat().st_mtime_ns == before


@pytest.mark.slow
def test_an_index_is_queried_with_the_precision_it_was_built_with(tmp_path, torch_embedder):
    data = tmp_path / "fp32-index"
    settings = load_settings(data, embedding={"runtime": "torch", "precision": "fp32"})
    ingest([seed_file("000")], settings, embedder=torch_embedder)
    assert index_precision(Index(settings).manifest) == "fp32"
    # Opened later with the default (ONNX, int8) settings: still queried with fp32 vectors.
    index = Index(load_settings(data))
    assert index.embedder.precision == "fp32" and isinstance(index.embedder, OnnxEmbedder)
    hit = index.search("five million mobilization", k=1)[0]
    assert hit.score > 0.3
    # An int8 embedder cannot add to an fp32 index.
    with pytest.raises(IndexMismatchError, match="fingerprint"):
        ingest([seed_dir()], load_settings(data), embedder=load_embedder(load_settings(tmp_path)))


def test_torch_runtime_refuses_int8(tmp_path):
    with pytest.raises(ValueError, match="int8 embeddings need embedding.runtime = 'onnx'"):
        load_embedder(load_settings(tmp_path, embedding={"runtime": "torch"}))


def test_unsupported_layout_points_to_the_torch_runtime(tmp_path, embedder):
    import shutil

    other = tmp_path / "model"
    shutil.copytree(embedder.path, other)
    (other / "tokenizer.json").unlink()
    with pytest.raises(ModelNotFoundError, match="embedding.runtime"):
        OnnxEmbedder(str(other), cache_dir=tmp_path / "cache")


def test_a_damaged_cached_graph_is_exported_again(tmp_path, embedder):
    cache = tmp_path / "cache"
    OnnxEmbedder("default", 2, precision="int8", cache_dir=cache)
    graph = next(cache.rglob("model.int8.onnx"))
    graph.write_bytes(b"truncated")
    again = OnnxEmbedder("default", 2, precision="int8", cache_dir=cache)
    assert graph.stat().st_size > 1_000_000
    assert np.allclose(again.embed(["Kyiv"]), embedder.embed(["Kyiv"]), atol=1e-5)
