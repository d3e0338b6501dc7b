"""PNG charts of the analyses, with Chinese text (matplotlib's Agg canvas, no pyplot state).

Chinese labels need a font with CJK glyphs; ``cjk_font()`` uses the WenQuanYi Micro Hei shipped
in ``kg/data/fonts/`` (Apache-2.0) and falls back to any installed font that covers the test
text, so a chart never shows empty boxes.

>>> font = cjk_font()
>>> covers(font.path, "政府工作报告")
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # before anything imports pyplot: no display, same pixels everywhere

from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
#: Characters a font must have to be used for labels.
SAMPLE = "政府工作报告地区生产总值增长衢州市丽水铁路千万工程产业链"
_DPI = 150


@dataclass(frozen=True)
class Font:
    name: str
    path: str


def covers(path: str | Path, text: str) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``."""
    charmap = FT2Font(str(path)).get_charmap()
    return all(ord(c) in charmap for c in text if not c.isspace())


@cache
def cjk_font() -> Font:
    """The font for Chinese labels: the shipped one, else an installed CJK-capable one.

    Raises ``RuntimeError`` when neither exists (reinstall gov-kg, or install a CJK font such
    as Debian's ``fonts-noto-cjk``).
    """
    candidates = [str(p) for p in sorted(FONT_DIR.glob("*.tt[fc]"))]
    candidates += sorted({f.fname for f in font_manager.fontManager.ttflist})
    for path in candidates:
        try:
            if Path(path).is_file() and covers(path, SAMPLE):
                return Font(_register(path), path)
        except (OSError, RuntimeError):
            continue
    raise RuntimeError(f"no font with Chinese glyphs in {FONT_DIR} or installed on this machine")


def _register(path: str) -> str:
    """Add the font at ``path`` to matplotlib's font list; return its family name.

    Entries whose file has gone (a font uninstalled since matplotlib cached the list) are
    dropped first: looking one up makes matplotlib rebuild the list, which loses added fonts.
    """
    fm = font_manager.fontManager
    fm.ttflist = [f for f in fm.ttflist if Path(f.fname).is_file()]
    name = font_manager.FontProperties(fname=path).get_name()
    if name not in {f.name for f in fm.ttflist}:
        fm.addfont(path)
    return name


def _figure(width: float, height: float) -> Figure:
    font = cjk_font()
    _register(font.path)  # again: something may have rebuilt matplotlib's font list since
    matplotlib.rcParams["font.family"] = [font.name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return Figure(figsize=(width, height), dpi=_DPI, layout="constrained")


def _nothing(path: Path, title: str) -> Path:
    """A small chart that says there is nothing to show (rather than no file)."""
    fig = _figure(5, 2)
    fig.text(0.5, 0.5, f"{title}\n（无数据）", ha="center", va="center")
    return _save(fig, path)


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})  # no version: stable bytes
    return path


def heatmap(path: Path, rows: Sequence[str], cols: Sequence[str],
            values: Sequence[Sequence[float]], *, title: str, xlabel: str = "",
            cmap: str = "YlOrRd", fmt: str = "{:g}", vmax: float | None = None) -> Path:
    """A rows × cols grid of numbers, each cell coloured and written out (0 left blank, so
    no colour bar is needed)."""
    if not rows or not cols:
        return _nothing(path, title)
    label_width = 0.15 * max(len(r) for r in rows)  # inches of a 10 pt CJK label
    width = max(0.6 + label_width + 1.0 * len(cols), 0.18 * len(title))
    fig = _figure(width, 1.4 + 0.32 * len(rows))
    ax = fig.add_subplot()
    top = max((v for r in values for v in r), default=0) or 1
    vmax = vmax or 1.5 * top  # the largest count in a strong colour, not the darkest
    ax.imshow(np.ma.masked_equal(np.asarray(values, dtype=float), 0), cmap=cmap,
              aspect="auto", vmin=0, vmax=vmax)  # zeros masked: left white
    ax.set_xticks(range(len(cols)), cols, rotation=30 if len(cols) > 6 else 0)
    ax.set_yticks(range(len(rows)), rows)
    ax.xaxis.tick_top()
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                        color="white" if v > 0.6 * vmax else "black", in_layout=False)
    ax.set_title(title, pad=12)
    if xlabel:
        ax.set_xlabel(xlabel)
    return _save(fig, path)


