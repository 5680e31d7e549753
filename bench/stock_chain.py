"""The stock LangChain chain the benchmarks compare against: one definition for all of them."""

from __future__ import annotations

import os

# The classic RetrievalQA "stuff" prompt.
STUFF_PROMPT = (
    "Use the following pieces of context to answer the question at the end. If you don't "
    "know the answer, just say that you don't know, don't try to make up an answer.\n\n"
    "{context}\n\nQuestion: {question}\nHelpful Answer:"
)


def stock_llm(gguf, n_batch: int | None = None):
    """LangChain's ``LlamaCpp`` on ``gguf`` with its stock settings (``n_batch`` only if given)."""
    from langchain_community.llms import LlamaCpp

    kwargs = {"n_batch": n_batch} if n_batch else {}
    return LlamaCpp(
        model_path=str(gguf),
        n_ctx=4096,
        n_threads=os.cpu_count() or 2,
        temperature=0.0,
        max_tokens=360,
        verbose=False,
        **kwargs,
    )


def stuff_prompt():
    from langchain_core.prompts import PromptTemplate

    return PromptTemplate.from_template(STUFF_PROMPT)
