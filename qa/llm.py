"""Language-model backends behind one small interface.

- ``LlamaCppGenerator``: a GGUF file run in-process by llama-cpp-python (the default).
- ``OpenAIServerGenerator``: any OpenAI-compatible HTTP server (llama.cpp's server, vLLM, Ollama).

Both stream text deltas and accept a JSON schema that constrains the output.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
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


_LOADED: dict[tuple[str, int, int], object] = {}
_LOAD_LOCK = threading.Lock()


class LlamaCppGenerator:
    """In-process llama.cpp. Loaded models are shared per process (the web app, the API and
    repeated questions reuse one instance, and llama.cpp reuses the cached prompt prefix)."""

    def __init__(self, model_path: Path, n_ctx: int = 4096, threads: int = 0):
        self.path = Path(model_path)
        self.name = self.path.name
        self.n_ctx = n_ctx
        self.threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()  # one generation at a time per model

    @property
    def llama(self):
        key = (str(self.path), self.n_ctx, self.threads)
        with _LOAD_LOCK:
            if key not in _LOADED:
                try:
                    from llama_cpp import Llama
                except ImportError:
                    raise MissingDependencyError("llama-cpp-python", "local generation") from None
                try:
                    _LOADED[key] = Llama(
                        model_path=str(self.path),
                        n_ctx=self.n_ctx,
                        n_threads=self.threads,
                        n_batch=512,
                        seed=0,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise LLMError(f"cannot load the model {self.path}: {exc}") from None
            return _LOADED[key]

    def stream(
        self, messages: list[dict], schema: dict | None, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        llama = self.llama
        kwargs: dict = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        with self._lock:
            chunks = llama.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                **kwargs,
            )
            for chunk in chunks:
                delta = chunk["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta


class OpenAIServerGenerator:
    """Any server speaking the OpenAI chat-completions protocol, with streaming (SSE)."""

    def __init__(
        self,
        url: str,
        model: str = "",
        timeout: float = 300.0,
        response_format: str = "json_object",
        api_key: str = "",
    ):
        if not url.startswith(("http://", "https://")):
            raise LLMError(f"--llm-url must start with http:// or https:// (got '{url}')")
        base = url.rstrip("/")
        self.endpoint = base if base.endswith("/chat/completions") else base + "/chat/completions"
        if "/v1/" not in self.endpoint:
            self.endpoint = base + "/v1/chat/completions"
        self.name = f"{model or 'server'} @ {base}"
        self.model = model or "default"
        self.timeout = timeout
        self.response_format = response_format
        self.api_key = api_key or os.environ.get("TWOSOURCE_LLM_API_KEY", "")

    def _format(self, schema: dict) -> dict:
        if self.response_format == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": "twosource", "schema": schema, "strict": True},
            }
        return {"type": "json_object", "schema": schema}

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
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise LLMError(
                f"the LLM server at {self.endpoint} answered {exc.code}: {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LLMError(
                f"cannot reach the LLM server at {self.endpoint} ({reason}) — start it, or check "
                "--llm-url / TWOSOURCE_LLM__URL"
            ) from None
        with response:
            for raw in response:
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
                    yield delta


def make_generator(settings: Settings, progress: bool = False) -> Generator:
    """The backend the settings ask for: a server URL wins over a model file."""
    if settings.llm.url:
        return OpenAIServerGenerator(
            settings.llm.url,
            settings.llm.server_model,
            settings.llm.timeout,
            settings.llm.response_format,
        )
    from .models import resolve_llm

    return LlamaCppGenerator(
        resolve_llm(settings, progress=progress), settings.llm.n_ctx, settings.llm.threads
    )
