"""The ``twosource`` command line: a thin layer over ``index`` and ``qa``.

Exit codes: 0 success (for ``ask``: answered); 10 ``ask`` abstained (the archive lacks the
answer); 1 some input files could not be ingested (the rest were), or another error; 2 bad
usage, settings or question; 3 index missing, damaged or incompatible; 4 model missing;
5 the language model failed or its server is unreachable.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from index.errors import TwoSourceError
from qa.clikit import command_settings as _settings
from qa.clikit import echo_json as _echo_json
from qa.eval.cli import eval_group
from qa.settings_view import settings_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data",
    type=click.Path(file_okay=True, path_type=Path),
    envvar="TWOSOURCE_DATA_DIR",
    help="Index directory (default: ~/.local/share/twosource, or TWOSOURCE_DATA_DIR).",
)
@click.option("--embedder", help="Embedding model: 'default' or a sentence-transformers folder.")
@click.version_option(package_name="twosource")
@click.pass_context
def cli(ctx: click.Context, data: Path | None, embedder: str | None) -> None:
    """TwoSource: cited, corroborated answers from your own article archive, offline."""
    overrides = {}
    if embedder:
        overrides["embedding"] = {"model": embedder}
    ctx.obj = {"data": data, "overrides": overrides}


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--prune", is_flag=True, help="Forget indexed files that no longer exist.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another ingest is writing (exit 3).")
@click.option(
    "--ray",
    "use_ray",
    is_flag=True,
    help="Parse, chunk and embed on Ray (ingest.ray_address, else a local runtime); needs "
    "pip install 'twosource[scale]'.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Like --ray, with a local Ray runtime of N CPUs (or N embedding actors on a cluster).",
)
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    prune: bool,
    as_json: bool,
    quiet: bool,
    no_wait: bool,
    use_ray: bool,
    workers: int | None,
) -> None:
    """Add article files or folders (txt, md, html, pdf) to the index."""
    from index.ingest import ingest as run_ingest

    settings = _settings(ctx)
    executor = None
    if use_ray or workers:
        from index.distributed import RayExecutor, import_ray

        import_ray()  # fails here, before any work, when the 'scale' extra is missing
        executor = RayExecutor.from_settings(settings, workers)

    def waiting(pid: int | None) -> None:
        who = f" (pid {pid})" if pid else ""
        click.echo(f"waiting for the other ingest{who} to finish…", err=True)

    report = run_ingest(
        list(paths),
        settings,
        prune=prune,
        progress=not quiet and not as_json,
        wait=not no_wait,
        on_wait=waiting,
        executor=executor,
    )
    if as_json:
        _echo_json(
            {
                "data_dir": str(settings.data_dir),
                "generation": report.generation,
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "removed": report.removed,
                "duplicates": [{"path": p, "duplicate_of": d} for p, d in report.duplicates],
                "chunks_added": report.n_chunks_added,
                "problems": [{"path": p.path, "reason": p.reason} for p in report.problems],
            }
        )
    else:
        click.echo(
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed "
            f"({report.n_chunks_added} new chunks) → {settings.data_dir}"
        )
        for path, original in report.duplicates:
            click.echo(f"  near-duplicate: {path} is a copy of document {original}")
        for problem in report.problems:
            click.echo(f"  not ingested: {problem.path}: {problem.reason}", err=True)
    if report.problems:
        ctx.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the indexed documents with outlet, date, chunks and duplicate links."""
    from index.search import Index

    idx = Index(_settings(ctx))  # checksums and integrity checked on open, like search/ask
    docs = idx.documents()
    if as_json:
        _echo_json(
            [
                {
                    "doc_id": d.doc_id,
                    "title": d.meta.title,
                    "outlet": d.meta.outlet,
                    "author": d.meta.author,
                    "published": d.meta.published,
                    "url": d.meta.url,
                    "language": d.meta.language,
                    "inferred": list(d.meta.inferred),
                    "path": d.path,
                    "format": d.format,
                    "chunks": d.n_chunks,
                    "duplicate_of": d.duplicate_of,
                }
                for d in docs
            ]
        )
        return
    if not docs:
        click.echo("The index is empty.")
        return
    for d in docs:
        outlet = d.meta.outlet or "(unknown outlet)"
        if "outlet" in d.meta.inferred:
            outlet += "*"
        dup = f"  duplicate of {d.duplicate_of}" if d.duplicate_of else ""
        click.echo(
            f"{d.doc_id}  {d.meta.published or '----------':10}  {outlet[:28]:29} "
            f"{d.n_chunks:3} chunks  {d.meta.title[:70]}{dup}"
        )
    click.echo(f"{len(docs)} documents (* = inferred from the text)")


