"""Charts of the comparison tables as SVG: heatmaps for the matrices, bars for frequencies.

Drawn with matplotlib's object API (``matplotlib.figure.Figure``, never pyplot), so no GUI
backend or global state is touched and the web app can draw from several threads; the SVG
canvas is used directly, as the Agg one would be for raster output. Text stays text in the
SVG (``svg.fonttype = none``): Chinese labels are searchable and selectable, and render with
the first CJK font found here, WenQuanYi Micro Hei (``apt-get install fonts-wqy-microhei``)
or Noto Sans CJK, falling back to DejaVu Sans (the viewer's own fonts then show the Chinese).
Every label reads "中文 / English".

Takes plain data: the frozen result values of `kgtool.compare` (a role × duty matrix, a
frequency table, concept matrices, similarity matrices, structure measures), read by attribute
only. It imports nothing from `kgtool.compare`, which calls it, so no import circle arises.
"""

from __future__ import annotations

import functools
import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from kgtool.errors import KgtoolError
from kgtool.render import width

__all__ = ["cjk_font", "frequency_svg", "principles_svg", "role_duty_svg", "similarity_svg", "structure_svg"]

#: CJK fonts tried in order; the first one matplotlib knows is used.
CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Sarasa Gothic SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
_FALLBACK = "DejaVu Sans"
_PALETTE = ("#1b6ca8", "#e07b39", "#3a9d5d", "#b5446e", "#7a5cb8", "#8c6d31", "#3aa6b9", "#c23b22")


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise KgtoolError(
            "charts need matplotlib, which is not installed",
            hint="pip install matplotlib; and for Chinese labels: apt-get install fonts-wqy-microhei",
        ) from exc
    return matplotlib


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of the first CJK font matplotlib can use, or None (labels then fall back)."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


@contextmanager
def _style() -> Iterator[None]:
    matplotlib = _matplotlib()
    font = cjk_font()
    rc = {
        "svg.fonttype": "none",
        "svg.hashsalt": "kgtool",
        "font.family": "sans-serif",
        "font.sans-serif": ([font] if font else []) + [_FALLBACK],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlesize": 10,
        "figure.dpi": 100,
    }
    quiet = logging.getLogger("matplotlib.font_manager")
    level = quiet.level
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        if font is None:  # no CJK glyphs to measure with: say so once, not per character
            warnings.filterwarnings("ignore", message=r".*[Gg]lyph.*missing.*")
            quiet.setLevel(logging.ERROR)
        try:
            yield
        finally:
            quiet.setLevel(level)


