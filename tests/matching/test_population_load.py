"""Loading a population extract into the store (``datdai dan-cu nap``'s work), on SQLite and
PostgreSQL: versioned, replaced whole, all or nothing; and reconciling the store with it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from datdai.cleaning.readers.errors import DeliveryError
from datdai.db import schema as s
from datdai.matching.citizen_extracts import current_extract, write_extract_csv
from datdai.matching.inputs import POPULATION_COLUMNS
from datdai.matching.population_load import file_sha256, load_population

HEADER = ",".join(POPULATION_COLUMNS)


def _row(number: str, name: str, cmnd: str = "", born: str = "01/02/1980") -> str:
    values = {c: "" for c in POPULATION_COLUMNS}
    values.update(so_dinh_danh=number, so_cmnd=cmnd, ho_ten=name, gioi_tinh="Nữ", ngay_sinh=born,
                  thuong_tru="Ấp 1, Xã Tân Lợi, Tỉnh Bình Phước")
    return ",".join(f'"{values[c]}"' if "," in values[c] else values[c] for c in POPULATION_COLUMNS)


def _file(path, rows) -> object:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _citizens(store) -> dict[str, tuple]:
    with store.read() as conn:
        return {r.so_dinh_danh: (r.ho_ten, r.so_cmnd, r.ngay_sinh, r.dan_toc, r.extract_id)
                for r in conn.execute(select(s.citizens))}


def test_load_replace_and_refuse(store, tmp_path):
    first = _file(tmp_path / "dan_cu.csv", [_row("070100000001", "Lê Thị Hoa", "285500001"),
                                            _row("070100000002", "Trần Văn Ba")])
    done = load_population(store, first, actor="can-bo", extract_date=dt.date(2026, 11, 30))
    assert (done.rows, done.replaced, done.already_loaded) == (2, None, False)
    assert _citizens(store) == {
        "070100000001": ("Lê Thị Hoa", "285500001", "01/02/1980", None, done.extract_id),
        "070100000002": ("Trần Văn Ba", None, "01/02/1980", None, done.extract_id)}
    with store.read() as conn:
        info = current_extract(conn)
    assert (info.file_name, info.sha256, info.extract_date, info.row_count, info.loaded_by) == (
        "dan_cu.csv", file_sha256(first), dt.date(2026, 11, 30), 2, "can-bo")

    again = load_population(store, first, actor="nguoi-khac", extract_date=dt.date(2026, 11, 30))
    assert again.already_loaded and again.extract_id == done.extract_id

    second = _file(tmp_path / "dan_cu_thang_12.csv", [_row("070100000003", "Phạm Thị Cúc")])
    newer = load_population(store, second, actor="can-bo")
    assert newer.replaced == done.extract_id and newer.rows == 1
    assert set(_citizens(store)) == {"070100000003"}
    with store.read() as conn:
        extracts = conn.execute(select(s.citizen_extracts).order_by(s.citizen_extracts.c.id)).all()
    assert [(e.row_count, e.replaced_at is not None) for e in extracts] == [(2, True), (1, False)]

    # a duplicate number found after the rows were written: nothing changes
    bad = _file(tmp_path / "dan_cu_loi.csv", [_row("070100000004", "A"), _row("070100000005", "B"),
                                              _row("070100000004", "C")])
    with pytest.raises(DeliveryError, match="070100000004") as caught:
        load_population(store, bad, actor="can-bo")
    assert "dòng 2, 4" in str(caught.value)
    too_long = _file(tmp_path / "dan_cu_dai.csv", [_row("070100000006", "D", born="01/02/1980 00:00:00")])
    with pytest.raises(DeliveryError, match="dòng 2, cột 'ngay_sinh'"):
        load_population(store, too_long, actor="can-bo")
    assert set(_citizens(store)) == {"070100000003"}
    with store.read() as conn:
        assert current_extract(conn).id == newer.extract_id

    out = tmp_path / "ban-sao.csv"
    with store.read() as conn:
        assert write_extract_csv(conn, out, ("so_dinh_danh", "ho_ten", "so_cmnd")) == 1
    assert out.read_text(encoding="utf-8").splitlines() == ["so_dinh_danh,ho_ten,so_cmnd",
                                                           "070100000003,Phạm Thị Cúc,"]


def test_a_large_file_is_streamed_in_batches(store, tmp_path):
    rows = [_row(f"0701{i:08d}", f"Nguyễn Văn {i}") for i in range(60_000)]  # > one 4 MiB block
    path = _file(tmp_path / "dan_cu.csv", rows)
    seen: list[int] = []
    done = load_population(store, path, actor="t", progress=lambda _step, n, _t: seen.append(n))
    assert done.rows == 60_000 and len(seen) > 1 and seen[-1] == 60_000
    with store.read() as conn:
        assert conn.execute(select(s.citizens.c.ho_ten).where(
            s.citizens.c.so_dinh_danh == "070100059999")).scalar_one() == "Nguyễn Văn 59999"
