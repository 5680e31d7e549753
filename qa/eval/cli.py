"""``twosource eval``: the command group that runs the evaluation suites and prints their
reports (registered on the main CLI by ``qa.cli``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..clikit import command_settings, echo_json

# Only light imports at module level: `twosource` loads this group on every start, and the
# suites (index, models) are imported by the command that runs them.
REPO = Path(__file__).resolve().parents[2]
# The external evaluation data (MultiHop-RAG, WiCE, RGB, RAMDocs) is read from here at run
# time and never copied into the project.
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"


@click.group("eval")
def eval_group() -> None:
    """Measure TwoSource: retrieval, answers, support checking, flags, conflicting sources."""


@eval_group.command("flags")
@click.option(
    "--labels",
    type=click.Path(exists=True, path_type=Path),
    default=REPO / "eval" / "labels.jsonl",
    show_default=True,
)
@click.option("--demo-dir", type=click.Path(path_type=Path), default=REPO / "examples" / "articles")
@click.option(
    "--seed-dir",
    type=click.Path(path_type=Path),
    default=REPO.parent / "shared" / "corpus" / "seed-articles",
)
@click.option(
    "--disputes-dir",
    type=click.Path(path_type=Path),
    default=REPO / "eval" / "articles",
    help="Articles written for the paraphrase, relay, copy and conflict cases.",
)
@click.option("--json", "as_json", is_flag=True)
def eval_flags(
    labels: Path, demo_dir: Path, seed_dir: Path, disputes_dir: Path, as_json: bool
) -> None:
    """Flag precision/recall on the labelled claims (fresh temporary indexes)."""
    from .common import markdown
    from .flags import evaluate_flags

    corpora = {"demo": demo_dir, "seed": seed_dir, "disputes": disputes_dir}
    for name, folder in corpora.items():
        if not folder.is_dir():
            raise click.BadParameter(f"{folder} is not a folder", param_hint=f"--{name}-dir")
    report = evaluate_flags(labels, corpora)
    if as_json:
        echo_json(report)
        return
    click.echo(markdown(report))
    for row in report["rows"]:
        if row["flagged"] != row["expected_flag"] or row["status"] != row["expected_status"]:
            click.echo(
                f"  miss: {row['id']}: got {row['status']} (flagged={row['flagged']}) — "
                f"{row['reason']}"
            )


@eval_group.command("followups")
@click.option(
    "--labels",
    type=click.Path(exists=True, path_type=Path),
    default=REPO / "eval" / "followups.jsonl",
    show_default=True,
)
@click.option("--demo-dir", type=click.Path(path_type=Path), default=REPO / "examples" / "articles")
@click.option("--k", "k", type=click.IntRange(1, 20), default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_followups(labels: Path, demo_dir: Path, k: int, as_json: bool) -> None:
    """Follow-up rewriting: rewrite accuracy and hit@k of the expected article (no LLM)."""
    from .common import markdown
    from .followups import evaluate_followups

    if not demo_dir.is_dir():
        raise click.BadParameter(f"{demo_dir} is not a folder", param_hint="--demo-dir")
    report = evaluate_followups(labels, demo_dir, k=k)
    if as_json:
        echo_json(report)
        return
    click.echo(markdown(report))
    for row in report["rows"]:
        if not (row["rewrite_ok"] and row["hit"]):
            click.echo(
                f"  miss: {row['id']}: {row['followup']!r} → {row['rewritten']!r}"
                f" (missing {row['missing_words']}, documents {row['documents']})"
            )


_EVAL_DIR = click.option(
    "--eval-dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_EVAL_DIR,
    show_default=True,
    help="Folder holding multihop_rag/, wice/, rgb_en_fact/, ramdocs/.",
)


@eval_group.command("conflicts")
@click.option("--dataset", type=click.Choice(["rgb", "ramdocs"]), default="rgb")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option(
    "--eval-dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_EVAL_DIR,
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True)
def eval_conflicts(dataset: str, limit: int, eval_dir: Path, as_json: bool) -> None:
    """How often contradicting documents surface as disputed (RGB, RAMDocs)."""
    from .common import markdown
    from .conflicts import evaluate_conflicts

    if not eval_dir.is_dir():
        raise click.BadParameter(f"{eval_dir} is not a folder", param_hint="--eval-dir")
    report = evaluate_conflicts(dataset, eval_dir, limit)
    click.echo(json.dumps(report, indent=2) if as_json else markdown(report))


def _check_eval_dir(eval_dir: Path, *subdirs: str) -> None:
    for sub in subdirs:
        if not (eval_dir / sub).is_dir():
            raise click.BadParameter(
                f"{eval_dir / sub} not found (the evaluation data lives in ../shared/eval)",
                param_hint="--eval-dir",
            )


def _progress_bar(desc: str):
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit="q", file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return update


def _multihop_report(
    ctx: click.Context,
    evaluate: Callable[..., dict],
    to_markdown: Callable[[dict], str],
    eval_dir: Path,
    limit: int,
    as_json: bool,
    llm: dict | None = None,
    **extra,
) -> None:
    """Run a MultiHop-RAG suite with the command's embedder (and, when ``llm`` is given, its
    language model overrides) and print the report."""
    _check_eval_dir(eval_dir, "multihop_rag")
    settings = command_settings(ctx, llm=llm or None)
    models = {"embedding": settings.embedding.model_dump(), "models_dir": settings.models_dir}
    if llm is not None:  # the suite asks the language model
        models["llm"] = settings.llm.model_dump()
    report = evaluate(eval_dir, limit, progress=_progress_bar("Questions"), **extra, **models)
    click.echo(json.dumps(report, indent=2) if as_json else to_markdown(report))


@eval_group.command("retrieval")
@_EVAL_DIR
@click.option("--limit", type=click.IntRange(0), default=0, help="Questions (0 = all 300).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_retrieval(ctx: click.Context, eval_dir: Path, limit: int, as_json: bool) -> None:
    """Recall@k / MRR@10 on MultiHop-RAG: dense, BM25, hybrid, hybrid + rerank."""
    from .retrieval import evaluate_retrieval, retrieval_markdown

    _multihop_report(ctx, evaluate_retrieval, retrieval_markdown, eval_dir, limit, as_json)


@eval_group.command("answers")
@_EVAL_DIR
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=8,
    show_default=True,
    help="Questions, round-robin over the four types (0 = all 300).",
)
@click.option("--model", help="A .gguf file, 'default' or 'smollm2'.")
@click.option("--llm-url", help="Base URL of an OpenAI-compatible server instead.")
@click.option(
    "--log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append each scored question to this JSON-lines file as it finishes; questions "
    "already in it (same model) are not asked again, so an interrupted run continues.",
)
@click.option(
    "--type",
    "qtypes",
    multiple=True,
    type=click.Choice(["inference", "comparison", "temporal", "null"]),
    help="Only questions of this type (repeatable); --limit counts within them.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_answers(
    ctx: click.Context,
    eval_dir: Path,
    limit: int,
    model: str | None,
    llm_url: str | None,
    log: Path | None,
    qtypes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Answer accuracy, refusals and citations on MultiHop-RAG (uses the language model)."""
    from .answers import answers_markdown, evaluate_answers

    if log is not None and not log.parent.is_dir():
        raise click.BadParameter(
            f"{log.parent} is not a directory; give a file in an existing folder",
            param_hint="--log",
        )
    llm = {k: v for k, v in (("model", model), ("url", llm_url)) if v}
    _multihop_report(
        ctx,
        evaluate_answers,
        answers_markdown,
        eval_dir,
        limit,
        as_json,
        llm,
        log=log,
        types=qtypes,
    )