def timeline(path: Path, entities: Sequence[str],
             spans: Mapping[str, Mapping[str, Sequence[int]]], *, title: str) -> Path:
    """Which cities mention each entity in which years: one row per entity, one colour per
    city, a dot per report year joined by a line from the first year to the last."""
    if not entities:
        return _nothing(path, title)
    cities = sorted({c for e in entities for c in spans[e]})
    years = sorted({y for e in entities for ys in spans[e].values() for y in ys})
    fig = _figure(3.0 + 1.2 * max(len(years), 2), 1.6 + 0.36 * len(entities))
    ax = fig.add_subplot()
    colours = matplotlib.colormaps["tab10"]
    step = 0.6 / max(len(cities), 1)
    for k, city in enumerate(cities):
        dy = (k - (len(cities) - 1) / 2) * step
        segments, xs, rows = [], [], []
        for i, entity in enumerate(entities):
            ys = sorted(spans[entity].get(city, ()))
            if ys:
                y = len(entities) - 1 - i + dy
                segments.append([(ys[0], y), (ys[-1], y)])
                xs += ys
                rows += [y] * len(ys)
        if not segments:
            continue
        # one collection of lines and one of dots per city (not an artist per entity):
        # the same picture, drawn several times faster when many cities share an entity
        ax.add_collection(LineCollection(segments, colors=[colours(k % 10)], linewidths=2,
                                         alpha=0.6, capstyle="projecting", zorder=2))
        ax.scatter(xs, rows, color=colours(k % 10), s=28, zorder=3, label=city)
    ax.set_yticks(range(len(entities)), list(reversed(entities)))
    if years:
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_xlabel("报告年份")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="城市")
    return _save(fig, path)


def series(path: Path, lines: Mapping[str, Mapping[str, Sequence[tuple[int, float]]]],
           *, title: str, ylabel: str) -> Path:
    """One line per city across years: ``lines[city][kind]`` are (year, value) points;
    actual figures solid, targets dashed with hollow markers."""
    if not lines:
        return _nothing(path, title)
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    colours = matplotlib.colormaps["tab10"]
    years: set[int] = set()
    for k, city in enumerate(sorted(lines)):
        for kind, style, face in (("actual", "-", None), ("target", "--", "none")):
            points = sorted(lines[city].get(kind, ()))
            if not points:
                continue
            years |= {y for y, _ in points}
            ax.plot([y for y, _ in points], [v for _, v in points], style, marker="o",
                    color=colours(k % 10), markerfacecolor=face,
                    label=f"{city}（{'实际' if kind == 'actual' else '目标'}）")
    if years:
        ax.set_xticks(sorted(years), [str(y) for y in sorted(years)])
    ax.set_xlabel("年份")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return _save(fig, path)


#: Colours of a target's status on the targets chart.
STATUS_COLOURS = {"met": "tab:green", "exceeded": "tab:blue", "missed": "tab:red"}
STATUS_NAMES = {"met": "完成", "exceeded": "超额完成", "missed": "未完成"}


@dataclass(frozen=True)
class TargetPoint:
    """One year of a target series: the target, the actual, the status and the band of
    actuals that meet the target (below it, above it)."""

    year: int
    target: float
    actual: float
    status: str
    band: tuple[float, float] = (0.0, 0.0)


def targets(path: Path, panels: Sequence[tuple[str, Sequence[TargetPoint]]], *,
            title: str) -> Path:
    """Target against actual over the years, one panel per indicator series (its title, its
    points): targets dashed with hollow markers (the band of actuals that meet it as an error
    bar), actuals solid, each actual coloured by its status."""
    if not panels:
        return _nothing(path, title)
    cols = min(len(panels), 2)
    rows = (len(panels) + cols - 1) // cols
    fig = _figure(5.2 * cols, 0.6 + 3.0 * rows)
    for k, (name, points) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, k + 1)
        points = sorted(points, key=lambda p: p.year)
        years = [p.year for p in points]
        ax.errorbar(years, [p.target for p in points],
                    yerr=[[p.band[0] for p in points], [p.band[1] for p in points]],
                    fmt="--o", color="grey", markerfacecolor="none", capsize=3, label="目标")
        ax.plot(years, [p.actual for p in points], "-", color="black", linewidth=1)
        for status, colour in STATUS_COLOURS.items():
            picked = [p for p in points if p.status == status]
            if picked:
                ax.scatter([p.year for p in picked], [p.actual for p in picked], color=colour,
                           s=36, zorder=3, label=f"实际（{STATUS_NAMES[status]}）")
        ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0,
                      fontsize=7 if len(years) > 8 else None)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False)
    fig.suptitle(title)
    return _save(fig, path)


def adoption(path: Path, curves: Mapping[str, Sequence[tuple[int, int]]], *, title: str) -> Path:
    """Cumulative adoption curves: ``curves[name]`` are (year, cities so far) steps, each held
    level to the last year of any curve."""
    if not curves:
        return _nothing(path, title)
    fig = _figure(8.5, 4.8)
    ax = fig.add_subplot()
    colours = matplotlib.colormaps["tab10"]
    last = max(y for points in curves.values() for y, _ in points)
    for k, name in enumerate(curves):
        points = sorted(curves[name])
        points += [(last, points[-1][1])] if points[-1][0] < last else []
        ax.step([y for y, _ in points], [n for _, n in points], where="post",
                color=colours(k % 10), linestyle="-" if k < 10 else "--", label=name)
    ax.set_xlabel("报告年份")
    ax.set_ylabel("已提及的城市数（累计）")
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return _save(fig, path)
