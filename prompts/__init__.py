"""Prompt templates, shipped as package data and loaded by name (see qa/prompting.py)."""
