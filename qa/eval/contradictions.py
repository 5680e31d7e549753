"""The contradiction suite: does the support checker reject a claim that changes one thing in its
passage (negation, antonym, roles, a number, date or name, a dropped hedge, a changed scope) and
accept a true paraphrase?

The pairs are hand-written data in ``eval/contradictions.jsonl`` (see ``eval/README.md``). Passages
come from WiCE evidence and MultiHop-RAG facts, quoted with their source named, and from the seed
articles, which are never copied: a seed item names the file and the character offsets of its
sentence, and its claim is a list of ``[old, new]`` edits applied to that sentence when loading.
Without the seed folder those items are skipped, and the report says so.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SUITE = REPO / "eval" / "contradictions.jsonl"

PARAPHRASE = "paraphrase"
PERTURBATIONS = (
    "negation",
    "antonym",
    "role_swap",
    "number_swap",
    "date_swap",
    "entity_swap",
    "hedge_dropped",
    "scope_changed",
)
KINDS = (PARAPHRASE, *PERTURBATIONS)
# The targets: paraphrases accepted, every perturbation kind rejected.
TARGETS = {PARAPHRASE: 0.85, **{k: 0.95 for k in PERTURBATIONS}}
SETS = {
    "wice": "WiCE dev",
    "multihop_rag": "MultiHop-RAG",
    "seed": "seed article",
    "own": "written for the suite",
}
# A held-out set of pairs written for the purpose (news-style sentences of our own, not drawn
# from any data set): measured beside the main suite, never tuned on, so overfitting shows.
HELDOUT_SUITE = REPO / "eval" / "contradictions_heldout.jsonl"


class SuiteError(ValueError):
    """The suite file is malformed or a seed reference does not resolve."""


@dataclass(frozen=True)
class SuitePair:
    id: str
    kind: str  # "paraphrase" or one of PERTURBATIONS
    label: str  # "supported" (paraphrase) or "not_supported" (perturbation)
    passage: str
    claim: str
    source: str  # where the passage comes from, in words
    set: str = ""  # "wice", "multihop_rag" or "seed"
    note: str = ""  # what the claim changes

    @property
    def supported(self) -> bool:
        return self.label == "supported"


class SuitePairs(list):
    """The loaded pairs (a plain list of ``SuitePair``) plus the items that could not be loaded:
    ``skipped`` holds their ids and ``skip_reason`` says why."""

    def __init__(self, pairs: Iterable[SuitePair] = (), skipped=(), skip_reason: str = ""):
        super().__init__(pairs)
        self.skipped: list[str] = list(skipped)
        self.skip_reason = skip_reason


def default_seed_dir() -> Path:
    env = os.environ.get("TWOSOURCE_SEED_DIR")
    return Path(env) if env else REPO.parent / "shared" / "corpus" / "seed-articles"


def apply_edits(sentence: str, edits: list, where: str = "") -> str:
    """``sentence`` with each ``[old, new]`` applied in order; every ``old`` must occur exactly
    once in the text it is applied to."""
    text = sentence
    for edit in edits:
        if not (isinstance(edit, list | tuple) and len(edit) == 2):
            raise SuiteError(f"{where}: an edit must be [old, new], got {edit!r}")
        old, new = edit
        if not old or old == new:
            raise SuiteError(f"{where}: empty or no-op edit {edit!r}")
        n = text.count(old)
        if n != 1:
            raise SuiteError(
                f"{where}: edit {old!r} -> {new!r} must match exactly once in the seed "
                f"sentence, found {n} times"
            )
        text = text.replace(old, new, 1)
    return text


def seed_sentence(seed_dir: Path, file: str, start: int, end: int, where: str = "") -> str:
    """The seed sentence ``file[start:end]`` (UTF-8 text, character offsets), checked to be a
    sentence-like span."""
    path = seed_dir / file
    if not path.is_file():
        raise SuiteError(f"{where}: seed file {file} not found in {seed_dir}")
    text = path.read_text(encoding="utf-8")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise SuiteError(f"{where}: offsets [{start}, {end}) outside {file} ({len(text)} chars)")
    span = text[start:end]
    if (
        span != span.strip()
        or "\n" in span
        or len(span) < 20
        or not span[0].isalnum()
        or span[-1] not in ".!?\"”’'"
    ):
        raise SuiteError(f"{where}: {file}[{start}:{end}] is not a sentence-like span")
    return span


def _describe(source: dict) -> str:
    kind = source.get("set")
    if kind == "wice":
        return f"WiCE dev, line {source['line']}, evidence sentence {source['sentence']}"
    if kind == "multihop_rag":
        outlet = f" ({source['outlet']})" if source.get("outlet") else ""
        return f"MultiHop-RAG, query {source['query']}, evidence {source['evidence']}{outlet}"
    if kind == "seed":
        return f"seed article {source['file']} [{source['start']}:{source['end']}]"
    if kind == "own":
        return f"written for the suite ({source.get('topic', '')})"
    return json.dumps(source, ensure_ascii=False)


def load_suite(path: Path = DEFAULT_SUITE, seed_dir: Path | None = None) -> SuitePairs:
    """The suite's pairs, in file order. Seed items are resolved from ``seed_dir`` (default:
    ``$TWOSOURCE_SEED_DIR`` or ../shared/corpus/seed-articles); when that folder is absent they
    are skipped, listed in ``.skipped``, and a warning says so. Malformed lines, unknown kinds,
    labels that do not match their kind, duplicate ids and unresolvable seed references raise
    ``SuiteError``."""
    path = Path(path)
    seed_dir = Path(seed_dir) if seed_dir is not None else default_seed_dir()
    have_seed = seed_dir.is_dir()
    pairs: list[SuitePair] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{where}: not JSON ({exc})") from exc
        item_id, kind, label = rec.get("id"), rec.get("kind"), rec.get("label")
        source = rec.get("source") or {}
        if not item_id or item_id in seen:
            raise SuiteError(f"{where}: missing or duplicate id {item_id!r}")
        seen.add(item_id)
        where = f"{where} ({item_id})"
        if kind not in KINDS:
            raise SuiteError(f"{where}: unknown kind {kind!r}")
        expected = "supported" if kind == PARAPHRASE else "not_supported"
        if label != expected:
            raise SuiteError(f"{where}: a {kind} item must be labelled {expected}, not {label!r}")
        if source.get("set") == "seed":
            if "passage" in rec or "claim" in rec:
                raise SuiteError(f"{where}: seed items store edits, never seed text")
            if not have_seed:
                skipped.append(item_id)
                continue
            passage = seed_sentence(seed_dir, source["file"], source["start"], source["end"], where)
            claim = apply_edits(passage, rec.get("edits") or [], where)
        elif source.get("set") in SETS:
            passage, claim = rec.get("passage"), rec.get("claim")
            if not passage or not claim:
                raise SuiteError(f"{where}: public-set items need passage and claim")
        else:
            raise SuiteError(f"{where}: unknown source set {source.get('set')!r}")
        if claim == passage:
            raise SuiteError(f"{where}: the claim is the passage itself")
        pairs.append(
            SuitePair(
                id=item_id,
                kind=kind,
                label=label,
                passage=passage,
                claim=claim,
                source=_describe(source),
                set=source["set"],
                note=rec.get("note", ""),
            )
        )
    reason = ""
    if skipped:
        reason = f"seed folder {seed_dir} not found: {len(skipped)} seed items skipped"
        warnings.warn(reason, stacklevel=2)
    return SuitePairs(pairs, skipped, reason)


def _supported(result: object) -> bool:
    return bool(getattr(result, "supported", result))


def evaluate_suite(check: Callable[[str, list[str]], object], pairs: Iterable[SuitePair]) -> dict:
    """Runs ``check(claim, [passage])`` on every pair (anything with a ``.supported`` attribute,
    or a bool, counts as the verdict; ``.reasons`` is kept for the misses).

    Per kind: pairs, accepted, rejected and ``rate`` — the acceptance rate for paraphrases, the
    rejection rate for perturbations — with the issue's target and whether it is met. Overall:
    paraphrase acceptance, perturbation rejection, accuracy, per source set accuracy, the
    misclassified pairs with the checker's reasons, and seconds per pair."""
    skipped = list(getattr(pairs, "skipped", None) or [])
    skip_reason = getattr(pairs, "skip_reason", "")
    pairs = list(pairs)
    counts = {k: {"n": 0, "accepted": 0, "rejected": 0} for k in KINDS}
    by_set: dict[str, dict[str, int]] = {}
    misses = []
    times = []
    for pair in pairs:
        t0 = time.perf_counter()
        result = check(pair.claim, [pair.passage])
        times.append(time.perf_counter() - t0)
        accepted = _supported(result)
        c = counts.setdefault(pair.kind, {"n": 0, "accepted": 0, "rejected": 0})
        c["n"] += 1
        c["accepted" if accepted else "rejected"] += 1
        correct = accepted == pair.supported
        s = by_set.setdefault(pair.set or "?", {"n": 0, "correct": 0})
        s["n"] += 1
        s["correct"] += correct
        if not correct:
            misses.append(
                {
                    "id": pair.id,
                    "kind": pair.kind,
                    "expected": pair.label,
                    "got": "supported" if accepted else "not_supported",
                    "claim": pair.claim,
                    "passage": pair.passage,
                    "source": pair.source,
                    "note": pair.note,
                    "reasons": [str(r) for r in (getattr(result, "reasons", None) or [])],
                }
            )
    kinds = {}
    for kind, c in counts.items():
        if not c["n"]:
            continue
        good = c["accepted"] if kind == PARAPHRASE else c["rejected"]
        rate = good / c["n"]
        target = TARGETS.get(kind)
        kinds[kind] = {
            **c,
            "rate": round(rate, 4),
            "measures": "accepted" if kind == PARAPHRASE else "rejected",
            "target": target,
            "meets_target": None if target is None else rate >= target,
        }
    para = counts[PARAPHRASE]
    pert = {
        "n": sum(counts[k]["n"] for k in counts if k != PARAPHRASE),
        "rejected": sum(counts[k]["rejected"] for k in counts if k != PARAPHRASE),
    }
    total = len(pairs)
    correct = total - len(misses)
    return {
        "suite": "contradictions",
        "pairs": total,
        "skipped": skipped,
        "skip_reason": skip_reason,
        "kinds": kinds,
        "overall": {
            "paraphrase_accepted": round(para["accepted"] / para["n"], 4) if para["n"] else None,
            "perturbations_rejected": round(pert["rejected"] / pert["n"], 4) if pert["n"] else None,
            "accuracy": round(correct / total, 4) if total else None,
            "all_targets_met": all(v["meets_target"] is not False for v in kinds.values()),
        },
        "by_set": {
            k: {**v, "accuracy": round(v["correct"] / v["n"], 4)} for k, v in sorted(by_set.items())
        },
        "misses": misses,
        "seconds_per_pair": round(sum(times) / len(times), 4) if times else 0.0,
        "seconds": round(sum(times), 2),
    }


