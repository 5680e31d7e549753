"""The citation support checker against WiCE's human entailment labels (Kamoi et al.,
EMNLP 2023), read from ../shared/eval/wice. Embedder only (no language model)."""

from __future__ import annotations

import json
from pathlib import Path

from index.embed import Embedder, load_embedder
from index.settings import load_settings


def evaluate_support(eval_dir: Path, limit: int = 0, embedder: Embedder | None = None) -> dict:
    """The citation support checker against WiCE's human labels (Kamoi et al., EMNLP 2023).

    Two pair sets per claim: the claim with its gold supporting sentences (gold: supported iff
    the claim is labelled ``supported``; ``partially_supported`` means some part is not in the
    evidence, which our checker must not pass), and the claim with up to five sentences of the
    same page outside every supporting set (gold: not supported) — the hard negatives a wrong
    citation would produce. The page's title is passed with both, as the product passes a cited
    article's outlet and headline.
    """
    from ..verify import CheckerConfig, SupportChecker

    embedder = embedder or load_embedder(load_settings())
    lines = (eval_dir / "wice" / "claim_dev.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    if limit:
        records = records[:limit]
    pairs: list[tuple[str, list[str]]] = []
    gold: list[bool] = []
    kinds: list[str] = []
    titles: list[str] = []
    for rec in records:
        evidence = rec["evidence"]
        title = _page_title(evidence)
        support = sorted({i for group in rec["supporting_sentences"] for i in group})
        if support:
            pairs.append((rec["claim"], [evidence[i] for i in support if i < len(evidence)]))
            gold.append(rec["label"] == "supported")
            kinds.append(rec["label"])
            titles.append(title)
        others = [
            s
            for i, s in enumerate(evidence)
            if i not in support and not s.startswith("(meta data)") and len(s) > 40
        ][:5]
        if others:
            pairs.append((rec["claim"], others))
            gold.append(False)
            kinds.append("other sentences")
            titles.append(title)
    checker = SupportChecker(embedder.embed, config=CheckerConfig.from_settings(load_settings()))
    # the page's title goes with its sentences, as an article's outlet and headline go with a
    # cited passage in an answer (names a sentence may take from the headline, never a fact)
    predicted = [c.supported for c in checker.check_many(pairs, titles)]
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    fp = sum(p and not g for p, g in zip(predicted, gold, strict=True))
    fn = sum(g and not p for p, g in zip(predicted, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    by_kind = {}
    for kind in sorted(set(kinds)):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        by_kind[f"passed_{kind.replace(' ', '_')}"] = sum(predicted[i] for i in idx) / len(idx)
    return {
        "dataset": "wice",
        "claims": len(records),
        "pairs": len(pairs),
        "accuracy": sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(pairs),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        **by_kind,
    }


def _page_title(evidence: list[str]) -> str:
    """The page's title from WiCE's "(meta data) TITLE: …" line, or ""."""
    for line in evidence[:3]:
        if line.startswith("(meta data) TITLE:"):
            return line.split(":", 1)[1].strip()
    return ""


__all__ = ["evaluate_support"]
