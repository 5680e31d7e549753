"""TwoSource answering layer: retrieval, generation, citations, corroboration, CLI and API.

Builds on :mod:`index`; the CLI (``qa.cli``), the Python API and the web app are thin layers
over it.
"""