def _rate(v: dict) -> str:
    good = v["accepted"] if v["measures"] == "accepted" else v["rejected"]
    return f"{v['rate']:.1%} ({good}/{v['n']} {v['measures']})"


def suite_markdown(report: dict, max_misses: int = 50) -> str:
    """The report as Markdown: kind | pairs | target | rate, the overall figures, then the
    misclassified pairs with the checker's reasons."""
    lines = ["| kind | pairs | target | rate |", "|---|---|---|---|"]
    for kind in [*KINDS, *(k for k in report["kinds"] if k not in KINDS)]:
        v = report["kinds"].get(kind)
        if not v:
            continue
        target = "" if v["target"] is None else f"≥ {v['target']:.0%} {v['measures']}"
        mark = "" if v["meets_target"] is None else (" ✓" if v["meets_target"] else " ✗")
        lines.append(f"| {kind} | {v['n']} | {target} | {_rate(v)}{mark} |")
    o = report["overall"]

    def fmt(x):
        return "–" if x is None else f"{x:.1%}"

    lines += [
        "",
        f"{report['pairs']} pairs: paraphrases accepted {fmt(o['paraphrase_accepted'])}, "
        f"perturbations rejected {fmt(o['perturbations_rejected'])}, accuracy "
        f"{fmt(o['accuracy'])}; {report['seconds_per_pair'] * 1000:.0f} ms per pair.",
    ]
    if report["by_set"]:
        sets = ", ".join(
            f"{SETS.get(k, k)} {v['accuracy']:.1%} ({v['n']})" for k, v in report["by_set"].items()
        )
        lines.append(f"Accuracy by source: {sets}.")
    judge = report.get("substitution_judge")
    if judge:
        lines.append(
            f"Substitution judge ({judge['model']}): {judge['slots']} aligned phrase pairs, "
            f"{judge['calls']} model calls ({judge['seconds']:.1f} s, median "
            f"{judge['median_seconds_per_call']:.2f} s per call), {judge['cache_hits']} cached."
        )
    if report.get("skipped"):
        why = report.get("skip_reason") or f"{len(report['skipped'])} items"
        lines.append(f"Skipped: {why}.")
    misses = report["misses"]
    if misses:
        lines += ["", f"Misses ({len(misses)}):", ""]
        for m in misses[:max_misses]:
            why = "; ".join(m["reasons"]) or "no reason given"
            lines.append(
                f"- `{m['id']}` ({m['kind']}, expected {m['expected']}): “{m['claim']}” — {why}"
            )
        if len(misses) > max_misses:
            lines.append(f"- … and {len(misses) - max_misses} more")
    return "\n".join(lines)


__all__ = [
    "DEFAULT_SUITE",
    "HELDOUT_SUITE",
    "KINDS",
    "PERTURBATIONS",
    "TARGETS",
    "SuiteError",
    "SuitePair",
    "SuitePairs",
    "apply_edits",
    "evaluate_suite",
    "load_suite",
    "seed_sentence",
    "suite_markdown",
]