@cli.command()
@click.argument("query")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.pass_context
def search(ctx: click.Context, query: str, k: int, as_json: bool) -> None:
    """Show the passages closest to QUERY, with document and exact offsets."""
    from index.search import Index

    if not query.strip():
        raise click.UsageError("the query is empty")
    hits = Index(_settings(ctx)).search(query, k=k)
    if as_json:
        _echo_json(
            [
                {
                    "rank": h.rank,
                    "score": round(h.score, 4),
                    "doc_id": h.document.doc_id,
                    "title": h.document.meta.title,
                    "outlet": h.document.meta.outlet,
                    "published": h.document.meta.published,
                    "chunk_id": h.chunk.chunk_id,
                    "start": h.chunk.start,
                    "end": h.chunk.end,
                    "text": h.quote,
                }
                for h in hits
            ]
        )
        return
    for h in hits:
        d = h.document
        click.echo(
            f"[{h.rank}] {h.score:.3f}  {d.meta.outlet or '(unknown outlet)'} — {d.meta.title}"
            f" ({d.meta.published or 'undated'})"
        )
        click.echo(f"    doc {d.doc_id} chars [{h.chunk.start}, {h.chunk.end})")
        for line in h.quote.splitlines():
            click.echo(f"    │ {line}")
    if not hits:
        click.echo("No passages found.")


EXIT_ABSTAINED = 10


@cli.group()
def outlets() -> None:
    """The source registry: mark outlets verified or unreliable (sources.toml in the data dir)."""


@outlets.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def outlets_list(ctx: click.Context, as_json: bool) -> None:
    """Outlets in the index and in the registry, with their status."""
    from index.search import Index, index_exists
    from qa.sources import SourceRegistry

    settings = _settings(ctx.parent)
    registry = SourceRegistry(settings.data_dir)
    counts: dict[str, int] = {}
    if index_exists(settings):
        index = Index(settings)
        for d in index.documents():
            name = d.meta.outlet or "(unknown outlet)"
            counts[name] = counts.get(name, 0) + 1
        index.close()
    names = sorted(set(counts) | {e.name for e in registry.entries.values()}, key=str.lower)
    rows = [
        {"outlet": n, "documents": counts.get(n, 0), "status": registry.status(n)} for n in names
    ]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['status']:10} {r['documents']:4} docs  {r['outlet']}")
    click.echo(f"registry: {registry.path}")


@outlets.command("set")
@click.argument("outlet")
@click.argument("status", type=click.Choice(["verified", "unreliable", "unknown"]))
@click.option("--note", default="", help="Why (shown in the registry file).")
@click.pass_context
def outlets_set(ctx: click.Context, outlet: str, status: str, note: str) -> None:
    """Mark OUTLET as verified, unreliable or unknown."""
    from qa.sources import SourceRegistry

    settings = _settings(ctx.parent)
    entry = SourceRegistry(settings.data_dir).set(outlet, status, note)
    click.echo(f"{entry.name}: {entry.status}")


def _model_options(command):
    """--model and --llm-url, shared by the commands that answer questions."""
    command = click.option(
        "--llm-url",
        multiple=True,
        help="Base URL of an OpenAI-compatible server instead of a local model; several "
        "servers: repeat the option or separate URLs with commas (each question goes to the "
        "least busy).",
    )(command)
    return click.option("--model", help="A .gguf file, 'default' or 'smollm2'.")(command)


def _answer_options(command):
    """--k and the evidence filters (--outlet, --since, --until) of `ask` and `chat`."""
    for option in reversed(
        [
            click.option(
                "--k", "k", type=click.IntRange(1, 50), help="Passages to retrieve (default 6)."
            ),
            click.option(
                "--outlet", default="", help="Only passages from outlets whose name contains this."
            ),
            click.option(
                "--since", default="", help="Only articles published on or after this ISO date."
            ),
            click.option(
                "--until", default="", help="Only articles published on or before this ISO date."
            ),
        ]
    ):
        command = option(command)
    return command


def _llm_overrides(model: str | None, llm_url: tuple[str, ...]) -> dict | None:
    """The language-model settings given on the command line, or None."""
    llm = {k: v for k, v in {"model": model, "url": ",".join(llm_url)}.items() if v}
    return llm or None


