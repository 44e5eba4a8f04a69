"""Working-day calendar: expected dates are counted by hand (see the comments), not computed."""

from datetime import date

import pytest

from datdai.dossiers.calendar import (
    CalendarDataError,
    WorkingCalendar,
    default_calendar,
    format_vn_date,
    load_calendar_overrides,
    parse_vn_date,
)


@pytest.fixture(scope="module")
def cal():
    return default_calendar()


def test_default_calendar_is_cached():
    assert default_calendar() is default_calendar()


# --- deadlines -------------------------------------------------------------------------------

def test_weekend_is_skipped(cal):
    # received Fri 07/03/2025: Sat 8, Sun 9 off; Mon 10 (1), Tue 11 (2), Wed 12 (3), Thu 13 (4)
    assert cal.add_working_days(date(2025, 3, 7), 4) == date(2025, 3, 13)
    # received Sat 08/03/2025: Sun 9 off; Mon 10 (1)
    assert cal.add_working_days(date(2025, 3, 8), 1) == date(2025, 3, 10)


def test_tet_2025(cal):
    # received Fri 24/01/2025; off: Sat 25, Sun 26, Tết Mon 27 – Fri 31, Sat 01/02, Sun 02/02;
    # Mon 03/02 (1), Tue 04 (2), Wed 05 (3), Thu 06 (4)
    assert cal.add_working_days(date(2025, 1, 24), 4) == date(2025, 2, 6)
    # … Fri 07 (5), Mon 10 (6), Tue 11 (7), Wed 12 (8)
    assert cal.add_working_days(date(2025, 1, 24), 8) == date(2025, 2, 12)


def test_tet_2026_nine_days(cal):
    # Tết Bính Ngọ: off Sat 14/02 – Sun 22/02/2026 (Mon 16 – Fri 20 are Tết days)
    # received Fri 13/02/2026: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 (4)
    assert cal.add_working_days(date(2026, 2, 13), 4) == date(2026, 2, 26)
    # received Thu 12/02/2026: Fri 13 (1), [14–22 off], Mon 23 (2)
    assert cal.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 23)
    assert [d.day for d in _off(cal, date(2026, 2, 13), date(2026, 2, 23))] == list(range(14, 23))


def test_swap_saturday_counts_as_a_working_day(cal):
    # 2025: Sat 26/04 is worked in exchange for Fri 02/05 (off).
    # received Thu 24/04/2025: Fri 25 (1), Sat 26 (2, worked), Sun 27 off, Mon 28 (3), Tue 29 (4)
    assert cal.is_working_day(date(2025, 4, 26))
    assert cal.add_working_days(date(2025, 4, 24), 4) == date(2025, 4, 29)
    assert cal.working_days_between(date(2025, 4, 24), date(2025, 4, 29)) == 4


def test_30_4_and_1_5_2025(cal):
    # received Tue 29/04/2025; off: Wed 30/04, Thu 01/05, Fri 02/05 (swapped), Sat 03, Sun 04;
    # Mon 05 (1), Tue 06 (2), Wed 07 (3)
    assert cal.add_working_days(date(2025, 4, 29), 3) == date(2025, 5, 7)
    assert "26/04/2025" in cal.day_off_reason(date(2025, 5, 2))


def test_national_day_2025(cal):
    # 2/9/2025: off Sat 30/08 – Tue 02/09 (Mon 01/09 is the adjacent day)
    # received Fri 29/08/2025: Wed 03/09 (1), Thu 04/09 (2)
    assert cal.add_working_days(date(2025, 8, 29), 2) == date(2025, 9, 4)
    assert cal.day_off_reason(date(2025, 9, 1)) == "Quốc khánh"


def test_new_year_2026_override(cal):
    # Công văn 12729/VPCP-KGVX: off Thu 01/01 – Sun 04/01/2026, Fri 02/01 swapped with Sat 10/01.
    # received Wed 31/12/2025: [Thu 1, Fri 2, Sat 3, Sun 4 off], Mon 05 (1), Tue 06 (2), Wed 07 (3)
    assert cal.add_working_days(date(2025, 12, 31), 3) == date(2026, 1, 7)
    # received Fri 09/01/2026: Sat 10/01 is worked (1)
    assert cal.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert "10/01/2026" in cal.day_off_reason(date(2026, 1, 2))


