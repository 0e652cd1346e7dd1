"""The report's and the dashboard's charts, drawn by Matplotlib as SVG (vector graphics).

Each function takes plain numbers and returns an ``Chart``: the SVG text, and a description
for people who cannot see it (the ``alt`` of the image). Text stays text in the SVG (so that
the PDF's charts can be searched and read aloud), set in DejaVu Sans, which is installed with
the system and ships with Matplotlib: nothing is downloaded.

Colours: the network's blue and the colour-blind-safe orange of Okabe and Ito; two series also
differ by line style and marker, never by colour alone. Figures are made with Matplotlib's
object interface (no pyplot state), so charts can be drawn in parallel threads.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BLUE = "#1f4e79"
ORANGE = "#d55e00"
SKY = "#56b4e9"
GREY = "#5f6b7a"
LIGHT = "#d5dde7"
INK = "#1b2430"

# Inches: the width of the report's text column (A4 less 2 × 20 mm margins).
WIDTH = 6.7

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.labelsize": 8.5,
    "axes.edgecolor": GREY,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
    "svg.fonttype": "none",
    "hatch.linewidth": 0.8,
    # Same input, same file: ids in the SVG do not depend on the run.
    "svg.hashsalt": "eventsite-report",
}


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f") if value == int(value) else f"{value:.1f}"


def line_chart(
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    limits: Sequence[tuple[str, int]] = (),
    ylabel: str,
    alt: str,
) -> Chart:
    """Cumulative counts over days, with horizontal lines at ``limits`` (e.g. capacity)."""
    styles = [(BLUE, "-", "o"), (ORANGE, "--", "s"), (SKY, ":", "^")]
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 2.6))
        figure.subplots_adjust(
            left=0.09, right=0.98, top=0.88 if len(series) > 1 else 0.96, bottom=0.12
        )
        axes = figure.subplots()
        for (label, values), (colour, style, marker) in zip(series, styles, strict=False):
            every = max(1, len(days) // 12)
            axes.plot(
                days,
                values,
                label=label,
                color=colour,
                linestyle=style,
                linewidth=1.8,
                marker=marker,
                markersize=3.5,
                markevery=every,
            )
        for label, value in limits:
            axes.axhline(value, color=GREY, linestyle=(0, (4, 3)), linewidth=1)
            axes.annotate(
                label,
                xy=(0.005, value),
                xycoords=("axes fraction", "data"),
                xytext=(0, 3),
                textcoords="offset points",
                color=GREY,
                fontsize=7.5,
            )
        top = max([*(max(values, default=0) for _l, values in series), *(v for _l, v in limits), 1])
        axes.set_ylim(0, top * 1.12)
        axes.set_ylabel(ylabel)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color=LIGHT, linewidth=0.6)
        axes.set_axisbelow(True)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m/%Y"))
        if len(series) > 1:
            axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(series))
        return Chart(svg=_svg(figure), alt=alt)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    xlabel: str,
    alt: str,
    xmax: float | None = None,
    value_labels: Sequence[str] | None = None,
    colour: str = BLUE,
) -> Chart:
    """Horizontal bars in the order given, each with its value at its end.

    The figure is exactly ``WIDTH`` wide, with room on the left for the labels (wrapped on two
    lines at most), so that its text prints at the size of the style, whatever the labels.
    """
    wrapped = [_wrap(label) for label in labels]
    lines = [line for label in wrapped for line in label.split("\n")] or [""]
    two_lines = any("\n" in label for label in wrapped)
    bar_inches = 0.34 if two_lines else 0.22
    label_inches = min(3.1, 0.2 + 0.068 * max(len(line) for line in lines))
    height = 0.62 + bar_inches * max(len(labels), 1)
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, height))
        figure.subplots_adjust(
            left=label_inches / WIDTH,
            right=1 - 0.45 / WIDTH,
            top=1 - 0.08 / height,
            bottom=0.5 / height,
        )
        axes = figure.subplots()
        positions = list(range(len(labels)))
        axes.barh(positions, list(values), color=colour, height=0.68)
        axes.set_yticks(positions, wrapped)
        axes.set_ylim(len(labels) - 0.5, -0.5)
        axes.set_xlabel(xlabel)
        if xmax is not None:
            axes.set_xlim(0, xmax)
            axes.set_xticks(range(int(xmax) + 1))
        else:
            axes.set_xlim(0, max([*values, 1]) * 1.12)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="x", color=LIGHT, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        texts = value_labels or [_number(value) for value in values]
        for position, (value, text) in enumerate(zip(values, texts, strict=True)):
            axes.annotate(
                text,
                xy=(value, position),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                color=INK,
            )
        return Chart(svg=_svg(figure), alt=alt)


def _wrap(label: str, width: int = 42) -> str:
    """Long labels on two lines at most, cut with an ellipsis beyond."""
    if len(label) <= width:
        return label
    cut = label.rfind(" ", 0, width)
    cut = cut if cut > width // 2 else width
    first, rest = label[:cut].rstrip(), label[cut:].strip()
    if len(rest) > width:
        rest = rest[: width - 1].rstrip() + "…"
    return f"{first}\n{rest}"


def column_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    ylabel: str,
    alt: str,
    stacked: bool = False,
) -> Chart:
    """Vertical bars per category (e.g. years), grouped or stacked, each labelled with its value."""
    colours = [BLUE, ORANGE, SKY]
    hatches = ["", "//", ".."]
    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, 2.3))
        figure.subplots_adjust(
            left=0.09, right=0.98, top=0.86 if len(series) > 1 else 0.96, bottom=0.12
        )
        axes = figure.subplots()
        positions = list(range(len(categories)))
        width = 0.7 if stacked else 0.8 / max(len(series), 1)
        bottoms = [0.0] * len(categories)
        for index, (label, values) in enumerate(series):
            xs = positions if stacked else [p - 0.4 + width * (index + 0.5) for p in positions]
            bars = axes.bar(
                xs,
                list(values),
                width=width,
                bottom=bottoms if stacked else None,
                label=label,
                color=colours[index % len(colours)],
                # A faint hatch tells the series apart in grey print, under readable labels.
                hatch=hatches[index % len(hatches)],
                edgecolor=(1, 1, 1, 0.35),
                linewidth=0.5,
            )
            axes.bar_label(
                bars,
                labels=[_number(v) if v else "" for v in values],
                label_type="center" if stacked else "edge",
                color="white" if stacked else INK,
                fontsize=7.5,
                padding=0 if stacked else 2,
            )
            if stacked:
                bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        axes.set_xticks(positions, list(categories))
        axes.set_ylabel(ylabel)
        tallest = max(bottoms) if stacked else max([v for _l, vs in series for v in vs] or [0])
        axes.set_ylim(0, max(tallest, 1) * 1.15)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color=LIGHT, linewidth=0.6)
        axes.set_axisbelow(True)
        if len(series) > 1:
            axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(series))
        return Chart(svg=_svg(figure), alt=alt)
