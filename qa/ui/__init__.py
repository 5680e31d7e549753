"""Presentation of answers: terminal text, HTML, and the Gradio web chat over ``qa.api``;
may import ``index`` and the ``qa`` core, and nothing in the core imports it.
"""