def test_library_alone_does_not_know_the_2026_new_year_swap():
    bare = WorkingCalendar()
    # received Wed 31/12/2025: Thu 01/01 off, Fri 02 (1), Mon 05 (2), Tue 06 (3)
    assert bare.add_working_days(date(2025, 12, 31), 3) == date(2026, 1, 6)
    assert not bare.is_working_day(date(2026, 1, 10))


def test_hung_kings_2026_on_sunday_gives_monday_off(cal):
    # 10/3 lunar = Sun 26/04/2026 → nghỉ bù Mon 27/04; 30/04 Thu, 01/05 Fri.
    # received Fri 24/04/2026: Tue 28 (1), Wed 29 (2), Mon 04/05 (3)
    assert cal.add_working_days(date(2026, 4, 24), 3) == date(2026, 5, 4)
    assert "Hùng Vương" in cal.day_off_reason(date(2026, 4, 27))


def test_zero_days(cal):
    assert cal.add_working_days(date(2025, 3, 12), 0) == date(2025, 3, 12)  # Wed: itself
    assert cal.add_working_days(date(2025, 3, 8), 0) == date(2025, 3, 10)  # Sat → Mon
    assert cal.add_working_days(date(2025, 1, 27), 0) == date(2025, 2, 3)  # in Tết → Mon 03/02


def test_working_days_between(cal):
    # 24/01/2025 < d <= 06/02/2025: Mon 03, Tue 04, Wed 05, Thu 06 (Tết and weekends skipped)
    assert cal.working_days_between(date(2025, 1, 24), date(2025, 2, 6)) == 4
    assert cal.working_days_between(date(2025, 2, 6), date(2025, 1, 24)) == 0
    assert cal.working_days_between(date(2025, 2, 6), date(2025, 2, 6)) == 0


def test_day_off_reasons(cal):
    assert cal.day_off_reason(date(2025, 1, 25)) == "Thứ Bảy"
    assert cal.day_off_reason(date(2025, 3, 9)) == "Chủ Nhật"
    assert cal.day_off_reason(date(2025, 1, 29)) == "Tết Nguyên Đán"
    assert cal.day_off_reason(date(2026, 1, 1)) == "Tết Dương lịch"
    assert cal.day_off_reason(date(2025, 3, 12)) is None
    assert cal.day_off_reason(date(2025, 4, 26)) is None  # swap Saturday


# --- due dates with pauses ---------------------------------------------------------------------

def test_due_date_without_pause(cal):
    # received Wed 15/01/2025, 8 days: Thu 16 (1), Fri 17 (2), Mon 20 – Fri 24 (3–7), [Tết],
    # Mon 03/02 (8)
    assert cal.due_date(date(2025, 1, 15), 8) == date(2025, 2, 3)


def test_pause_spanning_tet(cal):
    # received Wed 15/01/2025, 8 days, supplement requested 20/01 – 05/02/2025 (inclusive):
    # Thu 16 (1), Fri 17 (2), [paused: Mon 20 – Wed 05/02, which holds 8 working days:
    # 20–24/01 and 03–05/02; Tết 27–31/01 is off anyway], Thu 06 (3), Fri 07 (4), Mon 10 (5),
    # Tue 11 (6), Wed 12 (7), Thu 13 (8) — i.e. 03/02 moved by 8 working days.
    assert cal.due_date(date(2025, 1, 15), 8, [(date(2025, 1, 20), date(2025, 2, 5))]) \
        == date(2025, 2, 13)


def test_overlapping_pauses_count_once(cal):
    pauses = [(date(2025, 1, 22), date(2025, 2, 5)), (date(2025, 1, 20), date(2025, 1, 24))]
    assert cal.due_date(date(2025, 1, 15), 8, pauses) == date(2025, 2, 13)


def test_two_pauses_tet_2026(cal):
    # received Mon 09/02/2026, 8 days; supplement Wed 11/02 – Thu 12/02, tax payment Mon 23/02 –
    # Tue 24/02: Tue 10 (1), [11, 12 paused], Fri 13 (2), [14–22 Tết and weekends],
    # [23, 24 paused], Wed 25 (3), Thu 26 (4), Fri 27 (5), Mon 02/03 (6), Tue 03 (7), Wed 04 (8)
    pauses = [(date(2026, 2, 11), date(2026, 2, 12)), (date(2026, 2, 23), date(2026, 2, 24))]
    assert cal.due_date(date(2026, 2, 9), 8, pauses) == date(2026, 3, 4)


def test_pause_after_the_deadline_does_not_move_it(cal):
    assert cal.due_date(date(2025, 1, 15), 8, [(date(2025, 2, 10), date(2025, 2, 12))]) \
        == date(2025, 2, 3)


