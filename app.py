"""Launch the TwoSource web chat: ``python app.py [--data DIR] [--host H] [--port P]``.

The app itself lives in ``qa/ui/web.py`` (``create_app``, ``launch``); ``twosource serve`` is the
same with the CLI's settings flags.
"""

from __future__ import annotations

import argparse

from index.errors import TwoSourceError
from qa.api import Assistant
from qa.ui.web import create_app, launch

__all__ = ["create_app", "launch"]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="TwoSource web chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    try:
        launch(Assistant(args.data), args.host, args.port)
    except TwoSourceError as exc:  # e.g. a non-loopback host without users: say so, no traceback
        raise SystemExit(f"Error: {exc}") from None
