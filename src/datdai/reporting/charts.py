"""The report's charts as PNG bytes (matplotlib, Agg backend, no display needed):

1. dossiers received per service over the last months (stacked bars);
2. the on-time rate and the online rate per month (lines);
3. cleaning and reconciliation progress per commune (or office): parcels up to standard and land
   users updated from the population register, % (horizontal bars).

Text in Liberation Serif (Times New Roman metrics) when a version with the Vietnamese letters is
installed (:mod:`datdai.reporting.fonts`), else matplotlib's own DejaVu Serif (which has them); numbers
on the axes the Vietnamese way.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence

from datdai.kernel.text import vn_int, vn_percent
from datdai.reporting.figures import ProgressRow, SeriesPoint
from datdai.reporting.fonts import liberation_serif

DPI = 150
PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5", "#bf9000")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": _family(), "font.size": 9, "axes.titlesize": 10,
                         "axes.spines.top": False, "axes.spines.right": False,
                         "svg.fonttype": "none", "pdf.fonttype": 42})
    return plt


@functools.cache
def _family() -> str:
    """Liberation Serif when a version with the Vietnamese letters is installed. matplotlib knows
    fonts by family name and would pick either version: the ones without the letters are dropped
    from its list (they could only draw boxes for them)."""
    from matplotlib import font_manager

    font = liberation_serif()
    if font is None:
        return "DejaVu Serif"
    wanted = {str(p) for p in font.files.values()}
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if f.name != font.family or f.fname in wanted]
    known = {f.fname for f in manager.ttflist}
    for path in wanted - known:
        manager.addfont(path)
    manager._findfont_cached.cache_clear()  # forget earlier look-ups of the dropped files
    found = manager.findfont(font_manager.FontProperties(family=font.family), fallback_to_default=False)
    return font.family if str(found) in wanted else "DejaVu Serif"


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def month_label(month: str) -> str:
    """"2025-03" → "3/2025" (two lines on the axis: "3" over "2025")."""
    return f"{int(month[5:])}\n{month[:4]}"


def short(name: str, limit: int = 48) -> str:
    return name if len(name) <= limit else name[:limit - 1].rstrip(" ,(") + "…"


def dossiers_by_service(series: Sequence[SeriesPoint], names: Mapping[str, str]) -> bytes:
    """Stacked bars: dossiers received per month, one colour per service."""
    plt = _pyplot()
    codes = sorted({c for p in series for c, n in p.by_service if n} or {c for p in series for c, _ in p.by_service})
    fig, ax = plt.subplots(figsize=(7.2, 3.4))
    x = range(len(series))
    bottom = [0] * len(series)
    for i, code in enumerate(codes):
        values = [dict(p.by_service).get(code, 0) for p in series]
        ax.bar(x, values, bottom=bottom, color=PALETTE[i % len(PALETTE)], width=0.7,
               label=short(names.get(code, code)))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for xi, total in zip(x, bottom, strict=True):
        if total:
            ax.annotate(vn_int(total), (xi, total), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(list(x), [month_label(p.month) for p in series], rotation=0, fontsize=7)
    ax.set_ylim(0, max(bottom + [1]) * 1.15)
    ax.set_ylabel("Số hồ sơ")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(lambda v, _: vn_int(round(v)))
    ax.set_title("Hồ sơ tiếp nhận theo thủ tục, 12 tháng")
    ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    return _png(fig)


def on_time_rate(series: Sequence[SeriesPoint]) -> bytes:
    """Lines: on-time rate and online rate per month (a month without dossiers has no point)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    x = list(range(len(series)))
    for label, values, colour in (
            ("Tỷ lệ giải quyết đúng hạn", [p.on_time_pct for p in series], PALETTE[0]),
            ("Tỷ lệ nộp trực tuyến", [p.online_pct for p in series], PALETTE[1])):
        pts = [(xi, v) for xi, v in zip(x, values, strict=True) if v is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3.5, color=colour,
                    label=label)
            for xi, v in pts:
                ax.annotate(vn_percent(v, 0), (xi, v), textcoords="offset points", xytext=(0, 4),
                            ha="center", fontsize=6.5, color=colour)
    ax.set_ylim(0, 109)
    ax.set_xticks(x, [month_label(p.month) for p in series], fontsize=7)
    ax.yaxis.set_major_formatter(lambda v, _: vn_percent(v, 0))
    ax.set_title("Tỷ lệ giải quyết đúng hạn và tỷ lệ trực tuyến, 12 tháng")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="lower left", frameon=False)
    return _png(fig)


def progress_by_unit(units: Sequence[ProgressRow]) -> bytes:
    """Horizontal bars per commune (office): parcels up to standard and land users updated, %."""
    plt = _pyplot()
    rows = list(units)[:40]
    height = max(1.6, 0.32 * len(rows) + 0.9)
    fig, ax = plt.subplots(figsize=(7.2, height))
    y = list(range(len(rows)))
    clean = [r.clean_pct or 0.0 for r in rows]
    updated = [r.updated_pct or 0.0 for r in rows]
    ax.barh([v - 0.18 for v in y], clean, height=0.34, color=PALETTE[2], label="Thửa đất đạt chuẩn (%)")
    ax.barh([v + 0.18 for v in y], updated, height=0.34, color=PALETTE[0],
            label="Người sử dụng đất đã cập nhật từ CSDLQG về dân cư (%)")
    for yi, c, u in zip(y, clean, updated, strict=True):
        ax.annotate(vn_percent(c), (c, yi - 0.18), xytext=(2, 0), textcoords="offset points", va="center",
                    fontsize=6.5)
        ax.annotate(vn_percent(u), (u, yi + 0.18), xytext=(2, 0), textcoords="offset points", va="center",
                    fontsize=6.5)
    ax.set_yticks(y, [short(r.name, 30) for r in rows], fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.xaxis.set_major_formatter(lambda v, _: vn_percent(v, 0))
    ax.set_title("Tiến độ chuẩn hóa dữ liệu và đối soát người sử dụng đất")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08 if len(rows) > 4 else -0.2), ncol=2,
              frameon=False)
    return _png(fig)


__all__ = ["dossiers_by_service", "month_label", "on_time_rate", "progress_by_unit", "short"]
