"""Language-model backends behind one small interface.

- ``LlamaCppGenerator``: a GGUF file run in-process by llama-cpp-python (the default).
- ``OpenAIServerGenerator``: any OpenAI-compatible HTTP server (llama.cpp's server, vLLM, Ollama).

Both stream text deltas and accept a JSON schema that constrains the output.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import math
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from index.errors import MissingDependencyError, TwoSourceError
from index.settings import Settings


class LLMError(TwoSourceError):
    exit_code = 5


class Generator(Protocol):
    name: str

    def stream(
        self, messages: list[dict], schema: dict | None, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        """Yield the model's output as text deltas."""
        ...


_LOADED: dict[tuple, object] = {}
_LOAD_LOCK = threading.Lock()


class _NoSwap:
    def __init__(self, disable: bool = True):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def _no_fd_swapping() -> None:
    """Stop llama-cpp-python from silencing model loading by swapping the process's stdout and
    stderr (file descriptors and ``sys`` streams) for /dev/null.

    That swap is process-wide: with the model loading in a background thread, whatever the
    main thread prints meanwhile (an abstention, an error) would vanish. llama.cpp's own
    messages already go through llama-cpp-python's log callback, which drops everything below
    ERROR when ``verbose=False``, so nothing is lost by not swapping."""
    global _LOG_CALLBACK
    import llama_cpp
    import llama_cpp._internals as internals
    import llama_cpp.llama as llama_module

    for module in (internals, llama_module):
        if hasattr(module, "suppress_stdout_stderr"):
            module.suppress_stdout_stderr = _NoSwap
    if _LOG_CALLBACK is None and not os.environ.get("TWOSOURCE_LLM_LOG"):
        # llama.cpp's loader reports quirks of model files (e.g. "control-looking token") at
        # error level; failures to load still raise. TWOSOURCE_LLM_LOG=1 shows them all.
        @llama_cpp.llama_log_callback
        def _drop(level, text, user_data):
            return None

        _LOG_CALLBACK = _drop
        llama_cpp.llama_log_set(_LOG_CALLBACK, ctypes.c_void_p(0))


_LOG_CALLBACK = None


_PROMPT_LOOKUP_CLASSES: dict[type, type] = {}


def _llama_build() -> list:
    """Name, size and mtime of llama-cpp-python's shared libraries: two builds of the same
    version (portable, AVX-512) differ here."""
    import llama_cpp

    lib = Path(llama_cpp.__file__).parent / "lib"
    files = sorted(lib.glob("*.so*")) + sorted(lib.glob("*.dylib")) + sorted(lib.glob("*.dll"))
    return [[f.name, f.stat().st_size, f.stat().st_mtime_ns] for f in files if f.is_file()]


def _prompt_lookup_llama(base: type) -> type:
    """``base`` (llama_cpp.Llama) for prompt-lookup decoding, without its cost on the prompt.

    With a draft model llama-cpp-python asks llama.cpp for the logits of every token it
    evaluates and copies them into a numpy array: needed for the few drafted tokens of a
    decoding step (each is checked against the model's own choice), wasted on the hundreds of
    prompt tokens (the vocabulary projection of every one of them, 151,936 × 1,536 for Qwen,
    ~30 % more prompt work, and ~0.6 MB copied per token). This subclass asks for every logit
    only in batches no longer than a decoding step, and copies none (sampling reads them
    inside llama.cpp; logprobs are not used)."""
    if base not in _PROMPT_LOOKUP_CLASSES:

        class PromptLookupLlama(base):  # type: ignore[misc, valid-type]
            def eval(self, tokens) -> None:
                tokens = list(tokens)
                step = getattr(self.draft_model, "num_pred_tokens", 0) + 1
                every = len(tokens) <= step  # a decoding step: the drafted tokens are checked
                self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
                for start in range(0, len(tokens), self.n_batch):
                    part = tokens[start : start + self.n_batch]
                    self._batch.set_batch(batch=part, n_past=self.n_tokens, logits_all=every)
                    self._ctx.decode(self._batch)
                    self.input_ids[self.n_tokens : self.n_tokens + len(part)] = part
                    self.n_tokens += len(part)
                    self._requires_eval = False

        _PROMPT_LOOKUP_CLASSES[base] = PromptLookupLlama
    return _PROMPT_LOOKUP_CLASSES[base]