def _check_dates(since: str, until: str) -> None:
    """Reject a malformed --since/--until, or a range that cannot match anything."""
    from index.metadata import iso_date_problem

    for name, value in (("--since", since), ("--until", until)):
        problem = iso_date_problem(value) if value else None
        if problem:
            raise click.BadParameter(problem, param_hint=name)
    shared = min(len(since.strip()), len(until.strip()))
    if since and until and since.strip()[:shared] > until.strip()[:shared]:
        raise click.BadParameter(
            f"'{since}' is after --until '{until}', so nothing could match", param_hint="--since"
        )


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the full structured answer.")
@_model_options
@_answer_options
@click.option("--no-stream", is_flag=True, help="Do not show the draft while it is written.")
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    k: int | None,
    as_json: bool,
    model: str | None,
    llm_url: tuple[str, ...],
    outlet: str,
    since: str,
    until: str,
    no_stream: bool,
) -> None:
    """Answer QUESTION from the archive, with a verified citation on every sentence."""
    _check_dates(since, until)
    from qa.api import Assistant
    from qa.ui.terminal import render_answer

    llm = _llm_overrides(model, llm_url)
    settings = _settings(ctx, llm=llm)
    assistant = Assistant(settings=settings, progress=not as_json)
    filters = assistant.filters(outlet=outlet, since=since, until=until)
    show_draft = not (as_json or no_stream)
    answer = None
    for event in assistant.stream(question, k=k, filters=filters):
        if event.kind == "evidence" and show_draft:
            click.echo(f"Found {len(event.evidence)} evidence passages.", err=True)
        elif event.kind == "token" and show_draft:
            click.echo(click.style(event.text, dim=True), nl=False, err=True)
        elif event.kind == "answer":
            answer = event.answer
    if show_draft:
        click.echo("", err=True)
    assert answer is not None
    if as_json:
        _echo_json(answer.to_dict())
    else:
        click.echo(render_answer(answer))
    if answer.status == "abstained":
        ctx.exit(EXIT_ABSTAINED)


@cli.command()
@_model_options
@_answer_options
@click.pass_context
def chat(
    ctx: click.Context,
    k: int | None,
    model: str | None,
    llm_url: tuple[str, ...],
    outlet: str,
    since: str,
    until: str,
) -> None:
    """A conversation in the terminal: one question per line (until EOF or 'exit'); follow-ups
    such as "Who said it would close?" are understood from the earlier turns."""
    _check_dates(since, until)
    from qa.api import Assistant
    from qa.conversation import Conversation
    from qa.ui.terminal import render_answer

    llm = _llm_overrides(model, llm_url)
    assistant = Assistant(settings=_settings(ctx, llm=llm), progress=True)
    conversation = Conversation(assistant)
    filters = assistant.filters(outlet=outlet, since=since, until=until)
    stdin = sys.stdin
    interactive = stdin.isatty()
    while True:
        if interactive:
            click.echo("> ", nl=False, err=True)
        line = stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question.lower() in ("exit", "quit"):
            break
        try:
            answer = conversation.ask(question, k=k, filters=filters)
        except TwoSourceError as exc:
            if exc.exit_code != 2:  # a bad question is reported and the chat goes on
                raise
            click.echo(f"Error: {exc}", err=True)
            continue
        if answer.rewritten_question:  # by the rules, or by the model when they could not
            click.echo(f"(understood as: {answer.rewritten_question})")
        click.echo(render_answer(answer))
        click.echo("")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@_model_options
@click.option(
    "--auth",
    "require_login",
    is_flag=True,
    help="Require a login (users of `twosource users`) on loopback too; always on elsewhere.",
)
@click.option(
    "--auth-header",
    metavar="NAME",
    help="Reverse-proxy mode: trust the user name a proxy puts in this header "
    "(e.g. X-Forwarded-User) instead of logins.",
)
@click.option(
    "--trusted-proxy",
    multiple=True,
    metavar="ADDR",
    help="Address or network of the proxy whose --auth-header is believed (default: loopback).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    model: str | None,
    llm_url: tuple[str, ...],
    require_login: bool,
    auth_header: str | None,
    trusted_proxy: tuple[str, ...],
) -> None:
    """Start the web chat (Gradio) on http://HOST:PORT.

    On 127.0.0.1 it is open to this machine; on any other address it needs authentication:
    users added with `twosource users add NAME` log in, or (--auth-header) a reverse proxy in
    front authenticates them and names the user in a header."""
    from qa.ui.auth import WebAuth, is_loopback, load_users, users_path

    llm = _llm_overrides(model, llm_url)
    settings = _settings(ctx, llm=llm)
    if auth_header:
        auth = WebAuth.proxy_header(auth_header.strip(), list(trusted_proxy) or None)
        how = f"users named by the proxy in {auth.header}"
    elif require_login or not is_loopback(host):
        if not load_users(settings.data_dir):
            why = "--auth was given" if is_loopback(host) else f"{host} is not a loopback address"
            click.echo(
                f"Error: refusing to serve: {why}, and there are no users in "
                f"{users_path(settings.data_dir)}. Add one with "
                f"`twosource --data {settings.data_dir} users add NAME`, or serve behind a "
                "single sign-on proxy with --auth-header X-Forwarded-User, or bind to 127.0.0.1.",
                err=True,
            )
            ctx.exit(2)
        auth = WebAuth.password(settings.data_dir)
        how = f"log in as a user of {users_path(settings.data_dir)}"
    else:
        auth, how = WebAuth(), "open to this machine only"
    from qa.api import Assistant
    from qa.ui.web import launch

    assistant = Assistant(settings=settings, progress=True)
    click.echo(f"TwoSource web chat on http://{host}:{port} ({how}; Ctrl+C to stop)", err=True)
    launch(assistant, host, port, auth=auth)


