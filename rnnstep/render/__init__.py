"""Trace printers: pure functions of a tape (rich table, JSON, markdown, LaTeX)."""

FORMATS = ("table", "json", "markdown", "latex")