_PREFIX_KEEPING_CLASSES: dict[type, type] = {}


def _prefix_keeping_llama(base: type) -> type:
    """``base`` (llama_cpp.Llama) that keeps the KV state of the fixed prompt prefix.

    llama.cpp reuses only the tokens a prompt shares with the prompt before it. The plain
    answer prompt begins with its instructions, the yes/no and name prompts with their
    passages, so a plain question right after one of those evaluated the whole instruction
    head again (~1.3 s on 2 cores). The state kept after warm-up is put back first when it
    shares more of the new prompt than the KV cache does (a copy of a few MB)."""
    if base not in _PREFIX_KEEPING_CLASSES:

        class PrefixKeepingLlama(base):  # type: ignore[misc, valid-type]
            _kept_prefix: tuple[list[int], object] | None = None
            prefix_restores = 0  # how often the kept state was put back (for tests)

            def keep_prefix(self) -> None:
                self._kept_prefix = (list(self._input_ids), _state_blob(self))

            def generate(self, tokens, *args, **kwargs):
                tokens = list(tokens)
                kept = self._kept_prefix
                if kept is not None and kwargs.get("reset", True):
                    ids, blob = kept
                    if _shared_len(ids, tokens) > _shared_len(self._input_ids, tokens):
                        _restore_state(self, ids, blob)
                        self.prefix_restores += 1
                self.cached_before_prompt = list(self._input_ids)  # for _prompt_usage
                yield from super().generate(tokens, *args, **kwargs)

        _PREFIX_KEEPING_CLASSES[base] = PrefixKeepingLlama
    return _PREFIX_KEEPING_CLASSES[base]


def _state_blob(llama) -> bytes:
    """The context's KV state (llama-cpp-python's ``save_state`` would also copy the logits of
    every prompt token, ~160 MB for Qwen's vocabulary, which nothing here needs)."""
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama._ctx.ctx)
    buf = (ctypes.c_uint8 * int(size))()
    n = llama_cpp.llama_state_get_data(llama._ctx.ctx, buf, size)
    if int(n) > int(size):
        raise LLMError("llama.cpp could not copy the prompt state")
    return bytes(buf)[: int(n)]


def _restore_state(llama, ids, blob: bytes) -> None:
    """Put a state from :func:`_state_blob` back, with the prompt tokens it holds."""
    import numpy as np
    from llama_cpp import LlamaState

    full = np.zeros(llama.n_ctx(), dtype=np.intc)
    full[: len(ids)] = ids
    llama.load_state(
        LlamaState(
            input_ids=full,
            scores=np.zeros((1, llama.n_vocab()), dtype=np.single),  # no logits are kept
            n_tokens=len(ids),
            llama_state=blob,
            llama_state_size=len(blob),
            seed=llama._seed,
        )
    )


