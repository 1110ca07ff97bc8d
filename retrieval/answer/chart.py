"""Bar charts of a comparison as PNG bytes, with Chinese labels that render.

Matplotlib's own fonts have no Chinese glyphs, so a CJK font is found first:
the Noto Sans CJK SC that the ``mplfonts`` package ships (a project
dependency), else a system font from Debian's ``fonts-noto-cjk`` or
``fonts-wqy-zenhei``, else any installed font whose name says CJK. Only the
object-oriented Agg API is used (no pyplot): safe in the bot's worker threads.

>>> png = bar_chart("罚款金额 (fines)", [Bar("金华市 2020", 15846600, "1584.66万元"),
...                                    Bar("十堰市 2021", None, "无数据")], "元")
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""
from __future__ import annotations

import importlib.util
import io
import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# Fonts with Chinese glyphs, best first: inside a PyPI package, then system paths.
PACKAGE_FONTS = (("mplfonts", "fonts/NotoSansCJKsc-Regular.otf"),)
SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
CJK_NAME_HINTS = ("CJK", "WenQuanYi", "Source Han", "SimHei", "Heiti", "Hei", "Song")

_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe

__all__ = ["Bar", "bar_chart", "cjk_font_path"]


@dataclass
class Bar:
    """One bar: label (a report), value in base units (None = no figure), text on the bar."""

    label: str
    value: float | None
    text: str = ""


@lru_cache(maxsize=1)
def cjk_font_path() -> Path | None:
    """Path of a font that has Chinese glyphs, or None (then labels show as boxes)."""
    for package, relative in PACKAGE_FONTS:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / relative
            if path.exists():
                return path
    for candidate in SYSTEM_FONTS:
        if Path(candidate).exists():
            return Path(candidate)
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if any(hint.lower() in entry.name.lower() for hint in CJK_NAME_HINTS):
            return Path(entry.fname)
    log.warning("no CJK font found: install the mplfonts package (or Debian fonts-noto-cjk); "
                "Chinese chart labels will show as boxes")
    return None


@lru_cache(maxsize=1)
def _font_family() -> list[str]:
    """Register the CJK font with matplotlib once; the family list to draw with."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is None:
        return ["DejaVu Sans"]
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    return [name, "DejaVu Sans"]


def _scale(unit: str, largest: float) -> tuple[float, str]:
    """(divisor, axis unit) so that money reads in 万元/亿元 like the reports.

    >>> _scale("元", 15846600), _scale("元", 3.2e9), _scale("次", 703)
    ((10000.0, '万元'), (100000000.0, '亿元'), (1.0, '次'))
    """
    if unit == "元" and largest >= 1e8:
        return 1e8, "亿元"
    if unit == "元" and largest >= 1e4:
        return 1e4, "万元"
    return 1.0, unit


def bar_chart(title: str, bars: list[Bar], unit: str = "", width: float = 8.0) -> bytes:
    """Horizontal bar chart, first bar on top, the largest red, each bar labelled
    with its figure as written; bars without a value are listed with their
    text ("no figure")."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    values = [b.value for b in bars if b.value is not None]
    divisor, axis_unit = _scale(unit, max(values, default=0.0))
    height = 1.2 + 0.55 * max(len(bars), 1)
    with _LOCK:
        family = _font_family()
        fig = Figure(figsize=(width, height), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        positions = list(range(len(bars)))[::-1]  # first bar on top
        lengths = [(b.value or 0.0) / divisor for b in bars]
        largest = max(values, default=None)
        colors = ["#cccccc" if b.value is None else ("#c0392b" if b.value == largest else "#2e86c1")
                  for b in bars]  # the largest value in red
        ax.barh(positions, lengths, color=colors, height=0.6)
        ax.set_yticks(positions)
        ax.set_yticklabels([b.label for b in bars], fontfamily=family, fontsize=10)
        top = max(lengths, default=0.0) or 1.0
        for pos, length, b in zip(positions, lengths, bars):
            ax.text(length + top * 0.01, pos, b.text, va="center", fontfamily=family, fontsize=9,
                    color="#333333" if b.value is not None else "#888888")
        ax.set_xlim(0, top * 1.3)
        ax.set_xlabel(axis_unit, fontfamily=family)
        ax.set_title(title, fontfamily=family, fontsize=12)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()