@eval_group.command("support")
@_EVAL_DIR
@click.option("--limit", type=click.IntRange(0), default=0, help="Claims (0 = all 349).")
@click.option(
    "--suite",
    type=click.Choice(["wice", "contradictions", "heldout"]),
    default="wice",
    show_default=True,
    help="'wice': WiCE's human labels; 'contradictions': eval/contradictions.jsonl, true "
    "paraphrases and one-change perturbations of real sentences (negation, antonym, role, "
    "number, date, entity, hedge, scope); 'heldout': eval/contradictions_heldout.jsonl, pairs "
    "of the same kinds written apart from the rules and never tuned on.",
)
@click.option(
    "--judge/--no-judge",
    default=None,
    help="With --suite contradictions/heldout: load the language model for the substitution "
    "judge (verify.substitution_judge: a sentence that repeats its passage but for one phrase) "
    "and report its calls and seconds. Default: as the settings say.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_support(
    ctx: click.Context, eval_dir: Path, limit: int, suite: str, judge: bool | None, as_json: bool
) -> None:
    """The citation support checker against labelled claim–passage pairs."""
    from index.embed import load_embedder

    from .common import markdown

    settings = command_settings(ctx)
    if suite in ("contradictions", "heldout"):
        from ..verify import CheckerConfig, SupportChecker
        from .contradictions import HELDOUT_SUITE, evaluate_suite, load_suite, suite_markdown

        checker = SupportChecker(
            load_embedder(settings).embed, config=CheckerConfig.from_settings(settings)
        )
        if settings.verify.substitution_judge if judge is None else judge:
            from ..llm import make_generator
            from ..substitution import judge_from_settings

            checker.substitution = judge_from_settings(settings, make_generator(settings))
        pairs = load_suite(HELDOUT_SUITE) if suite == "heldout" else load_suite()
        if limit:
            pairs = pairs[:limit]
        report = evaluate_suite(checker.check, pairs)
        if checker.substitution is not None:
            report["substitution_judge"] = checker.substitution.stats()
        click.echo(json.dumps(report, indent=2) if as_json else suite_markdown(report))
        return
    from .support import evaluate_support

    _check_eval_dir(eval_dir, "wice")
    report = evaluate_support(eval_dir, limit, load_embedder(settings))
    click.echo(json.dumps(report, indent=2) if as_json else markdown(report))


__all__ = ["eval_group"]
