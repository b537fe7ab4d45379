"""Why a key that acts on a panel (v, ↓ ↑) changes nothing there: said in the status line, not silence.

Each function answers for the panel as it is on screen now: its alternatives, longest first, or () when
the key does change something.
"""

from __future__ import annotations

import dataclasses


def _plain(content) -> str:
    """A drawing as plain text: a Rich Text, or a vector panel's list of lines."""
    return content.plain if hasattr(content, "plain") else "\n".join(line.plain for line in content)


def flow_paths_why(panel) -> tuple[str, ...]:
    """v switches the plain gradient-flow chart between every path in bands and a page of single paths; when
    all the paths fit the chart's rows both are the same drawing."""
    if not panel.display or panel.view is None:
        return ()  # off screen (a short terminal): v still sets what f will show
    width, height = panel.content_size.width, panel.content_size.height
    other = dataclasses.replace(panel.view, flow_paged=not panel.view.flow_paged)
    if _plain(panel.draw(panel.view, width, height)) != _plain(panel.draw(other, width, height)):
        return ()
    return ("v pages the gradient-flow chart when its paths do not all fit: every path is on screen here",
            "v: every path is on screen, nothing to page", "v: nothing to page")


def factors_why(step_panel, by: int) -> tuple[str, ...]:
    """↓ ↑ scroll a term's list of factors when it is longer than the step box; the window is measured by
    drawing the step as it is now (the one remembered may be another step's)."""
    key = "↓" if by > 0 else "↑"
    view = step_panel.view
    if view is None or view.tape.vector:
        return (f"{key} scrolls a one-unit term's list of factors: a hidden-vector step shows its factors whole",
                f"{key}: nothing to scroll here")
    view.cache.pop("factor_window", None)
    if step_panel.display:
        step_panel.draw(view, step_panel.content_size.width, step_panel.content_size.height)
    first, end, count = view.cache.get("factor_window", (0, 0, 0))
    if not count:
        return (f"{key} scrolls a term's list of factors: this step has none", f"{key}: no factors at this step")
    if end - first >= count:
        return (f"{key} scrolls a long list of factors: all {count} of this term's are shown",
                f"{key}: all {count} factors are shown", f"{key}: all shown")
    if by > 0 and end >= count:
        return (f"{key}: the list of factors is at its end (↑ scrolls back)", f"{key}: at the last factor")
    if by < 0 and first <= 0:
        return (f"{key}: the list of factors is at its start (↓ scrolls on)", f"{key}: at the first factor")
    return ()