def _figure(
    width: float,
    height: float,
    *,
    left: float = 0.6,
    right: float = 0.3,
    top: float = 0.5,
    bottom: float = 0.5,
    hspace: float = 0.0,
    wspace: float = 0.0,
) -> Any:
    """A figure of ``width`` × ``height`` inches with fixed margins in inches.

    Margins are computed from the label lengths rather than by constrained layout, which
    measures every label again and took most of the drawing time.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height, hspace=hspace, wspace=wspace
    )
    return fig


def _top(fig: Any) -> float:
    """Where a figure title goes: 0.12 inch below the top edge."""
    return 1 - 0.12 / fig.get_figheight()


def _inches(text: str, size: float = 9.0) -> float:
    """About how wide a label is drawn, in inches (CJK characters count double).

    >>> round(_inches("检查 / Inspection"), 2)
    1.17
    """
    return width(text) * size * 0.55 / 72


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "kgtool"})
    return buffer.getvalue()


def _label(term: Any, limit: int = 44) -> str:
    text = term.text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _juris_label(j: Any) -> str:
    return j.text


def role_duty_svg(matrix: Any) -> str:
    """Heatmap per jurisdiction: holders present there × duty types, distinct duties in the cells."""
    with _style():
        from matplotlib.colors import PowerNorm

        types = list(matrix.duty_types)
        panels = []
        for j in matrix.jurisdictions:
            holders = [h for h in matrix.holders if j.slug in matrix.present.get(h.id, ())]
            panels.append((j, holders))
        panels = [(j, hs) for j, hs in panels if hs] or [(j, []) for j in matrix.jurisdictions[:1]]
        rows = [max(len(hs), 1) for _, hs in panels]
        left = 0.3 + max([_inches(_label(h)) for _, hs in panels for h in hs] or [1.0])
        bottom = 0.4 + 0.87 * max([_inches(_label(t, 30)) for t in types] or [0.5])
        plot_w, plot_h = 0.42 * max(len(types), 1), 0.26 * sum(rows) + 0.45 * (len(panels) - 1)
        fig = _figure(
            left + plot_w + 1.3,
            0.7 + plot_h + bottom,
            left=left,
            right=1.3,
            top=0.7,
            bottom=bottom,
            hspace=0.45 * len(panels) / max(plot_h, 1),
        )
        axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": rows})[:, 0]
        top = max([matrix.count(h.id, j.slug, t.id) or 0 for j, hs in panels for h in hs for t in types] or [1])
        image = None
        for index, (ax, (j, holders)) in enumerate(zip(axes, panels)):
            grid = [[matrix.count(h.id, j.slug, t.id) or 0 for t in types] for h in holders] or [[0] * len(types)]
            # square-root colour scale: a section with 35 duties must not wash out the 1s and 2s
            image = ax.imshow(grid, cmap="YlOrRd", norm=PowerNorm(0.5, vmin=0, vmax=max(top, 1)), aspect="auto")
            for r, line in enumerate(grid):
                for c, value in enumerate(line):
                    if value:
                        ax.text(c, r, str(value), ha="center", va="center", fontsize=7, color="white" if value > top * 0.4 else "black")
            ax.set_yticks(range(len(holders)), [_label(h) for h in holders])
            ax.set_title(_juris_label(j), loc="left")
            ax.set_xticks(range(len(types)), [_label(t, 30) for t in types] if index == len(panels) - 1 else [])
            if index == len(panels) - 1:
                ax.tick_params(axis="x", labelrotation=60)
                for tick in ax.get_xticklabels():
                    tick.set_horizontalalignment("right")
        fig.suptitle("岗位 × 职责类型（职责数） / Role × duty type (number of duties)", y=_top(fig), va="top")
        if image is not None:
            right_edge = fig.subplotpars.right
            cax = fig.add_axes((right_edge + 0.25 / fig.get_figwidth(), 0.35, 0.18 / fig.get_figwidth(), 0.3))
            fig.colorbar(image, cax=cax, label="职责数 / duties")
        return _svg(fig)


def frequency_svg(table: Any) -> str:
    """Horizontal grouped bars: minimum times per year of each (holder, action), one colour per jurisdiction."""
    with _style():
        rows = list(table.rows)
        juris = list(table.jurisdictions)
        per_row = max(len(juris), 1)
        labels = [f"{_label(row.holder, 40)}\n{_label(row.action, 40)}" for row in rows]
        left = 0.3 + max([_inches(line) for text in labels for line in text.splitlines()] or [1.0])
        plot_h = max(len(rows), 1) * (0.09 * per_row + 0.3)
        fig = _figure(left + 6.5, 1.2 + plot_h, left=left, right=0.4, top=0.5, bottom=0.7)
        ax = fig.subplots()
        bar = 0.8 / per_row
        for k, j in enumerate(juris):
            ys, xs = [], []
            for r, row in enumerate(rows):
                value = row.values.get(j.slug)
                if value is not None:
                    ys.append(r + (k - (per_row - 1) / 2) * bar)
                    xs.append(float(value))
            bars = ax.barh(ys, xs, height=bar * 0.9, color=_PALETTE[k % len(_PALETTE)], label=_juris_label(j))
            ax.bar_label(bars, labels=[f"{x:g}" if x == int(x) else f"{x:.2f}" for x in xs], fontsize=7, padding=2)
        ax.set_yticks(range(len(rows)), labels)
        ax.invert_yaxis()
        ax.set_xlabel("每年最少次数 / minimum times per year")
        ax.set_title("频次要求 / Frequency requirements (每季度 = 4, 每半年 = 2)")
        ax.grid(axis="x", alpha=0.3)
        if juris:
            ax.legend(loc="lower right", fontsize=8)
        return _svg(fig)


def principles_svg(principles: Any, sanctions: Any) -> str:
    """Two presence heatmaps: principles and sanctions (rows) × jurisdictions (columns)."""
    with _style():
        juris = list(principles.jurisdictions)
        parts = [m for m in (principles, sanctions) if m.concepts] or [principles]
        heights = [max(len(m.concepts), 1) for m in parts]
        left = 0.3 + max([_inches(_label(c)) for m in parts for c in m.concepts] or [1.0])
        bottom = 0.4 + 0.5 * max([_inches(_juris_label(j), 8) for j in juris] or [0.5])
        plot_h = 0.26 * sum(heights) + (bottom + 0.4) * (len(parts) - 1)
        fig = _figure(
            left + 1.2 * max(len(juris), 1) + 0.5,
            plot_h + bottom + 0.4,
            left=left,
            right=0.5,
            top=0.4,
            bottom=bottom,
            hspace=(bottom + 0.4) * len(parts) / max(plot_h, 1),
        )
        axes = fig.subplots(len(parts), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
        for ax, m in zip(axes, parts):
            grid = [[1 if m.invokes(j.slug, c.id) else 0 for j in juris] for c in m.concepts] or [[0] * len(juris)]
            ax.imshow(grid, cmap="Greens", vmin=0, vmax=1.4, aspect="auto")
            for r, line in enumerate(grid):
                for c, value in enumerate(line):
                    if value:
                        ax.text(c, r, "✓", ha="center", va="center", fontsize=8)
            ax.set_yticks(range(len(m.concepts)), [_label(c) for c in m.concepts])
            ax.set_xticks(range(len(juris)), [_juris_label(j) for j in juris])
            ax.tick_params(axis="x", labelrotation=30, labelsize=8)
            ax.set_title("援引的原则 / Principles invoked" if m.kind == "principle" else "规定的问责方式 / Sanctions provided", loc="left")
        return _svg(fig)


def similarity_svg(result: Any) -> str:
    """Two heatmaps side by side: Jaccard over (role, duty type) pairs, and the WL graph kernel."""
    with _style():
        juris = list(result.jurisdictions)
        n = max(len(juris), 1)
        side = 0.65 * n
        label = max([_inches(j.short) for j in juris] or [0.5])
        fig = _figure(
            2 * (side + label + 0.5) + 1.2,
            side + label + 1.3,
            left=label + 0.4,
            right=1.3,
            top=0.8,
            bottom=label + 0.4,
            wspace=(label + 0.6) / side,
        )
        axes = fig.subplots(1, 2, squeeze=False)[0]
        image = None
        for ax, matrix, title in (
            (axes[0], result.jaccard, "岗位-职责对 Jaccard / Jaccard over (role, duty type)"),
            (axes[1], result.wl, f"图核（WL, {result.iterations} 轮）/ WL graph kernel"),
        ):
            image = ax.imshow([list(r) for r in matrix] or [[0]], cmap="Blues", vmin=0, vmax=1)
            for r, line in enumerate(matrix):
                for c, value in enumerate(line):
                    ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=8, color="white" if value > 0.6 else "black")
            labels = [j.short for j in juris]
            ax.set_xticks(range(len(juris)), labels)
            ax.set_yticks(range(len(juris)), labels)
            ax.tick_params(axis="x", labelrotation=30)
            ax.set_title(title, fontsize=9)
        if image is not None:
            cax = fig.add_axes((1 - 0.9 / fig.get_figwidth(), 0.3, 0.15 / fig.get_figwidth(), 0.45))
            fig.colorbar(image, cax=cax, label="相似度 / similarity")
        fig.suptitle(
            "辖区相似度 / Similarity between jurisdictions  (" + "; ".join(f"{j.short} = {j.en or j.slug}" for j in juris) + ")",
            fontsize=9,
            y=_top(fig),
            va="top",
        )
        return _svg(fig)


_MEASURES = (
    ("posts", "岗位数 / posts", 1.0),
    ("bodies", "机构数 / bodies", 1.0),
    ("duties", "职责数 / duties", 1.0),
    ("depth", "组织层级 / depth", 1.0),
    ("duties_per_post", "岗均职责 / duties per post", 1.0),
    ("frequency_share", "有频次的职责 % / duties with a frequency %", 100.0),
    ("idle_post_share", "无实职岗位 % / posts with no real duty %", 100.0),
    ("body_duty_share", "机构承担的职责 % / duties held by bodies %", 100.0),
)


def structure_svg(measures: Sequence[Any]) -> str:
    """Small multiples: one bar chart per structure measure, one bar per jurisdiction."""
    with _style():
        fig = _figure(13, 6.2, left=0.5, right=0.2, top=0.8, bottom=0.8, hspace=0.55, wspace=0.3)
        axes = fig.subplots(2, 4, squeeze=False).ravel()
        names = [m.jurisdiction.short for m in measures]
        for ax, (attr, title, scale) in zip(axes, _MEASURES):
            values = [float(getattr(m, attr)) * scale for m in measures]
            bars = ax.bar(range(len(values)), values, color=[_PALETTE[i % len(_PALETTE)] for i in range(len(values))])
            ax.bar_label(bars, labels=[f"{v:.0f}" if scale != 1.0 or v == int(v) else f"{v:.1f}" for v in values], fontsize=7)
            ax.set_xticks(range(len(names)), names)
            ax.tick_params(axis="x", labelrotation=30, labelsize=8)
            ax.margins(y=0.15)
            ax.set_title(title, fontsize=9)
        fig.suptitle(
            "组织结构 / Structure of each document  ("
            + "; ".join(f"{m.jurisdiction.short} = {m.jurisdiction.en or m.jurisdiction.slug}" for m in measures)
            + ")",
            fontsize=9,
            y=_top(fig),
            va="top",
        )
        return _svg(fig)
