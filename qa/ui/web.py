"""TwoSource web chat (Gradio): a thin layer over ``qa.api.Assistant``.

``create_app(assistant)`` builds the app (tests pass an assistant with a fake generator) and
``launch`` serves it, for ``twosource serve [--host 127.0.0.1] [--port 7860] [--data DIR]`` and
``python app.py``. Binds to 127.0.0.1 by default, serves no files (uploads are copied into the
data directory's ``uploads/`` and ingested), and renders article text escaped, never as markup.
"""

from __future__ import annotations

import re
import shutil
import sys
from html import escape
from pathlib import Path

from index.errors import TwoSourceError
from index.loaders import SUPPORTED

from ..api import Assistant
from .auth import AuthError, Guard, WebAuth, is_loopback, users_path
from .html import answer_html, chat_html

UPLOAD_TYPES = sorted(SUPPORTED)
CSS = """
.ts-chat {display:flex; flex-direction:column; gap:.6em}
.ts-q {align-self:flex-end; background:#e8f0fe; padding:.5em .8em; border-radius:.6em;
       max-width:85%}
.ts-a {background:#fafafa; border:1px solid #e5e5e5; padding:.6em .8em; border-radius:.6em}
.ts-cite {font-weight:600; text-decoration:none; margin-left:.1em; color:#1a56db}
.ts-why {display:inline}
.ts-why summary {display:inline; cursor:pointer; list-style:none}
.ts-badge {font-size:.8em; padding:.1em .45em; border-radius:.8em; margin-left:.3em}
.ts-flag {background:#fde8e8; color:#9b1c1c; border:1px solid #f8b4b4}
.ts-ok {background:#def7ec; color:#03543f; border:1px solid #84e1bc}
.ts-verified {background:#e1effe; color:#1e429f}
.ts-reason {font-size:.85em; color:#555; margin:.2em 0 .4em 1em}
.ts-dispute {font-size:.85em; color:#8a1f11; margin:.1em 0 .3em 1em}
.ts-dispute-quote {font-style:italic}
.ts-hl {background:#fff3a3; padding:0 .1em}
.ts-article {white-space:pre-wrap; max-height:28em; overflow-y:auto; font-size:.92em}
.ts-src-title {font-weight:700} .ts-src-meta, .ts-src-span, .ts-url {color:#555; font-size:.85em}
.ts-draft {color:#777; font-style:italic} .ts-status {color:#555; font-size:.85em}
.ts-abstain {font-weight:600} .ts-removed, .ts-extractive, .ts-overall {font-size:.85em; color:#555}
"""
# Clicking a citation copies its pre-rendered source panel into the side panel and scrolls the
# highlighted passage into view (all client-side, no round trip).
JS = """
() => {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('.ts-cite');
    if (!a) return;
    ev.preventDefault();
    const tpl = document.getElementById(a.dataset.target);
    const panel = document.getElementById('ts-source-panel');
    if (!tpl || !panel) return;
    panel.innerHTML = tpl.innerHTML;
    const mark = panel.querySelector('mark.ts-hl');
    if (mark) mark.scrollIntoView({block: 'center'});
  });
}
"""
PANEL_EMPTY = '<div id="ts-source-panel">Click a citation to see the passage in its article.</div>'
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _doc_rows(assistant: Assistant) -> list[list]:
    rows = []
    for d in assistant.documents():
        rows.append(
            [
                d.meta.title,
                d.meta.outlet or "(unknown)",
                d.meta.published or "",
                d.n_chunks,
                d.duplicate_of or "",
                assistant.registry.status(d.meta.outlet),
                d.doc_id,
            ]
        )
    return rows


def _outlets(assistant: Assistant) -> list[str]:
    return sorted({d.meta.outlet for d in assistant.documents() if d.meta.outlet}, key=str.lower)


def _model_label(assistant: Assistant) -> str:
    """The model in use, by name and file name: the page shows no directory of this machine."""
    from ..models import describe_llm

    info = describe_llm(assistant.settings)
    where = info.path.name if info.path else info.detail
    return f"{info.name} ({info.source}) — {where}"


def model_concurrency(assistant: Assistant) -> int:
    """Questions answered at once: one for an in-process model (it writes one answer at a
    time), the pool's total slots for LLM servers (``llm.url``, ``llm.slots``). The others
    wait in the queue and see their place in it."""
    if not assistant.settings.llm.url and assistant._generator is None:
        return 1  # the local model: no need to load it to know
    return max(1, int(getattr(assistant.engine.generator, "slots", 1)))


