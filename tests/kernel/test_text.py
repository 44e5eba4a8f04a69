"""Numbers and percentages written the Vietnamese way (thousands with ".", decimals with ",")."""

from __future__ import annotations

import datetime as dt

from datdai.kernel.text import vn_date, vn_document_date, vn_int, vn_number, vn_percent


def test_vietnamese_numbers_and_percentages():
    assert vn_int(5615) == "5.615" and vn_int(2814) == "2.814" and vn_int(12) == "12"
    assert vn_int(1_234_567) == "1.234.567"
    assert vn_percent(95.2381) == "95,2%" and vn_percent(100.0) == "100,0%"
    assert vn_percent(7.5, digits=2) == "7,50%"
    assert vn_percent(None) == "—"


def test_decimals_and_dates():
    assert vn_number(1234.56) == "1.234,6" and vn_number(0.5, 2) == "0,50" and vn_number(None) == "—"
    assert vn_date(dt.date(2025, 3, 5)) == "05/03/2025"
    # Decree 30/2020/NĐ-CP: a 0 before days under 10 and months under 3
    assert vn_document_date(dt.date(2025, 2, 5), "Đồng Nai") == "Đồng Nai, ngày 05 tháng 02 năm 2025"
    assert vn_document_date(dt.date(2025, 11, 15), "Hà Nội") == "Hà Nội, ngày 15 tháng 11 năm 2025"
    assert vn_document_date(dt.date(2025, 3, 1)) == "Ngày 01 tháng 3 năm 2025"


def test_control_characters():
    from datdai.kernel.text import control_characters

    assert control_characters("Nguyễn Văn An") == []
    assert control_characters("An\x00\tB\u202e") == ["U+0000", "U+0009", "U+202E"]


def test_decimals_inside_a_stored_text():
    from datdai.kernel.text import vn_decimals_in

    assert vn_decimals_in("Diện tích sổ địa chính 36224.6 m² khác 39024.3 m² (chênh 2799.7 m², 1:10000)") == (
        "Diện tích sổ địa chính 36.224,6 m² khác 39.024,3 m² (chênh 2.799,7 m², 1:10000)")
    assert vn_decimals_in("phần chồng 494.60 m², rộng 7.66 m") == "phần chồng 494,60 m², rộng 7,66 m"
    for unchanged in ("25243/2/12", "ngày 01/02/2026", "192.168.1.1", "1.234,5", "", None):
        assert vn_decimals_in(unchanged) == unchanged
