"""A report's files: CSV tables, charts (PNG + SVG) and an HTML page that shows them.

Everything is rendered in memory as {file name: bytes}; the caller writes the files (the
CLI into --out). The page is Jinja2 with autoescape on, one template with its styles
inline, linking the chart files beside it, so the folder is self-contained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape

from gvm.reports.charts import Rendered

Files = dict[str, bytes]

_ENV = Environment(loader=PackageLoader("gvm.reports", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True, slots=True)
class Chart:
    stem: str  # file name without suffix
    alt: str  # what it shows, in words (the image's text alternative)

    @property
    def file(self) -> str:
        return f"{self.stem}.svg"

    @property
    def png(self) -> str:
        return f"{self.stem}.png"


@dataclass(frozen=True, slots=True)
class HtmlTable:
    caption: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(slots=True)
class Section:
    heading: str
    text: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[HtmlTable] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def add_chart(files: Files, section: Section, stem: str, rendered: Rendered,
              alt: str) -> None:
    """Put the chart's PNG and SVG in `files` and show it in `section`."""
    for suffix, content in rendered.items():
        files[f"{stem}.{suffix}"] = content
    section.charts.append(Chart(stem, alt))


def add_csv(files: Files, section: Section | None, name: str, frame: pl.DataFrame) -> None:
    files[name] = frame.write_csv().encode("utf-8")
    if section is not None:
        section.files.append(name)


def page(title: str, meta: str, sections: Sequence[Section], *,
         intro: Sequence[str] = (), note: str | None = None) -> bytes:
    html = _ENV.get_template("report.html").render(
        title=title, meta=meta, sections=sections, intro=intro, note=note)
    return html.encode("utf-8")


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def ci(row: dict, key: str) -> str:
    """"value (low-high)" of an estimate and its interval columns."""
    if row.get(key) is None:
        return "-"
    return f"{row[key]:.2f} ({fmt(row.get(f'{key}_low'))}-{fmt(row.get(f'{key}_high'))})"
