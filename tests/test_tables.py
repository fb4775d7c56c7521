"""Results tables are DataFrames; only their display follows the course's format."""

from __future__ import annotations

import pandas as pd
import pytest

from course_utils.tables import format_value, table, to_html, to_text, use_table_style


def _example() -> pd.DataFrame:
    return table(["model", "parameters", "test MSE"],
                 [["simple", 225, 0.0041523], ["FC <wide>", 484_944, 12345.6]], title="T")


def test_table_keeps_numbers_as_numbers() -> None:
    frame = _example()
    assert isinstance(frame, pd.DataFrame) and frame.attrs["title"] == "T"
    assert frame["parameters"].dtype.kind == "i" and frame["test MSE"].dtype.kind == "f"
    assert frame.sort_values("parameters", ascending=False)["model"].iloc[0] == "FC <wide>"


@pytest.mark.parametrize(("value", "shown"), [
    (484_944, "484,944"), (0.0041523, "0.004152"), (12345.6, "12,346"), (1.5, "1.5"),
    (True, "True"), ("text", "text"), (float("nan"), ""), (None, ""),
])
def test_format_value(value: object, shown: str) -> None:
    assert format_value(value) == shown


def test_text_aligns_numbers_right_and_text_left() -> None:
    lines = to_text(_example()).splitlines()
    assert lines[0] == "T"
    assert lines[1].split() == ["model", "parameters", "test", "MSE"]
    assert lines[3].startswith("simple     ") and lines[3].endswith("0.004152")
    assert lines[4].endswith("12,346") and "484,944" in lines[4]


def test_html_escapes_text_and_has_the_caption() -> None:
    html = to_html(_example())
    assert "FC &lt;wide&gt;" in html and "<caption>T</caption>" in html
    assert '<td style="text-align: right">484,944</td>' in html


def test_notebooks_show_dataframes_in_the_course_format() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        use_table_style()
        data, _ = shell.display_formatter.format(_example())
        assert data["text/html"] == to_html(_example())
        assert data["text/plain"] == to_text(_example())
    finally:
        InteractiveShell.clear_instance()
