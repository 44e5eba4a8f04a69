"""Numbers and percentages written the Vietnamese way (thousands with ".", decimals with ",")."""

from __future__ import annotations

from datdai.domain.text import vn_int, vn_percent


def test_vietnamese_numbers_and_percentages():
    assert vn_int(5615) == "5.615" and vn_int(2814) == "2.814" and vn_int(12) == "12"
    assert vn_int(1_234_567) == "1.234.567"
    assert vn_percent(95.2381) == "95,2%" and vn_percent(100.0) == "100,0%"
    assert vn_percent(7.5, digits=2) == "7,50%"
    assert vn_percent(None) == "—"
