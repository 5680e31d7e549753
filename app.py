"""Launch the TwoSource web chat: ``python app.py [--data DIR] [--host H] [--port P]``.

The app itself lives in ``qa/ui/web.py`` (``create_app``, ``launch``); ``twosource serve`` is the
same with the CLI's settings flags.
"""

from __future__ import annotations

import argparse

from qa.api import Assistant
from qa.ui.web import create_app, launch

__all__ = ["create_app", "launch"]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="TwoSource web chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    launch(Assistant(args.data), args.host, args.port)
