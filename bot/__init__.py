"""Verbatim's question answering: retrieval, answering, citation checks, CLI.

Importing `bot` loads nothing heavy; the CLI is `python -m bot` (see `bot/cli.py`).
"""
