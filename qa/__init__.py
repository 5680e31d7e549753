"""TwoSource answering: the core (retrieve, answer, verify, corroborate, …, api) over ``index``,
with the interfaces (cli, ui/) and evaluation (eval/) on top; the core never imports those.

from qa import Assistant
answer = Assistant("news-data").ask("How long will the bridge be closed?")
for sentence in answer.sentences:
    print(sentence.text, [(c.outlet, c.start, c.end, c.quote) for c in sentence.citations])
"""

from .answer import QuestionError
from .api import Assistant
from .llm import LLMError
from .records import Answer, Citation, Evidence, Sentence, StreamEvent
from .retrieve import Filters

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "Evidence",
    "Filters",
    "LLMError",
    "QuestionError",
    "Sentence",
    "StreamEvent",
]