def create_app(assistant: Assistant, max_upload_mb: float | None = None):
    """Build the Gradio Blocks app over ``assistant`` (tests pass one with a fake generator).
    Questions are answered ``model_concurrency(assistant)`` at a time."""
    import gradio as gr

    limit_mb = max_upload_mb or assistant.settings.ingest.max_file_mb
    answering = model_concurrency(assistant)
    uploads = Path(assistant.settings.data_dir) / "uploads"

    def ask(question, turns, k, outlet, since):
        turns = list(turns or [])
        turn = {"question": question or "", "status": "Searching the archive…", "draft": ""}
        turns.append(turn)
        try:
            if since and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", since.strip()):
                raise TwoSourceError("'Published since' takes a date such as 2024-11-26")
            filters = assistant.filters(outlet=(outlet or "").strip(), since=(since or "").strip())
            yield chat_html(turns), turns, ""
            history = [(t["asked"], t["answer"]) for t in turns[:-1] if t.get("answer")]
            for event in assistant.stream(question, k=int(k), filters=filters, history=history):
                if event.kind == "evidence":
                    turn["status"] = f"Found {len(event.evidence)} evidence passages; writing…"
                elif event.kind == "token":
                    turn["draft"] += event.text
                elif event.kind == "answer":
                    turn["status"] = "Checking citations and sources…"
                    answer = event.answer
                    turn["asked"], turn["answer"] = question, answer  # the next turn's history
                    if answer.rewritten_question:
                        understood = answer.rewritten_question
                        turn["question"] = f"{question} (understood as: {understood})"
                    ids = {c.doc_id for c in answer.citations()}
                    docs = {i: assistant.index.document(i) for i in ids}
                    texts = {i: d.cleaned_text for i, d in docs.items() if d}
                    urls = {i: d.meta.url for i, d in docs.items() if d}
                    turn["html"] = answer_html(answer, len(turns), texts, urls)
                yield chat_html(turns), turns, ""
        except TwoSourceError as exc:
            turn["html"] = f'<div class="ts-error">{escape(str(exc))}</div>'
            yield chat_html(turns), turns, ""

    def save_status(outlet, status):
        if not outlet or not status:
            return _doc_rows(assistant), "Choose an outlet and a status."
        entry = assistant.registry.set(outlet, status)
        return _doc_rows(assistant), f"{entry.name} is now **{entry.status}**."

    def ingest_files(files, progress=gr.Progress(track_tqdm=True)):  # noqa: B008 (Gradio idiom)
        if not files:
            return _doc_rows(assistant), "No file chosen.", gr.update()
        uploads.mkdir(parents=True, exist_ok=True)
        accepted, messages = [], []
        for f in files:
            src = Path(f if isinstance(f, str) else f.name)
            name = _SAFE_NAME.sub("_", src.name).lstrip(".") or "upload"
            if Path(name).suffix.lower() not in SUPPORTED:
                messages.append(
                    f"✗ {src.name}: unsupported type (allowed: {', '.join(UPLOAD_TYPES)})"
                )
                continue
            size_mb = src.stat().st_size / 1e6
            if size_mb > limit_mb:
                messages.append(f"✗ {src.name}: {size_mb:.1f} MB, over the {limit_mb:.0f} MB limit")
                continue
            dest = uploads / name
            shutil.copyfile(src, dest)
            accepted.append(dest)
        if accepted:
            try:
                report = assistant.ingest(accepted, progress=True)  # tqdm bars → gr.Progress
            except TwoSourceError as exc:
                messages.append(f"✗ {exc}")
            else:
                messages += [f"✓ {Path(p).name} added" for p in report.added + report.updated]
                messages += [f"• {Path(p).name} unchanged" for p in report.unchanged]
                messages += [f"✗ {Path(p.path).name}: {p.reason}" for p in report.problems]
                for path, original in report.duplicates:
                    messages.append(f"• {Path(path).name} is a copy of document {original}")
        return (
            _doc_rows(assistant),
            "\n".join(f"- {m}" for m in messages),
            gr.update(choices=_outlets(assistant)),
        )

    with gr.Blocks(title="TwoSource") as demo:
        gr.Markdown(
            "# TwoSource\nAnswers from your own archive. Every sentence cites its source; "
            "what rests on a single unverified source is flagged."
        )
        turns = gr.State([])
        with gr.Tab("Ask"), gr.Row():
            with gr.Column(scale=3):
                chat = gr.HTML(chat_html([]), elem_id="ts-chat-box")
                question = gr.Textbox(
                    label="Question",
                    placeholder="e.g. How long will the bridge be closed?",
                    elem_id="ts-question",
                )
                send = gr.Button("Ask", variant="primary", elem_id="ts-ask")
                with gr.Accordion("Settings", open=False):
                    k = gr.Slider(
                        1,
                        20,
                        value=assistant.settings.answer.k,
                        step=1,
                        label="Passages to retrieve",
                    )
                    outlet = gr.Textbox(label="Only outlets whose name contains")
                    since = gr.Textbox(label="Published since (YYYY-MM-DD)")
                    gr.Markdown(f"Model in use: `{_model_label(assistant)}`")
            with gr.Column(scale=2):
                gr.HTML(PANEL_EMPTY, elem_id="ts-source-box")
        with gr.Tab("Sources"):
            table = gr.Dataframe(
                value=_doc_rows(assistant),
                headers=["title", "outlet", "date", "chunks", "duplicate of", "status", "id"],
                interactive=False,
                elem_id="ts-sources",
                wrap=True,
            )
            with gr.Row():
                outlet_dd = gr.Dropdown(choices=_outlets(assistant), label="Outlet")
                status = gr.Radio(["verified", "unreliable", "unknown"], label="Status")
                save = gr.Button("Save status", elem_id="ts-save-status")
            status_msg = gr.Markdown(elem_id="ts-status-msg")
            files = gr.File(
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                label="Add articles",
                elem_id="ts-upload",
            )
            add = gr.Button("Ingest uploaded files", elem_id="ts-ingest")
            ingest_log = gr.Markdown(elem_id="ts-ingest-log")

        inputs = [question, turns, k, outlet, since]
        outputs = [chat, turns, question]
        for trigger in (send.click, question.submit):
            trigger(ask, inputs, outputs, concurrency_limit=answering, concurrency_id="model")
        save.click(save_status, [outlet_dd, status], [table, status_msg])
        add.click(ingest_files, [files], [table, ingest_log, outlet_dd], concurrency_limit=1)
    demo.queue(default_concurrency_limit=1, max_size=max(32, 8 * answering))
    return demo