def _shared_len(a, b) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _GrammarLastSampler:
    """llama.cpp sampling under a grammar, with the grammar asked about one token first.

    llama-cpp-python puts the grammar in the sampler chain before the sampler that picks
    the token, so every decoding step checks all ~150,000 vocabulary entries against the
    grammar — for Qwen about a third of a step's time on 2 cores. llama.cpp's own tools
    pick a token without the grammar first and check just that one; only when the grammar
    rejects it are all candidates checked and the token picked again among those allowed.
    Greedy decoding (temperature 0, the default) gives the same tokens either way: the
    highest-scoring token, when allowed, is also the highest among the allowed ones."""

    def __init__(self, llama, rest, grammar):
        import llama_cpp
        import numpy as np

        self._lib = llama_cpp
        self._np = np
        self.rest = rest  # the chain without the grammar (penalties, then the picking sampler)
        self.grammar = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        if not self.grammar:
            raise LLMError("llama.cpp could not parse the answer grammar")
        dtype = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)
        self.n_vocab = llama.n_vocab()
        self._all = np.zeros(self.n_vocab, dtype=dtype)
        self._ids = np.arange(self.n_vocab, dtype=np.intc)
        self._one = np.zeros(1, dtype=dtype)

    def _candidates(self, data):
        lib = self._lib
        return lib.llama_token_data_array(
            data=data.ctypes.data_as(lib.llama_token_data_p),
            size=len(data),
            selected=-1,
            sorted=False,
        )

    def _pick(self, logits, grammar_first: bool) -> int:
        self._all["id"] = self._ids
        self._all["logit"] = logits
        self._all["p"] = 0.0
        cur = self._candidates(self._all)
        if grammar_first:
            self._lib.llama_sampler_apply(self.grammar, ctypes.byref(cur))
        self._lib.llama_sampler_apply(self.rest.sampler, ctypes.byref(cur))
        if cur.selected < 0:
            raise LLMError("llama.cpp's sampler picked no token")
        return int(cur.data[cur.selected].id)

    def _allowed(self, token: int) -> bool:
        self._one[0] = (token, 0.0, 0.0)
        one = self._candidates(self._one)
        self._lib.llama_sampler_apply(self.grammar, ctypes.byref(one))
        return not math.isinf(float(self._one["logit"][0]))

    def sample(self, ctx, idx: int = -1) -> int:
        pointer = self._lib.llama_get_logits_ith(ctx.ctx, idx)
        logits = self._np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))
        token = self._pick(logits, grammar_first=False)
        if not self._allowed(token):
            token = self._pick(logits, grammar_first=True)
        self.accept(token)
        return token

    def accept(self, token: int) -> None:
        self._lib.llama_sampler_accept(self.grammar, token)
        self.rest.accept(token)

    def close(self) -> None:
        if self.grammar:
            self._lib.llama_sampler_free(self.grammar)
            self.grammar = None
        self.rest.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


_GRAMMAR_LAST_CLASSES: dict[type, type] = {}


def _grammar_last_llama(base: type) -> type:
    """``base`` (llama_cpp.Llama) sampling with :class:`_GrammarLastSampler` under a grammar."""
    if base not in _GRAMMAR_LAST_CLASSES:

        class GrammarLastLlama(base):  # type: ignore[misc, valid-type]
            def _init_sampler(self, *args, grammar=None, **kwargs):
                rest = super()._init_sampler(*args, grammar=None, **kwargs)
                return rest if grammar is None else _GrammarLastSampler(self, rest, grammar)

        _GRAMMAR_LAST_CLASSES[base] = GrammarLastLlama
    return _GRAMMAR_LAST_CLASSES[base]