@cli.group()
def users() -> None:
    """Who may log in to the web chat (users.toml in the data dir: names and password hashes)."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line.")
@click.pass_context
def users_add(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Add user NAME (or change their password); prompts for the password twice."""
    from qa.ui.auth import add_user, check_name, users_path

    data_dir = _settings(ctx.parent).data_dir
    check_name(name)  # before asking for a password
    replaced = add_user(data_dir, name, _read_password(password_stdin))
    click.echo(f"{'password changed for' if replaced else 'added'} {name} → {users_path(data_dir)}")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """The users who may log in."""
    from qa.ui.auth import load_users, users_path

    data_dir = _settings(ctx.parent).data_dir
    names = sorted(load_users(data_dir))
    for name in names:
        click.echo(name)
    click.echo(f"{len(names)} users in {users_path(data_dir)}", err=True)


@users.command("remove")
@click.argument("name")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> None:
    """Remove user NAME (their open sessions end at their next request)."""
    from qa.ui.auth import remove_user

    if not remove_user(_settings(ctx.parent).data_dir, name):
        click.echo(f"Error: no user named {name!r}", err=True)
        ctx.exit(1)
    click.echo(f"removed {name}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--no-embed", is_flag=True, help="Skip embedding a sample of chunks again (no model load)."
)
@click.pass_context
def check(ctx: click.Context, as_json: bool, no_embed: bool) -> None:
    """Check the index thoroughly and say whether to restore or re-ingest (exit 3 if damaged)."""
    from index.check import check_index

    settings = _settings(ctx)
    if settings.index.backend != "faiss":
        raise click.ClickException(
            "`twosource check` inspects the FAISS store's generations and checksums; this index "
            f"is in {settings.index.backend} (index.backend), which keeps its own data "
            "consistent — use its own tools, or re-ingest into a new collection"
        )
    embed = None
    if not no_embed:

        def embed(texts):
            from index.embed import load_embedder

            return load_embedder(settings).embed(texts)

    report = check_index(settings.data_dir, embed=embed)
    if as_json:
        _echo_json(report.to_dict())
    else:
        for c in report.checks:
            click.echo(f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
        click.echo(report.advice)
    if not report.ok:
        ctx.exit(3)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--model", help="A .gguf path, 'default' or 'smollm2'.")
@click.pass_context
def models(ctx: click.Context, as_json: bool, model: str | None) -> None:
    """Show which embedder and language model would be used, without loading them."""
    from index.embed import resolve_embedder_path
    from qa.models import describe_llm

    settings = _settings(ctx, llm={"model": model} if model else None)
    try:
        name, path = resolve_embedder_path(settings.embedding.model)
        emb = {"name": name, "path": str(path), "ok": True}
    except TwoSourceError as exc:
        emb = {"name": settings.embedding.model, "path": None, "ok": False, "detail": str(exc)}
    info = describe_llm(settings)
    llm = {
        "name": info.name,
        "path": str(info.path) if info.path else None,
        "source": info.source,
        "ok": info.source != "missing",
        "detail": info.detail,
    }
    if as_json:
        _echo_json({"embedder": emb, "llm": llm})
    else:
        click.echo(f"embedder: {emb['name']}  {emb['path'] or emb.get('detail')}")
        click.echo(f"llm:      {llm['name']}  {llm['path'] or ''}  {llm['detail']}")
    if not (emb["ok"] and llm["ok"]):
        ctx.exit(4)


cli.add_command(eval_group)
cli.add_command(settings_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns TwoSource errors into a message and an exit code."""
    try:
        code = cli.main(args=argv, prog_name="twosource", standalone_mode=False)
        if isinstance(code, int) and code:  # ctx.exit(n) returns n when not standalone
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except TwoSourceError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except sqlite3.DatabaseError as exc:  # damage that the checks on open did not catch
        click.echo(
            f"Error: the index database is damaged ({exc}) — run `twosource check` for details, "
            "then restore the data directory from a backup or re-ingest",
            err=True,
        )
        sys.exit(3)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(0)


if __name__ == "__main__":
    main()
