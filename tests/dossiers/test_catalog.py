"""The service catalog: the bundled data and the validation of other files."""

import unicodedata

import pytest

from datdai.dossiers.catalog import (
    ESSENTIAL_CODES,
    ROLES,
    CatalogError,
    default_catalog,
    load_catalog,
    service_limit,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_essential_services(catalog):
    assert all(catalog[c].essential for c in ESSENTIAL_CODES)
    info = catalog["DK_BIEN_DONG_THONG_TIN"]
    assert (info.limit_days, info.limit_days_disadvantaged) == (4, 14)
    assert service_limit(info, disadvantaged=False) == 4
    assert service_limit(info, disadvantaged=True) == 14
    transfer = catalog["CHUYEN_QUYEN"]
    assert service_limit(transfer, False) == service_limit(transfer, True) == 8
    assert "151/2025/NĐ-CP" in transfer.legal_source and "226/2025" in transfer.legal_source
    finance = catalog["NGHIA_VU_TAI_CHINH"]
    assert finance.limit_confirmed is False and "CHƯA XÁC NHẬN" in finance.note


def test_other_common_procedures(catalog):
    assert catalog["DANG_KY_LAN_DAU"].limit_days == 17
    assert (catalog["CAP_DOI_GCN"].limit_days, catalog["CAP_DOI_GCN"].limit_days_disadvantaged) \
        == (5, 10)
    assert catalog["DINH_CHINH_GCN"].limit_days == 8
    assert not any(s.essential for c, s in catalog.items() if c not in ESSENTIAL_CODES)


def test_steps_fit_the_limit_and_follow_the_desk(catalog):
    for s in catalog.values():
        assert sum(step.limit_days for step in s.steps) <= s.limit_days, s.code
        assert s.steps[0].code == "TIEP_NHAN" and s.steps[-1].code == "TRA_KET_QUA"
        assert s.step("KIEM_TRA_DAN_CU").role == "can_bo_dang_ky"
        assert s.step("CAP_NHAT_CSDL").role == "can_bo_du_lieu"
        assert all(step.role in ROLES for step in s.steps)
        assert s.required_documents


def test_transfer_goes_through_tax_and_stops_the_clock_for_payment(catalog):
    steps = catalog["CHUYEN_QUYEN"].steps
    assert any(st.role == "he_thong_thue" for st in steps)
    stops = [st for st in steps if st.clock_stops]
    assert [st.code for st in stops] == ["NOP_NGHIA_VU"] and stops[0].limit_days == 0
    codes = {d.code for d in catalog["CHUYEN_QUYEN"].required_documents}
    assert {"HOP_DONG_VAN_BAN_CHUYEN_QUYEN", "GCN_BAN_GOC", "DON_DANG_KY_BIEN_DONG"} <= codes


def test_texts_are_nfc(catalog):
    for s in catalog.values():
        for text in (s.name, s.legal_source, *(d.name for d in s.documents),
                     *(st.name for st in s.steps)):
            assert unicodedata.is_normalized("NFC", text)


def test_default_catalog_is_cached_and_read_only():
    cat = default_catalog()
    assert cat is default_catalog()
    with pytest.raises(TypeError):
        cat["X"] = None


# --- bad files -----------------------------------------------------------------------------------

def _service(code, limit=4, extra="", step_extra="", step_limit=1, role="mot_cua",
             essential="true"):
    return (f'[[service]]\ncode = "{code}"\nname = "Thủ tục {code}"\ngroup = "dang_ky"\n'
            f'limit_days = {limit}\nlegal_source = "NĐ 151/2025/NĐ-CP"\nessential = {essential}\n'
            f'{extra}'
            '[[service.document]]\ncode = "DON"\nname = "Đơn"\nrequired = true\n'
            f'[[service.step]]\ncode = "TIEP_NHAN"\nname = "Tiếp nhận"\nlimit_days = {step_limit}\n'
            f'role = "{role}"\n{step_extra}')


def _catalog(first="", **kw):
    """A valid catalog of the three essential services; ``kw`` changes the first one."""
    head = first or _service(ESSENTIAL_CODES[0], **kw)
    return head + "".join(_service(c) for c in ESSENTIAL_CODES[1:])


def test_minimal_catalog_is_valid(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text(_catalog(), encoding="utf-8")
    assert list(load_catalog(f)) == list(ESSENTIAL_CODES)


@pytest.mark.parametrize("text, message", [
    ("[[service]\n", "TOML"),
    ('title = "x"\n', "unknown keys: title"),
    ("", "no services"),
    (_catalog(step_limit=5), "DK_BIEN_DONG_THONG_TIN.*vượt"),
    (_catalog(role="ai_do"), "TIEP_NHAN.*role"),
    (_catalog(step_limit=-1), "TIEP_NHAN.*limit_days"),
    (_catalog(step_limit='"1"'), "limit_days"),
    (_catalog(step_extra="clock_stops = true\n"), "clock_stops"),
    (_catalog(limit=0), "số nguyên dương"),
    (_catalog(limit=4.5), "số nguyên dương"),
    (_catalog(extra="limit_days_disadvantaged = 2\n"), "nhỏ hơn"),
    (_catalog(extra="limit_confirmed = \"no\"\n"), "limit_confirmed"),
    (_catalog(extra="han = 3\n"), "unknown keys: han"),
    (_catalog(essential="false"), "DK_BIEN_DONG_THONG_TIN.*essential"),
    (_catalog(first=_service("dk_thuong")), "CHU_HOA"),
    (_catalog() + _service("CHUYEN_QUYEN"), "CHUYEN_QUYEN.*trùng"),
    (_service("CHUYEN_QUYEN") + _service("NGHIA_VU_TAI_CHINH"), "DK_BIEN_DONG_THONG_TIN"),
    (_catalog(first=_service(ESSENTIAL_CODES[0]).replace('name = "Đơn"\n', "")),
     r"service\.document\]\] DON.*missing: name"),
    (_catalog(first=_service(ESSENTIAL_CODES[0]) + '[[service.step]]\ncode = "TIEP_NHAN"\n'
              'name = "x"\nlimit_days = 0\nrole = "mot_cua"\n'), "TIEP_NHAN.*trùng"),
])
def test_bad_catalog_files(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=message) as err:
        load_catalog(f)
    assert str(f) in str(err.value)


def test_missing_catalog_file(tmp_path):
    with pytest.raises(CatalogError, match="không tìm thấy"):
        load_catalog(tmp_path / "none.toml")
