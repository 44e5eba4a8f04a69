"""The check's configuration file (TOML): the delivery's zone, the rules' switches and
parameters; every mistake is a DeliveryError naming the file and what is wrong."""

from __future__ import annotations

import textwrap

import pytest

from datdai.cleaning.config import CheckConfig, load_config
from datdai.cleaning.readers.errors import DeliveryError
from datdai.cleaning.registry import all_rules
from datdai.cleaning.runner import run_rules
from datdai.compute import open_engine
from tests.cleaning.rules.builders import owner, parcel, parcels_table, register_table, square


def _cfg(tmp_path, text: str):
    p = tmp_path / "kiem_tra.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def _error(tmp_path, text: str) -> str:
    p = _cfg(tmp_path, text)
    with pytest.raises(DeliveryError) as e:
        load_config(p)
    assert "kiem_tra.toml" in str(e.value)
    return str(e.value)


def test_no_file_means_defaults():
    cfg = load_config(None)
    assert cfg == CheckConfig()
    assert cfg.srid is None and cfg.disabled == set() and cfg.params_for("OVERLAP") == {}


def test_empty_file_means_defaults(tmp_path):
    cfg = load_config(_cfg(tmp_path, ""))
    assert cfg.srid is None and cfg.disabled == set() and cfg.rule_params == {}
    assert cfg.path == tmp_path / "kiem_tra.toml"


def test_province_gives_its_zone(tmp_path):
    assert load_config(_cfg(tmp_path, '[delivery]\nprovince = "Bình Phước"\n')).srid == 9212
    assert load_config(_cfg(tmp_path, '[delivery]\nprovince = "Thừa Thiên Huế"\n')).srid == 9214
    assert load_config(_cfg(tmp_path, '[giao_nop]\ntinh = "Sơn La"\n')).srid == 9206


def test_province_without_diacritics(tmp_path):
    assert load_config(_cfg(tmp_path, '[delivery]\nprovince = "binh phuoc"\n')).srid == 9212


def test_srid_directly(tmp_path):
    assert load_config(_cfg(tmp_path, "[delivery]\nsrid = 9210\n")).srid == 9210


def test_srid_wins_over_province(tmp_path):
    cfg = load_config(_cfg(tmp_path, '[delivery]\nsrid = 9210\nprovince = "Bình Phước"\n'))
    assert cfg.srid == 9210


def test_commune_and_sheet(tmp_path):
    cfg = load_config(_cfg(tmp_path, '[delivery]\nma_xa = 1234\nso_to = " 12 "\n'))
    assert cfg.ma_xa == "01234" and cfg.so_to == "12"


def test_unknown_province_is_named(tmp_path):
    assert "Atlantis" in _error(tmp_path, '[delivery]\nprovince = "Atlantis"\n')


def test_srid_that_is_not_a_zone_is_named(tmp_path):
    assert "4326" in _error(tmp_path, "[delivery]\nsrid = 4326\n")


def test_disabled_rules(tmp_path):
    cfg = load_config(_cfg(tmp_path, '[rules]\ndisabled = ["OWNER_MISMATCH", "OVERLAP"]\n'))
    assert cfg.disabled == {"OWNER_MISMATCH", "OVERLAP"}
    cfg = load_config(_cfg(tmp_path, '[quy_tac]\ntat = ["NAME_FORMAT"]\n'))
    assert cfg.disabled == {"NAME_FORMAT"}


def test_unknown_disabled_rule_is_named(tmp_path):
    msg = _error(tmp_path, '[rules]\ndisabled = ["OWNER_MISMATCH", "NO_SUCH_RULE"]\n')
    assert "NO_SUCH_RULE" in msg


def test_rule_parameters(tmp_path):
    cfg = load_config(_cfg(tmp_path, """
        [rules.AREA_MISMATCH]
        factor = 2.5
        default_scale = 2000

        [rules.OVERLAP]
        min_area = 0.5
    """))
    assert cfg.params_for("AREA_MISMATCH") == {"factor": 2.5, "default_scale": 2000}
    assert cfg.params_for("OVERLAP") == {"min_area": 0.5}
    assert cfg.params_for("GEOM_INVALID") == {}


def test_unknown_rule_section_is_named(tmp_path):
    assert "AREA_MISMATCHH" in _error(tmp_path, "[rules.AREA_MISMATCHH]\nfactor = 2\n")


def test_unknown_parameter_is_named(tmp_path):
    msg = _error(tmp_path, "[rules.AREA_MISMATCH]\ntolerance = 5\n")
    assert "tolerance" in msg and "AREA_MISMATCH" in msg


def test_parameter_of_the_wrong_type_is_named(tmp_path):
    assert "factor" in _error(tmp_path, '[rules.AREA_MISMATCH]\nfactor = "nhiều"\n')


def test_rule_parameters_must_be_a_table(tmp_path):
    assert "OVERLAP" in _error(tmp_path, "[rules]\nOVERLAP = 3\n")


def test_section_must_be_a_table(tmp_path):
    assert "delivery" in _error(tmp_path, 'delivery = "Bình Phước"\n')


def test_not_toml(tmp_path):
    assert "TOML" in _error(tmp_path, "[delivery\nprovince = \n")


def test_missing_file(tmp_path):
    with pytest.raises(DeliveryError) as e:
        load_config(tmp_path / "khong_co.toml")
    assert "khong_co.toml" in str(e.value)


def test_parameters_reach_the_rules(tmp_path):
    """A configured parameter changes what a rule finds."""
    cfg = load_config(_cfg(tmp_path, """
        [rules.AREA_MISMATCH]
        default_scale = 2000
    """))
    cfg.disabled = {r.code for r in all_rules()} - {"AREA_MISMATCH"}
    ps = parcels_table([parcel("1", square(0, 0, 20))])
    os_ = register_table([owner("1", dien_tich=410.0)])  # 10 m² off: > 8 at 1:1000, < 16 at 1:2000
    with open_engine("duckdb") as eng:
        assert run_rules(ps, os_, engine=eng, config=cfg).findings.num_rows == 0
        default = CheckConfig(disabled=cfg.disabled)
        assert run_rules(ps, os_, engine=eng, config=default).findings.num_rows == 1