def test_pause_only_on_days_off_changes_nothing(cal):
    # paused exactly over Tết and its weekends: no working day inside
    assert cal.due_date(date(2025, 1, 15), 8, [(date(2025, 1, 25), date(2025, 2, 2))]) \
        == date(2025, 2, 3)


def test_bad_arguments(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(date(2025, 1, 1), -1)
    with pytest.raises(TypeError):
        cal.add_working_days(date(2025, 1, 1), 1.5)
    with pytest.raises(ValueError, match="kết thúc trước"):
        cal.due_date(date(2025, 1, 1), 3, [(date(2025, 1, 5), date(2025, 1, 4))])
    with pytest.raises(ValueError, match="phạm vi"):
        cal.is_working_day(date(2200, 1, 1))


# --- dd/mm/yyyy --------------------------------------------------------------------------------

def test_parse_vn_date():
    assert parse_vn_date("24/01/2025") == date(2025, 1, 24)
    assert parse_vn_date(" 4/1/2025 ") == date(2025, 1, 4)
    assert format_vn_date(date(2025, 1, 4)) == "04/01/2025"


@pytest.mark.parametrize("text", ["2025-01-24", "24-01-2025", "24/01/25", "", "abc", None,
                                  "24/01/2025x"])
def test_parse_vn_date_rejects_other_forms(text):
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_vn_date(text)


def test_parse_vn_date_rejects_impossible_dates():
    with pytest.raises(ValueError, match="không tồn tại"):
        parse_vn_date("29/02/2025")


# --- the overrides file ------------------------------------------------------------------------

def test_bundled_overrides_only_add_what_the_library_lacks():
    overrides = load_calendar_overrides()
    bare = WorkingCalendar()
    assert overrides.days_off and overrides.working_days
    for d, entry in overrides.days_off.items():
        assert bare.is_working_day(d), f"{d} is already off in `holidays`"
        assert entry.source
    for d in overrides.working_days:
        assert not bare.is_working_day(d), f"{d} is already a working day in `holidays`"


def test_custom_overrides_file(tmp_path):
    f = tmp_path / "o.toml"
    f.write_text('[[day_off]]\ndate = 2025-03-12\nreason = "Nghỉ thử"\nsource = "QĐ 1"\n',
                 encoding="utf-8")
    cal = WorkingCalendar(load_calendar_overrides(f))
    assert cal.day_off_reason(date(2025, 3, 12)) == "Nghỉ thử"
    # received Tue 11/03/2025: [Wed 12 off], Thu 13 (1)
    assert cal.add_working_days(date(2025, 3, 11), 1) == date(2025, 3, 13)


def _entry(kind="day_off", date_="2025-03-12", extra=""):
    return f'[[{kind}]]\ndate = {date_}\nreason = "r"\nsource = "s"\n{extra}'


@pytest.mark.parametrize("text, message", [
    ("[[day_off]\n", "TOML"),
    ("holiday = 1\n", "unknown keys: holiday"),
    ('day_off = "x"\n', "mảng bảng"),
    ("checked_with_holidays = 1\n", "checked_with_holidays"),
    ('[[day_off]]\ndate = 2025-03-12\nreason = "r"\n', "2025-03-12.*'source'"),
    ('[[day_off]]\ndate = "12/03/2025"\nreason = "r"\nsource = "s"\n', "entry 1.*yyyy-mm-dd"),
    ('[[day_off]]\nreason = "r"\nsource = "s"\n', "entry 1.*yyyy-mm-dd"),
    (_entry(date_="2025-03-12T00:00:00"), "yyyy-mm-dd"),
    (_entry(extra='reson = "x"\n'), "2025-03-12.*unknown keys: reson"),
    (_entry(extra="note = 3\n"), "note"),
    (_entry(date_="2025-03-15"), "2025-03-15.*Thứ Bảy"),
    (_entry() + _entry("working_day"), r"\[\[working_day\]\] 2025-03-12.*trùng"),
    (_entry() + _entry(), "trùng"),
])
def test_bad_overrides_files(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarDataError, match=message) as err:
        load_calendar_overrides(f)
    assert str(f) in str(err.value)


def test_missing_overrides_file(tmp_path):
    with pytest.raises(CalendarDataError, match="không tìm thấy"):
        load_calendar_overrides(tmp_path / "none.toml")


def _off(cal, a, b):
    return [d for d, _ in cal.days_off_between(a, b)]
