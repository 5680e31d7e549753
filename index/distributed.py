"""Distributed ingestion: the per-file work as a Ray Data pipeline; the writing stays local.

Files are parsed, cleaned and chunked in Ray map tasks, then embedded in batches by a pool of
Ray actors that each load the embedder once; the records stream back to the ONE writer in
:mod:`index.ingest`, which commits them in the run's file order. So a Ray ingest gives the same
documents, chunk ids, offsets and duplicate links as a serial one; vectors agree within int8
tolerance (an int8 model's activations are quantized per batch, and batches differ).

Ray is optional (``pip install 'twosource[scale]'``) and imported only here, only when used.
Every worker node needs TwoSource (with the same embedder) installed and the article files at
the same paths as the machine that runs ``twosource ingest`` (a shared mount).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import pickle
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, MissingDependencyError
from .prepare import FileResult, FileTask, PreparedFile, embed_prepared, try_prepare
from .settings import Settings

EXTRA = "twosource[scale]"
LOCAL_OBJECT_STORE_MB = 256  # records are small (text + 384 floats per chunk); Ray spills beyond


class RayNotInstalledError(MissingDependencyError):
    """Ray (the optional ``scale`` extra) is needed but not installed."""

    def __init__(self, detail: str = ""):
        Exception.__init__(
            self,
            "distributed ingestion needs Ray, which is not installed — run "
            f"`pip install '{EXTRA}'` (or scripts/setup.sh), or ingest without --ray/--workers"
            + (f" ({detail})" if detail else ""),
        )
        self.package = "ray"


def import_ray():
    """The ``ray`` module with Ray Data loaded.

    Raises:
        RayNotInstalledError: ray or its data extra is missing.
    """
    try:
        import ray
        import ray.data  # pyarrow, pandas: the [data] extra
    except ImportError as exc:
        raise RayNotInstalledError(str(exc)) from None
    return ray


@dataclass
class RayExecutor:
    """Runs :mod:`index.prepare` on Ray. Use as ``ingest(..., executor=RayExecutor(...))``.

    Args:
        address: a Ray cluster (``"auto"``, ``"ray://head:10001"``); ``""`` starts a local
            runtime for this run. A runtime already started in this process is reused.
        num_cpus: CPUs of a local runtime (None: all of this machine's).
        embed_actors: embedding actors; 0 = one per two CPUs of the runtime (at least one).
        files_per_batch: files whose chunks one embedding call handles together.
    """

    address: str = ""
    num_cpus: int | None = None
    embed_actors: int = 0
    files_per_batch: int = 16

    @classmethod
    def from_settings(cls, settings: Settings, workers: int | None = None) -> RayExecutor:
        """The executor ``settings.ingest`` describes. ``workers`` is the CPUs of a local
        runtime, or, with ``ingest.ray_address`` set, the number of embedding actors."""
        cfg = settings.ingest
        on_cluster = bool(cfg.ray_address)
        return cls(
            address=cfg.ray_address,
            num_cpus=None if on_cluster else workers,
            embed_actors=(workers if on_cluster and workers else cfg.ray_embed_actors),
            files_per_batch=cfg.ray_files_per_batch,
        )

    def __call__(
        self,
        tasks: list[FileTask],
        settings: Settings,
        *,
        precision: str | None,
        check_identity: Callable[[dict], None],
        progress: bool,
    ) -> Iterator[FileResult]:
        ray = import_ray()
        started = self._connect(ray, progress)
        try:
            yield from self._run(ray, tasks, settings, precision, check_identity, progress)
        finally:
            if started:
                ray.shutdown()

    def _connect(self, ray, progress: bool) -> bool:
        """Join or start a runtime; True if this call started it (and so must stop it)."""
        if ray.is_initialized():
            return False
        if progress:
            where = self.address or f"a local runtime ({self.num_cpus or 'all'} CPUs)"
            print(f"Starting Ray: {where} …", file=sys.stderr)
        # Ray's C++ core logs a spurious error for every actor pool (ray-project/ray#53727);
        # real failures still surface as Python exceptions.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        common = {"include_dashboard": False, "log_to_driver": False, "logging_level": "error"}
        if self.address:
            _check_reachable(self.address)
            try:
                ray.init(address=self.address, **common)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(
                    f"cannot join the Ray cluster at '{self.address}' ({exc}) — check "
                    "ingest.ray_address (TWOSOURCE_INGEST__RAY_ADDRESS), or leave it empty to "
                    "run on a local Ray runtime"
                ) from None
        else:
            ray.init(
                num_cpus=self.num_cpus,
                object_store_memory=LOCAL_OBJECT_STORE_MB * 1_000_000,
                **common,
            )
        return True

    def _run(
        self,
        ray,
        tasks: list[FileTask],
        settings: Settings,
        precision: str | None,
        check_identity: Callable[[dict], None],
        progress: bool,
    ) -> Iterator[FileResult]:
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # one bar below, counting files committed-ready
        ctx.print_on_execution_start = False
        total = float(ray.cluster_resources().get("CPU", 1))
        # Actors hold their CPUs for the whole run: leave at least half of them to the parse
        # tasks, or on a small machine those could never be scheduled.
        wanted = float(settings.embedding.threads or 1)
        actors = self.embed_actors or max(1, int(total // (2 * wanted)))
        actor_cpus = min(wanted, total / (2 * actors))
        config = settings.model_dump(mode="json")
        config["embedding"]["threads"] = max(1, int(actor_cpus))
        config_json = json.dumps(config)

        rows = [
            {"seq": t.seq, "task": pickle.dumps(t, protocol=pickle.HIGHEST_PROTOCOL)} for t in tasks
        ]
        ds = ray.data.from_items(rows, override_num_blocks=min(len(rows), max(1, int(total) * 4)))
        ds = ds.map(_prepare_row, fn_kwargs={"config_json": config_json}, num_cpus=0.5)
        ds = ds.map_batches(
            _EmbedStage,
            fn_constructor_kwargs={"config_json": config_json, "precision": precision},
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=actor_cpus,
            batch_size=self.files_per_batch,
            batch_format="numpy",
        )
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(tasks), desc="Ingesting on Ray", unit="file", file=sys.stderr)
        try:
            for row in ds.iter_rows():
                result = pickle.loads(row["record"])
                if isinstance(result, PreparedFile):
                    check_identity({**result.embedder, "setting": settings.embedding.model})
                if bar is not None:
                    bar.update(1)
                yield result
        finally:
            if bar is not None:
                bar.close()


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a cluster address nothing answers at (Ray itself retries for minutes)."""
    host_port = address.removeprefix("ray://").rstrip("/")
    host, sep, port = host_port.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" and other forms Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Ray cluster at '{address}' ({exc}) — check ingest.ray_address "
            "(TWOSOURCE_INGEST__RAY_ADDRESS) and that the head node is running (`ray status`), "
            "or leave it empty to run on a local Ray runtime"
        ) from None


@functools.lru_cache(maxsize=4)
def _settings(config_json: str) -> Settings:
    # Validated from the driver's values only: a worker's own environment must not change them.
    return Settings.model_validate(json.loads(config_json))


def _prepare_row(row: dict, config_json: str) -> dict:
    """Ray map task: one file → its prepared record (or failure), pickled."""
    task: FileTask = pickle.loads(row["task"])
    result = try_prepare(task, _settings(config_json))
    return {"seq": task.seq, "record": pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)}


class _EmbedStage:
    """Ray actor: loads the embedder once, then embeds batches of prepared files."""

    def __init__(self, config_json: str, precision: str | None):
        from .embed import load_embedder

        self.settings = _settings(config_json)
        self.embedder = load_embedder(self.settings, precision)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = [pickle.loads(blob) for blob in batch["record"]]
        ready = [r for r in results if isinstance(r, PreparedFile)]
        embedded = iter(embed_prepared(ready, self.embedder, self.settings.embedding.batch_size))
        out = [next(embedded) if isinstance(r, PreparedFile) else r for r in results]
        blobs = np.empty(len(out), dtype=object)
        blobs[:] = [pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL) for r in out]
        return {"seq": np.asarray(batch["seq"]), "record": blobs}
