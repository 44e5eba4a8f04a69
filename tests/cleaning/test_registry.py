"""The rule catalog: one RULE per module of datdai.cleaning.rules, unique codes, the spec's
minimum catalog present, and every rule's SQL runs."""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import textwrap
from pathlib import Path

import pytest

from datdai.cleaning import registry
from datdai.cleaning import rules as rules_pkg
from datdai.cleaning.findings import FINDING_COLUMNS, Severity, Target
from datdai.cleaning.registry import all_rules, get_rule
from datdai.cleaning.rule import Param, Rule, select
from datdai.compute import open_engine
from tests.cleaning.rules.builders import matched, run

MINIMUM_CATALOG = {
    "GEOM_INVALID", "OVERLAP", "DUPLICATE_PARCEL", "MISSING_IN_MAP", "MISSING_IN_REGISTER",
    "AREA_MISMATCH", "LANDUSE_MISMATCH", "LANDUSE_CODE_INVALID", "OWNER_MISMATCH",
    "ID_MISSING", "ID_INVALID", "ID_BIRTH_MISMATCH", "ID_DUPLICATE", "LEGACY_ENCODING",
}
RULE_TESTS = Path(__file__).parent / "rules"


def _modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(rules_pkg.__path__)]


def test_every_module_defines_one_rule():
    for name in _modules():
        module = importlib.import_module(f"datdai.cleaning.rules.{name}")
        assert isinstance(getattr(module, "RULE", None), Rule), name
        others = [v for k, v in vars(module).items() if isinstance(v, Rule) and k != "RULE"]
        assert others == [], name
    assert len(all_rules()) == len(_modules())


def test_codes_are_unique_and_well_formed():
    codes = [r.code for r in all_rules()]
    assert len(codes) == len(set(codes))
    for c in codes:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", c), c


def test_minimum_catalog_is_present():
    assert MINIMUM_CATALOG <= {r.code for r in all_rules()}


def test_rule_metadata():
    for r in all_rules():
        assert isinstance(r.severity, Severity) and isinstance(r.target, Target), r.code
        assert r.title and r.description, r.code
        names = [p.name for p in r.params]
        assert len(names) == len(set(names)), r.code
        assert all(isinstance(p, Param) and p.help for p in r.params), r.code


def test_catalog_is_ordered():
    rules = all_rules()
    assert list(rules) == sorted(rules, key=lambda r: (r.order, r.code))
    assert rules[0].code == "GEOM_INVALID"


def test_get_rule():
    assert get_rule("OVERLAP").code == "OVERLAP"
    with pytest.raises(KeyError):
        get_rule("NO_SUCH_RULE")


def test_every_rule_module_has_its_test_module():
    missing = [n for n in _modules() if not (RULE_TESTS / f"test_{n}.py").exists()]
    assert missing == []


# --- parameters ---------------------------------------------------------------------------
def test_settings_defaults_and_overrides():
    r = get_rule("AREA_MISMATCH")
    assert r.settings() == {"factor": 2.0, "error_per_scale": 0.0002, "default_scale": 1000}
    s = r.settings({"factor": "3", "default_scale": 2000.0})
    assert s["factor"] == 3.0 and isinstance(s["factor"], float)
    assert s["default_scale"] == 2000 and isinstance(s["default_scale"], int)


def test_unknown_parameter_is_refused_by_name():
    with pytest.raises(ValueError, match="tolerance"):
        get_rule("OVERLAP").settings({"tolerance": 1})
    with pytest.raises(ValueError, match="factor"):
        get_rule("GEOM_INVALID").settings({"factor": 1})


def test_non_numeric_parameter_is_refused():
    with pytest.raises(ValueError, match="min_area"):
        get_rule("OVERLAP").settings({"min_area": "much"})


def test_select_lists_every_output_column_and_refuses_unknown_ones():
    sql = select(ma_xa="x")
    for c in FINDING_COLUMNS:
        if c != "ma_loi":
            assert f"AS {c}" in sql
    with pytest.raises(ValueError, match="khong_co"):
        select(khong_co="1")


# --- the SQL of every rule runs --------------------------------------------------------------
@pytest.fixture(scope="module")
def eng():
    with open_engine("duckdb") as e:
        yield e


def test_every_rule_runs_on_an_empty_delivery(eng):
    result = run(eng, [], [])
    assert result.findings.num_rows == 0
    assert [r.code for r in result.rules] == [r.code for r in all_rules()]
    assert result.findings.column_names == list(FINDING_COLUMNS)


def test_a_clean_delivery_has_no_findings(eng):
    ps, os_ = matched([str(i) for i in range(1, 13)])
    result = run(eng, ps, os_)
    assert result.findings.to_pylist() == []
    assert result.parcels.num_rows == 12
    assert result.count_by_rule() == {}


def test_findings_carry_code_and_severity(eng):
    ps, os_ = matched(["1", "2", "3"])
    os_[0]["so_giay_to"] = None  # ID_MISSING (LOI)
    os_[1]["ten_chu"] = "NGUYỄN VĂN AN"  # NAME_FORMAT (CANH_BAO)
    ps[2]["loai_dat"] = "XYZ"  # LANDUSE_CODE_INVALID (LOI) + LANDUSE_MISMATCH (LOI)
    result = run(eng, ps, os_)
    got = sorted((f["so_thua"], f["ma_loi"], f["muc_do"]) for f in result.findings.to_pylist())
    assert got == [("1", "ID_MISSING", "LOI"), ("2", "NAME_FORMAT", "CANH_BAO"),
                   ("3", "LANDUSE_CODE_INVALID", "LOI"), ("3", "LANDUSE_MISMATCH", "LOI")]
    assert result.count_by_rule() == {"ID_MISSING": 1, "LANDUSE_CODE_INVALID": 1,
                                      "LANDUSE_MISMATCH": 1, "NAME_FORMAT": 1}


# --- a broken catalog is refused --------------------------------------------------------------
def _fake_package(tmp_path, monkeypatch, modules: dict[str, str]) -> None:
    pkg = f"fake_rules_{tmp_path.name.replace('-', '_')}"
    root = tmp_path / pkg
    root.mkdir()
    (root / "__init__.py").write_text("")
    for name, body in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "rules_pkg", importlib.import_module(pkg))


RULE_SRC = """
from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule
RULE = Rule(code="{code}", title="t", target=Target.PARCEL, severity=Severity.ERROR,
            description="d", query=lambda p, d: "")
"""


@pytest.fixture
def fresh_catalog():
    all_rules.cache_clear()
    yield
    all_rules.cache_clear()
    for name in [m for m in sys.modules if m.startswith("fake_rules_")]:
        del sys.modules[name]


def test_module_without_rule_is_refused(tmp_path, monkeypatch, fresh_catalog):
    _fake_package(tmp_path, monkeypatch, {"good": RULE_SRC.format(code="A"), "bad": "X = 1\n"})
    with pytest.raises(TypeError, match="bad"):
        all_rules()


def test_duplicate_codes_are_refused(tmp_path, monkeypatch, fresh_catalog):
    _fake_package(tmp_path, monkeypatch, {"one": RULE_SRC.format(code="SAME"),
                                          "two": RULE_SRC.format(code="SAME")})
    with pytest.raises(ValueError, match="SAME"):
        all_rules()
