"""A small synthetic province in a store, its owners export and the matcher's result file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from datdai.db import schema as s
from datdai.land import repository

PARCELS, SEED = 300, 7


@dataclass
class Province:
    export_id: int
    owners: Path
    result: Path
    population: Path

    def owner_rows(self) -> list[dict]:
        return _rows(self.owners)

    def result_rows(self) -> list[dict]:
        return _rows(self.result)


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


TWINS = 3  # owners without an ID number given a namesake in the register: cases to review


def _namesake_twins(result) -> None:
    """For the first :data:`TWINS` owner persons recorded without an ID number, a citizen of the
    same name, birth year and residence (another day of birth, another number): whatever the
    matcher, nothing on the owner's row tells the two apart, so each is a case for a person."""
    from dataclasses import replace

    by_number = {c.so_dinh_danh: c for c in result.citizens}
    numbers = set(by_number)
    missing = list(dict.fromkeys(t["so_dinh_danh"] for t in result.truth.owner_rows
                                 if t["noise"] == "ID_MISSING" and t["so_dinh_danh"]))
    for number in missing[:TWINS]:
        person = by_number[number]
        day, month, year = person.ngay_sinh.split("/")
        twin = replace(person, ngay_sinh=f"{day}/{int(month) % 12 + 1:02d}/{year}", so_cmnd=None)
        serial = int(person.so_dinh_danh[6:])
        while twin.so_dinh_danh in numbers:
            serial = (serial + 7919) % 1_000_000
            twin = replace(twin, so_dinh_danh=f"{person.so_dinh_danh[:6]}{serial:06d}")
        numbers.add(twin.so_dinh_danh)
        result.citizens.append(twin)
    assert len(missing) >= TWINS, "the synthetic province has too few owners without an ID"


def synthetic(tmp_path_factory):
    """(synth result, folder with dan_cu.csv): generated once per test session, with
    :data:`TWINS` namesakes added to the register."""
    from datdai import synth

    out = tmp_path_factory.mktemp("tinh-gia-lap")
    result = synth.generate(parcels=PARCELS, seed=SEED)
    _namesake_twins(result)
    synth.write(result, out)
    return result, out


def load_province(store, synth_result, folder: Path, work: Path, reconcile: bool = True) -> Province:
    """Load the synthetic province, export its owners (recorded), and match them."""
    from datdai.matching.c06_export import export_c06
    from datdai.matching.result import reconcile_files

    with store.transaction() as conn:
        repository.load_dataset(conn, synth_result.land, actor="t", source="tỉnh giả lập", reason="test")
        repository.replace_citizens(conn, synth_result.citizens, source=str(folder / "dan_cu.csv"))
    work.mkdir(parents=True, exist_ok=True)
    owners, result = work / "chu_su_dung.csv", work / "ket_qua_doi_soat.csv"
    with store.read() as conn:
        exported = export_c06(conn, owners, actor="can-bo")
    if reconcile:
        reconcile_files(owners, folder / "dan_cu.csv", result)
    return Province(exported.export_id, owners, result, folder / "dan_cu.csv")


def write_result(path: Path, rows: list[dict]) -> Path:
    from datdai.matching.reconcile_results import RESULT_COLUMNS

    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(RESULT_COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in RESULT_COLUMNS})
    return path


def table_rows(conn, table) -> list[dict]:
    return [dict(r) for r in conn.execute(select(table).order_by(table.c.id)).mappings()]


def parties_by_id(conn) -> dict[int, dict]:
    return {r["id"]: r for r in table_rows(conn, s.parties)}