class LlamaCppGenerator:
    """In-process llama.cpp. Loaded models are shared per process (the web app, the API and
    repeated questions reuse one instance, and llama.cpp reuses the cached prompt prefix)."""

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 4096,
        threads: int = 0,
        prompt_cache: Path | None = None,
        prompt_lookup: int = 0,
        n_batch: int = 512,
        grammar_last: bool = True,
    ):
        self.path = Path(model_path)
        self.name = self.path.name
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self.prompt_cache = prompt_cache
        self.prompt_lookup = prompt_lookup  # tokens drafted from the prompt per step; 0 = off
        self.n_batch = n_batch
        self.grammar_last = grammar_last  # see _GrammarLastSampler
        self._lock = threading.Lock()  # one generation at a time per model
        self._warm: threading.Thread | None = None
        self.last_usage: dict[str, int] = {}  # of the last answer (stream)

    # -- cold start: load the model and the fixed prompt prefix while retrieval runs
    def prepare(self, probe: list[dict]) -> None:
        """Start loading the model and the KV state of the prompt's fixed prefix (system
        prompt and the start of the user turn) in a background thread.

        ``probe`` is a prompt built like the real ones; whatever it shares with the next real
        prompt is not evaluated again (llama.cpp reuses the longest common token prefix). The
        prefix state is saved to ``prompt_cache`` so the next process loads it instead of
        evaluating it. Best effort: any failure here only means no head start."""
        if self._warm is None:
            self._warm = threading.Thread(
                target=self._warm_up, args=(probe,), daemon=True, name="twosource-llm-warm-up"
            )
            self._warm.start()

    def _warm_up(self, probe: list[dict]) -> None:
        try:
            llama = self.llama
            with self._lock:
                if llama.n_tokens:  # a prompt is already cached in this process
                    return
                path = self._state_path(probe)
                if path is None or not self._load_state(llama, path):
                    for _ in llama.create_chat_completion(
                        messages=probe, max_tokens=1, temperature=0.0, stream=True
                    ):
                        pass
                    if path is not None:
                        self._save_state(llama, path)
                llama.keep_prefix()
        except Exception:
            return

    def _state_path(self, probe: list[dict]) -> Path | None:
        """Where the prefix state of ``probe`` is kept: named by a hash of the model file,
        context size, llama.cpp version and build, and the probe's full text — a changed
        prompt file or another build (whose sums may differ in the last bits) gets its own
        file, so a stale state is never loaded."""
        if self.prompt_cache is None:
            return None
        import hashlib

        import llama_cpp

        stat = self.path.stat()
        key = json.dumps(
            [
                self.name,
                stat.st_size,
                stat.st_mtime_ns,
                self.n_ctx,
                llama_cpp.__version__,
                _llama_build(),
                probe,
            ],
            sort_keys=True,
        )
        return self.prompt_cache / f"prefix-{hashlib.sha256(key.encode()).hexdigest()[:20]}.npz"

    @staticmethod
    def _save_state(llama, path: Path) -> None:
        import numpy as np

        ids = np.asarray(llama.input_ids[: llama.n_tokens], dtype=np.intc)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}.npz")
        try:
            blob = np.frombuffer(_state_blob(llama), dtype=np.uint8)
            np.savez(tmp, ids=ids, state=blob)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        prune_prompt_cache(path.parent)

    @staticmethod
    def _load_state(llama, path: Path) -> bool:
        import numpy as np

        if not path.is_file():
            return False
        try:
            with np.load(path) as data:
                ids, blob = data["ids"], data["state"].tobytes()
            _restore_state(llama, ids, blob)
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: kept by prune_prompt_cache
            return True
        except Exception:
            llama.reset()
            path.unlink(missing_ok=True)
            return False

    @property
    def llama(self):
        key = (
            str(self.path),
            self.n_ctx,
            self.threads,
            self.prompt_lookup,
            self.n_batch,
            self.grammar_last,
        )
        with _LOAD_LOCK:
            if key not in _LOADED:
                try:
                    from llama_cpp import Llama
                except ImportError:
                    raise MissingDependencyError("llama-cpp-python", "local generation") from None
                _no_fd_swapping()
                kwargs: dict = {
                    "model_path": str(self.path),
                    "n_ctx": self.n_ctx,
                    "n_threads": self.threads,
                    "n_threads_batch": self.threads,
                    "n_batch": self.n_batch,
                    "n_ubatch": self.n_batch,
                    "seed": 0,
                    "verbose": False,
                }
                Llama = _prefix_keeping_llama(Llama)
                if self.grammar_last:
                    Llama = _grammar_last_llama(Llama)
                if self.prompt_lookup:
                    from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

                    Llama = _prompt_lookup_llama(Llama)
                    kwargs["draft_model"] = LlamaPromptLookupDecoding(
                        num_pred_tokens=self.prompt_lookup
                    )
                try:
                    _LOADED[key] = Llama(**kwargs)
                except (ValueError, RuntimeError) as exc:
                    raise LLMError(f"cannot load the model {self.path}: {exc}") from None
            return _LOADED[key]

    def stream(
        self, messages: list[dict], schema: dict | None, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        """Text deltas; ``last_usage`` then holds the prompt's token count and how many of
        them were evaluated (not reused from the KV cache)."""
        llama = self.llama
        self.last_usage = {}
        kwargs: dict = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        with self._lock:
            before = list(llama.input_ids[: llama.n_tokens])
            chunks = llama.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                **kwargs,
            )
            text = ""
            try:
                for chunk in chunks:
                    if not text and not self.last_usage:  # the prompt has just been evaluated
                        self.last_usage = _prompt_usage(before, llama)
                    delta = chunk["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
                        text += delta
                        if schema is not None and "}" in delta and _complete_json(text):
                            break  # the grammar allows nothing more: skip the end-token step
            finally:
                chunks.close()


PROMPT_CACHE_KEEP = 6


def prune_prompt_cache(folder: Path, keep: int = PROMPT_CACHE_KEEP) -> list[Path]:
    """Delete all but the ``keep`` most recently used prefix states in ``folder`` (~10 MB each;
    a changed prompt file, model or llama.cpp build makes a new one and leaves the old one
    unused). Returns what was deleted; a file another process removes first is skipped."""
    states = []
    for path in folder.glob("prefix-*.npz"):
        with contextlib.suppress(OSError):
            states.append((path.stat().st_mtime, path))
    states.sort(reverse=True)
    gone = []
    for _, path in states[keep:]:
        with contextlib.suppress(OSError):
            path.unlink()
            gone.append(path)
    return gone


def _prompt_usage(before: list[int], llama) -> dict[str, int]:
    """Prompt tokens, and those evaluated: the rest after the longest prefix shared with what
    the KV cache held (llama-cpp-python reuses that prefix)."""
    prompt = llama.n_tokens
    before = getattr(llama, "cached_before_prompt", before)  # after a kept prefix came back
    shared = min(_shared_len(before, llama.input_ids[:prompt]), prompt - 1)
    return {"prompt_tokens": int(prompt), "prompt_tokens_evaluated": int(prompt - shared)}


def _complete_json(text: str) -> bool:
    """Whether ``text`` is a whole JSON object (a schema-constrained answer is then over)."""
    text = text.strip()
    if not text.endswith("}"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


class ServerDown(LLMError):
    """A server did not answer usably: refused or dropped the connection, timed out, or
    answered 5xx. ``streamed`` tells whether part of the answer had already come through."""

    def __init__(self, message: str, url: str = "", reason: str = "", streamed: bool = False):
        super().__init__(message)
        self.url = url
        self.reason = reason
        self.streamed = streamed


class OpenAIServerGenerator:
    """One server speaking the OpenAI chat-completions protocol, with streaming (SSE).

    ``connect_timeout`` bounds the wait for the connection, ``timeout`` every read after it
    (a server that sends nothing for that long is taken as down). Several servers:
    ``qa.llm_pool.ServerPool``."""

    def __init__(
        self,
        url: str,
        model: str = "",
        timeout: float = 300.0,
        response_format: str = "json_object",
        api_key: str = "",
        connect_timeout: float = 5.0,
    ):
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise LLMError(f"--llm-url must start with http:// or https:// (got '{url}')")
        base = url.rstrip("/")
        self.endpoint = base if base.endswith("/chat/completions") else base + "/chat/completions"
        if "/v1/" not in self.endpoint:
            self.endpoint = base + "/v1/chat/completions"
        self.base = self.endpoint[: -len("/chat/completions")]
        self.root = self.base[: -len("/v1")] if self.base.endswith("/v1") else self.base
        self.name = f"{model or 'server'} @ {base}"
        self.model = model or "default"
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.response_format = response_format
        self.api_key = api_key or os.environ.get("TWOSOURCE_LLM_API_KEY", "")

    def _format(self, schema: dict) -> dict:
        if self.response_format == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": "twosource", "schema": schema, "strict": True},
            }
        return {"type": "json_object", "schema": schema}

    def _connection(self, url: str):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, parts.port, timeout=self.connect_timeout)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return conn, path or "/"

    def _down(self, reason: str, streamed: bool = False) -> ServerDown:
        if streamed:
            message = (
                f"the LLM server at {self.endpoint} stopped in the middle of the answer "
                f"({reason}) — ask again"
            )
        else:
            message = (
                f"cannot reach the LLM server at {self.endpoint} ({reason}) — start it, or check "
                "--llm-url / TWOSOURCE_LLM__URL"
            )
        return ServerDown(message, self.endpoint, reason, streamed)

    def props(self) -> dict | None:
        """The server's ``/props`` (llama.cpp's llama-server: ``total_slots`` and more), or
        None when it has none or does not answer within the connect timeout."""
        conn, path = self._connection(self.root + "/props")
        try:
            conn.request("GET", path, headers=self._headers("application/json"))
            response = conn.getresponse()
            if response.status != 200:
                return None
            data = json.loads(response.read(1_000_000))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def _headers(self, accept: str) -> dict:
        headers = {"Content-Type": "application/json", "Accept": accept}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def stream(
        self, messages: list[dict], schema: dict | None, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        body: dict = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
        }
        if schema is not None:
            body["response_format"] = self._format(schema)
        conn, path = self._connection(self.endpoint)
        streamed = finished = False
        try:
            try:
                conn.request(
                    "POST", path, json.dumps(body).encode(), self._headers("text/event-stream")
                )
                conn.sock.settimeout(self.timeout)
                response = conn.getresponse()
            except TimeoutError:
                raise self._down("timed out") from None
            except (OSError, http.client.HTTPException) as exc:
                raise self._down(str(getattr(exc, "strerror", None) or exc)) from None
            if response.status >= 400:
                detail = response.read(300).decode("utf-8", "replace")
                message = f"the LLM server at {self.endpoint} answered {response.status}: {detail}"
                if response.status >= 500:
                    raise ServerDown(message, self.endpoint, f"HTTP {response.status}")
                raise LLMError(message)
            while True:
                try:
                    raw = response.readline()
                except TimeoutError:
                    raise self._down(f"nothing for {self.timeout:g} s", streamed) from None
                except (OSError, http.client.HTTPException) as exc:
                    raise self._down(str(exc) or type(exc).__name__, streamed) from None
                if not raw:
                    if finished:  # the last chunk came, without "[DONE]"
                        break
                    raise self._down("closed the connection", streamed)
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    event = json.loads(data)
                except json.JSONDecodeError:
                    continue
                choices = event.get("choices") or [{}]
                delta = (choices[0].get("delta") or {}).get("content")
                if delta:
                    streamed = True
                    yield delta
                if choices[0].get("finish_reason"):
                    finished = True
        finally:
            conn.close()


def make_generator(settings: Settings, progress: bool = False) -> Generator:
    """The backend the settings ask for: a server URL wins over a model file."""
    if settings.llm.url:
        from .llm_pool import ServerPool

        return ServerPool.from_settings(settings.llm)
    from .models import resolve_llm

    return LlamaCppGenerator(
        resolve_llm(settings, progress=progress),
        settings.llm.n_ctx,
        settings.llm.threads,
        prompt_cache=settings.resolved_models_dir() / "prompt-cache",
        prompt_lookup=settings.llm.prompt_lookup,
        n_batch=settings.llm.batch,
        grammar_last=settings.llm.grammar_last,
    )