def launch(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    block: bool = True,
    auth: WebAuth | None = None,
):
    """Serve the app for ``assistant`` on http://HOST:PORT (returns at once if not ``block``).

    Without ``auth`` (or with ``WebAuth()``) the app is open, which is refused unless ``host`` is
    a loopback address. With ``WebAuth.password(data_dir)`` people log in with a user of the
    users file; with ``WebAuth.proxy_header(name)`` a trusted reverse proxy names the user.
    Every response carries security headers, and anonymous requests are refused (``Guard``)."""
    from starlette.middleware import Middleware

    auth = auth or WebAuth()
    if auth.mode == "none" and not is_loopback(host):
        raise AuthError(
            f"refusing to serve on {host} without authentication: anyone who can reach it could "
            "read the archive. Add a user with `twosource users add NAME` (then serve with "
            "logins), use --auth-header behind a reverse proxy, or bind to 127.0.0.1"
        )
    if auth.mode == "password" and not auth.users():
        raise AuthError(
            f"no users in {users_path(auth.data_dir)}: add one with `twosource users add NAME`"
        )
    demo = create_app(assistant)
    limit = assistant.settings.ingest.max_file_mb
    gradio_auth = {}
    if auth.mode == "password":
        gradio_auth["auth"] = auth.check
        gradio_auth["auth_message"] = "TwoSource: log in with your user name and password."
    elif auth.mode == "header":

        def from_proxy(request):
            client = request.client.host if request.client else None
            return auth.header_user(dict(request.headers), client)

        gradio_auth["auth_dependency"] = from_proxy
    guard = Middleware(Guard, auth=auth, scrub=local_paths(assistant))
    return demo.launch(
        server_name=host,
        server_port=port,
        css=CSS,
        js=JS,
        quiet=True,
        max_file_size=f"{int(limit) + 1}mb",
        prevent_thread_lock=not block,
        footer_links=[],
        allowed_paths=[],
        share=False,
        ssr_mode=False,  # Python serves every route, so the Guard sees every request
        mcp_server=False,
        enable_monitoring=False,
        run_history=False,
        show_error=False,
        app_kwargs={"middleware": [guard]},
        **gradio_auth,
    )


def local_paths(assistant: Assistant) -> list[str]:
    """Directories of this machine that responses must not reveal: the data and models
    directories, the Python environment, the working directory, the home directory."""
    settings = assistant.settings
    paths = {
        settings.data_dir,
        settings.resolved_models_dir(),
        sys.prefix,
        sys.base_prefix,
        Path.cwd(),
        Path.home(),
    }
    from gradio.utils import get_upload_folder

    uploads = str(Path(get_upload_folder()).resolve())  # the browser needs these paths back
    out = set()
    for p in paths:
        if p:
            out.add(str(p))
            out.add(str(Path(p).resolve()))
    return sorted(
        (p for p in out if p not in ("/", "") and not uploads.startswith(p)),
        key=len,
        reverse=True,
    )
