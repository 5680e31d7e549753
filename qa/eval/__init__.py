"""Evaluation suites that measure the answering core on labelled and external data (one module
per suite, shared harness in ``common``); may import ``index`` and ``qa``, never ``qa.ui``.
"""
