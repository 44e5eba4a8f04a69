"""The commune's survey form: pyxform compiles it without a warning, its entity list is the
commune's parcels (one per key, with the register's values and a map shape), its value lists are
our code lists."""

from __future__ import annotations

import csv

from openpyxl import load_workbook
from sqlalchemy import select

from datdai.cleaning.survey_form import ENTITY_COLUMNS, compile_xlsform, write_xlsform
from datdai.db import schema as s
from datdai.kernel.landuse import catalog
from datdai.kernel.survey_fields import FIELDS
from datdai.land import repository
from tests.land.factories import small_dataset


def test_form_compiles_and_lists_the_communes_parcels(store, tmp_path):
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
    with store.read() as conn:
        result = write_xlsform(conn, "25216", tmp_path / "phieu.xlsx")
        keys = {f"{c}-{sh}-{p}" for c, sh, p in conn.execute(
            select(s.parcels.c.commune_code, s.parcels.c.sheet_no, s.parcels.c.parcel_no)
            .where(s.parcels.c.commune_code == "25216"))}
    xform, warnings = compile_xlsform(result.form)
    assert warnings == []
    assert 'entities:saveto="trang_thai"' in xform and 'dataset="parcels"' in xform
    assert 'src="jr://file-csv/parcels.csv"' in xform and 'appearance="map"' in xform
    for f in FIELDS:
        assert f"/{f.name}" in xform, f.name
    with result.entities.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == ENTITY_COLUMNS
    assert {r["name"] for r in rows} == keys and len(rows) == len(keys) == result.parcels == 3
    first = next(r for r in rows if r["name"] == "25216-12-1")
    assert (first["dien_tich"], first["muc_dich"], first["chu_su_dung"]) == ("400", "ONT+CLN", "Hộ ông Nguyễn Văn An")
    assert first["geometry"].count(";") == 4 and first["geometry"].startswith("11.7")  # a closed ring, lat first
    assert next(r for r in rows if r["name"] == "25216-12-3")["geometry"] == ""  # register only: no shape
    choices = load_workbook(result.form)["choices"]
    landuse = [row[1] for row in choices.iter_rows(min_row=2, values_only=True) if row[0] == "loai_dat"]
    assert landuse == list(catalog().codes())
