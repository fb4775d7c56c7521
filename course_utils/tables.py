"""Results tables as pandas DataFrames, shown in the course's house format.

Every table the course prints is a :class:`pandas.DataFrame` made by :func:`table`, so you
can sort it (``df.sort_values("test MSE")``), filter it, or save it (``df.to_csv(...)``).
The numbers stay numbers; only their display is formatted:

- whole numbers with thousands separators: ``484,944``;
- other numbers to 4 significant digits (``0.007172``), or as whole numbers with
  separators from 10,000 up;
- text as it is; no row index.

:func:`use_table_style` (called by :func:`course_utils.viz.use_house_style`) makes every
DataFrame a notebook cell returns display this way; :func:`to_text` gives the same table as
plain aligned text, for ``print``.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Sequence

import pandas as pd


def table(columns: Sequence[str], rows: Sequence[Sequence[object]],
          title: str | None = None) -> pd.DataFrame:
    """A DataFrame with ``columns`` and one row per entry of ``rows``; ``title`` becomes its caption."""
    frame = pd.DataFrame([list(row) for row in rows], columns=list(columns))
    if title:
        frame.attrs["title"] = title
    return frame


def format_value(value: object) -> str:
    """One cell as the course shows it (see the module's docstring)."""
    if isinstance(value, (bool, str)) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""
        return f"{number:.4g}" if abs(number) < 1e4 else f"{number:,.0f}"
    return str(value)


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[format_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def _numeric_columns(frame: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
            for dtype in frame.dtypes]


def to_text(frame: pd.DataFrame) -> str:
    """The table as aligned plain text: numbers right-aligned, text left-aligned.

    >>> print(to_text(table(["model", "parameters"], [["simple", 225], ["deep", 83905]])))
    model   parameters
    ------  ----------
    simple         225
    deep        83,905
    """
    columns = [str(c) for c in frame.columns]
    rows = _cells(frame)
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    numeric = _numeric_columns(frame)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w)
                         for c, w, n in zip(cells, widths, numeric)).rstrip()

    title = frame.attrs.get("title")
    out = [title] if title else []
    out += [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def to_html(frame: pd.DataFrame) -> str:
    """The table as an HTML ``<table>`` (what a notebook shows), numbers right-aligned."""
    numeric = _numeric_columns(frame)
    align = ['style="text-align: right"' if n else 'style="text-align: left"' for n in numeric]
    head = "".join(f"<th {a}>{html.escape(str(c))}</th>" for c, a in zip(frame.columns, align))
    body = "".join(
        "<tr>" + "".join(f"<td {a}>{html.escape(v)}</td>" for v, a in zip(row, align)) + "</tr>"
        for row in _cells(frame))
    title = frame.attrs.get("title")
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return (f'<table class="course-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def use_table_style() -> None:
    """Show every DataFrame a notebook cell returns in the course's format (HTML and text).

    Does nothing outside IPython. Only the display changes: the DataFrame itself, its
    values and its dtypes are untouched.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with JupyterLab
        return
    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(pd.DataFrame, to_html)
    formatters["text/plain"].for_type(pd.DataFrame, lambda frame, printer, cycle:
                                      printer.text(to_text(frame)))
