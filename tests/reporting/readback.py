"""What a rendered report's tables must say, row by row, as text ("5.615", "95,2%", "Có"), from
the independent counts of :mod:`tests.reporting.province` — shared by the DOCX and PDF tests."""

from __future__ import annotations

from datdai.kernel.text import vn_int, vn_percent
from tests.reporting.province import Expected, pct


def yes(value: bool) -> str:
    return "Có" if value else "Không"


def service_rows(exp: Expected) -> list[list[str]]:
    """Biểu 1: per service then the total — the cells after STT and the name."""
    def cells(e):
        return [vn_int(e["total"]), vn_int(e["online"]), vn_percent(pct(e["online"], e["total"])),
                vn_int(e["on_time"]), vn_int(e["overdue"]), vn_percent(pct(e["on_time"], e["on_time"] + e["overdue"])),
                vn_int(e["digitized"]), vn_percent(pct(e["digitized"], e["total"]))]
    return [cells(exp.services[c]) for c in sorted(exp.services)] + [cells(exp.service_totals)]


def cleaning_rows(exp: Expected) -> list[list[str]]:
    """Biểu 2: per commune then the total — the cells after STT, name and district."""
    def cells(e):
        return [vn_int(e[k]) for k in ("parcels", "checked", "spatial_ok", "attribute_ok", "clean")] + [
            vn_percent(pct(e["clean"], e["parcels"])), vn_int(e["findings_open"]), vn_int(e["findings_fixed"])]
    return [cells(exp.units[c]) for c in sorted(exp.units)] + [cells(exp.unit_totals)]


def users_rows(exp: Expected) -> list[list[str]]:
    """Biểu 3: per commune then the total — the cells after STT and name."""
    def cells(e, connected):
        return [vn_int(e[k]) for k in ("land_users", "reconciled", "matched", "updated")] + [
            vn_percent(pct(e["updated"], e["land_users"])), connected]
    return [cells(exp.units[c], yes(exp.units[c]["connected"])) for c in sorted(exp.units)] + [
        cells(exp.unit_totals, vn_int(exp.unit_totals["connected"]))]


def appendix_rows(exp: Expected, notes: dict[str, str]) -> list[list[str]]:
    """Phụ lục: per service then the total — the cells after STT and the name."""
    def cells(e, connected, note):
        return [connected, vn_int(e["total"]), vn_int(e["online"]), vn_percent(pct(e["online"], e["total"])),
                vn_int(e["on_time"]), vn_int(e["overdue"]), note]
    return [cells(exp.services[c], yes(exp.services[c]["connected"]), notes.get(c, "")) for c in sorted(exp.services)] \
        + [cells(exp.service_totals, vn_int(exp.service_totals["connected"]), "")]


def sentences(exp: Expected) -> list[str]:
    """Figures that section I's paragraphs must state."""
    t, u = exp.service_totals, exp.unit_totals
    return [f"tiếp nhận {vn_int(t['total'])} hồ sơ",
            f"{vn_int(t['online'])} hồ sơ nộp trực tuyến (đạt {vn_percent(pct(t['online'], t['total']))})",
            f"{vn_int(u['parcels'])} thửa đất",
            f"đã cập nhật thông tin {vn_int(u['updated'])}/{vn_int(u['land_users'])} người sử dụng đất "
            f"({vn_percent(pct(u['updated'], u['land_users']))})",
            f"{vn_int(u['connected'])}/{vn_int(u['communes'])} xã"]
