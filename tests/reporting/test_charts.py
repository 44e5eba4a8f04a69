"""The charts are PNG images drawn with a font that has the Vietnamese letters."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from datdai.reporting import charts
from datdai.reporting.figures import ProgressRow, SeriesPoint
from datdai.reporting.fonts import covers_vietnamese, liberation_serif


def test_liberation_serif_with_vietnamese_is_found():
    font = liberation_serif()
    assert font is not None, "cài fonts-liberation2 / install fonts-liberation2 (scripts/ensure-debian.sh)"
    assert all(covers_vietnamese(p) for p in font.files.values())
    assert charts._family() == "Liberation Serif"


def test_charts_are_png_without_missing_glyphs():
    series = [SeriesPoint(f"2025-{m:02d}", 10 + m, m, 8, 2, 9, (("CHUYEN_QUYEN", 6 + m), ("DK_BIEN_DONG_THONG_TIN", 4)))
              for m in range(1, 13)]
    units = [ProgressRow("25195", "Xã Đức Hạnh", "Huyện Bù Gia Mập", 1, 1, 100, 100, 98, 90, 88, 3, 5, 80, 70, 65,
                         60)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        images = [charts.dossiers_by_service(series, {"CHUYEN_QUYEN": "Đăng ký biến động do chuyển nhượng"}),
                  charts.on_time_rate(series), charts.progress_by_unit(units)]
    for png in images:
        with Image.open(io.BytesIO(png)) as im:
            assert im.format == "PNG" and im.size[0] > 800
