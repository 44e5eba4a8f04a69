"""`datdai check`: every rule on a delivery's files, findings to a CSV; exit 2 on bad input,
and no output file when the check fails."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from datdai.apps import cli as cli_module
from datdai.apps.cli import main
from datdai.cleaning.findings import FINDING_COLUMNS
from datdai.cleaning.registry import all_rules


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    from datdai import synth

    out = tmp_path_factory.mktemp("giao-nop-check")
    synth.run(out, parcels=40, seed=3)
    return out


def _console_width(monkeypatch, width: int) -> None:
    """The CLI's consoles were made at import, with whatever width the environment had."""
    for console in (cli_module.out, cli_module.err):
        monkeypatch.setattr(console, "_width", width)


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run ``datdai ARGS`` in this process as the console script does; (code, stdout, stderr).
    The consoles are 200 columns wide, so that no message is folded."""
    _console_width(monkeypatch, 200)

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["datdai", *map(str, args)])
        with pytest.raises(SystemExit) as e:
            main()
        captured = capsys.readouterr()
        code = e.value.code if isinstance(e.value.code, int) else (0 if e.value.code is None else 1)
        return code, captured.out, captured.err
    return run


def _read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_list_rules_names_every_code(cli):
    code, out, _ = cli("check", "--list-rules")
    assert code == 0
    for r in all_rules():
        assert r.code in out, r.code
    assert "default_scale=1000" in out


def test_list_rules_keeps_codes_whole_in_a_narrow_terminal(cli, monkeypatch):
    _console_width(monkeypatch, 80)
    code, out, _ = cli("check", "--list-rules")
    assert code == 0
    assert all(rule.code in out for rule in all_rules())


def test_a_check_writes_the_findings(cli, delivery, tmp_path):
    out = tmp_path / "ket-qua" / "loi_du_lieu.csv"
    code, stdout, _ = cli("check", "--parcels", delivery / "thua_dat.gpkg",
                          "--register", delivery / "so_dia_chinh.csv", "--out", out)
    assert code == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == FINDING_COLUMNS
    rows = _read(out)
    assert rows, "a synthetic delivery has defects"
    codes = {r.code for r in all_rules()}
    assert {r["ma_loi"] for r in rows} <= codes
    assert {r["muc_do"] for r in rows} <= {"LOI", "CANH_BAO"}
    assert all(r["ma_xa"] and r["mo_ta"] for r in rows)
    # the summary: every rule, the total, the communes
    for c in codes:
        assert c in stdout
    assert "Tổng / total" in stdout and "Theo xã" in stdout
    assert str(out) in stdout.replace("\n", "")
    assert [p.name for p in out.parent.iterdir()] == ["loi_du_lieu.csv"]  # no temporary file


def test_config_disables_rules(cli, delivery, tmp_path):
    cfg = tmp_path / "cau_hinh.toml"
    enabled = {"GEOM_INVALID", "AREA_MISMATCH"}
    off = sorted({r.code for r in all_rules()} - enabled)
    cfg.write_text("[rules]\ndisabled = [" + ", ".join(f'"{c}"' for c in off) + "]\n",
                   encoding="utf-8")
    out = tmp_path / "loi.csv"
    code, _, err = cli("check", "--parcels", delivery / "thua_dat.gpkg", "--register",
                       delivery / "so_dia_chinh.csv", "--out", out, "--config", cfg)
    assert code == 0, err
    assert {r["ma_loi"] for r in _read(out)} <= enabled


def test_missing_options_exit_2(cli, tmp_path):
    code, _, err = cli("check", "--parcels", tmp_path / "a.gpkg")
    assert code == 2
    assert "--register" in err and "--out" in err
    assert list(tmp_path.iterdir()) == []


def test_unknown_engine_exit_2(cli, delivery, tmp_path):
    code, _, err = cli("check", "--parcels", delivery / "thua_dat.gpkg", "--register",
                       delivery / "so_dia_chinh.csv", "--out", tmp_path / "x.csv",
                       "--engine", "oracle")
    assert code == 2 and "oracle" in err
    assert not (tmp_path / "x.csv").exists()


def test_nonexistent_parcels_file_exit_2_naming_it(cli, delivery, tmp_path):
    out = tmp_path / "loi.csv"
    code, _, err = cli("check", "--parcels", tmp_path / "khong_co_tep.gpkg", "--register",
                       delivery / "so_dia_chinh.csv", "--out", out)
    assert code == 2
    assert "khong_co_tep.gpkg" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_nonexistent_register_file_exit_2_naming_it(cli, delivery, tmp_path):
    out = tmp_path / "loi.csv"
    code, _, err = cli("check", "--parcels", delivery / "thua_dat.gpkg", "--register",
                       tmp_path / "so_khong_co.csv", "--out", out)
    assert code == 2 and "so_khong_co.csv" in err
    assert not out.exists()


def test_out_not_written_when_the_register_is_unreadable(cli, delivery, tmp_path):
    bad = tmp_path / "so_dia_chinh.csv"
    bad.write_text("cot_a,cot_b\n1,2\n", encoding="utf-8")
    out = tmp_path / "ket-qua" / "loi.csv"
    code, _, err = cli("check", "--parcels", delivery / "thua_dat.gpkg", "--register", bad,
                       "--out", out)
    assert code == 2 and "so_dia_chinh.csv" in err
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_bad_config_exit_2_naming_the_rule(cli, delivery, tmp_path):
    cfg = tmp_path / "cau_hinh.toml"
    cfg.write_text('[rules]\ndisabled = ["KHONG_CO_QUY_TAC"]\n', encoding="utf-8")
    out = tmp_path / "loi.csv"
    code, _, err = cli("check", "--parcels", delivery / "thua_dat.gpkg", "--register",
                       delivery / "so_dia_chinh.csv", "--out", out, "--config", cfg)
    assert code == 2
    assert "KHONG_CO_QUY_TAC" in err and "cau_hinh.toml" in err
    assert not out.exists()


def test_previous_findings_survive_a_failed_check(cli, delivery, tmp_path):
    out = tmp_path / "loi.csv"
    out.write_text("ket qua cu\n", encoding="utf-8")
    code, _, _ = cli("check", "--parcels", tmp_path / "khong_co.gpkg", "--register",
                     delivery / "so_dia_chinh.csv", "--out", out)
    assert code == 2
    assert out.read_text(encoding="utf-8") == "ket qua cu\n"


def test_console_script_end_to_end(delivery, tmp_path):
    out = tmp_path / "loi.csv"
    r = subprocess.run([sys.executable, "-m", "datdai", "check", "--parcels",
                        str(delivery / "thua_dat.gpkg"), "--register",
                        str(delivery / "so_dia_chinh.csv"), "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with open(out, encoding="utf-8-sig", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == FINDING_COLUMNS
