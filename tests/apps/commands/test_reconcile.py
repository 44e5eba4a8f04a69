"""`datdai reconcile`: owners against the population extract, one result row per owners row in
the same order; exit 2 on bad input; the result file is written atomically."""

from __future__ import annotations

import csv
import json
import sys

import pyarrow as pa
import pytest

from datdai.apps import cli as cli_module
from datdai.apps.cli import main
from datdai.matching import result as result_module
from datdai.matching.match import RESULT_COLUMNS


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run ``datdai ARGS`` in this process as the console script does; (code, stdout, stderr)."""
    for console in (cli_module.out, cli_module.err):
        monkeypatch.setattr(console, "_width", 200)

    def run(*args) -> tuple[int, str, str]:
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


def test_reconcile_writes_one_row_per_owner_row_in_order(cli, synth_delivery, tmp_path):
    out = tmp_path / "ket_qua_doi_soat.csv"
    code, stdout, _ = cli("reconcile", "--owners", synth_delivery / "chu_su_dung.csv",
                          "--population", synth_delivery / "dan_cu.csv", "--out", out)
    assert code == 0
    assert "KHOP" in stdout
    rows = _read(out)
    owners = _read(synth_delivery / "chu_su_dung.csv")
    assert [r["ma_dong"] for r in rows] == [r["ma_dong"] for r in owners]
    assert list(rows[0]) == list(RESULT_COLUMNS)
    assert {r["ket_qua"] for r in rows} <= {"KHOP", "CAN_XAC_MINH", "KHONG_KHOP"}
    khop = [r for r in rows if r["ket_qua"] == "KHOP"]
    assert len(khop) > 0.7 * len(rows)
    assert all(len(r["so_dinh_danh"]) == 12 and r["cccd_chuan"] == r["so_dinh_danh"] for r in khop)
    assert all(0 <= float(r["diem"]) <= 1 for r in rows)
    # beside the result: the evidence per candidate and the run's summary, no temporary file
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ket_qua_doi_soat.csv", "ket_qua_doi_soat.giai_thich.csv", "ket_qua_doi_soat.tom_tat.json"]
    why = _read(tmp_path / "ket_qua_doi_soat.giai_thich.csv")
    # every case sent to review is explained (a candidate only an ID stage proposed has no
    # model score: its probability is blank)
    review = {r["ma_dong"] for r in rows if r["ket_qua"] == "CAN_XAC_MINH"}
    assert review and review <= {w["ma_dong"] for w in why} <= {r["ma_dong"] for r in rows}
    assert all(w["xac_suat"] == "" or 0 <= float(w["xac_suat"]) <= 1 for w in why)
    summary = json.loads((tmp_path / "ket_qua_doi_soat.tom_tat.json").read_text(encoding="utf-8"))
    assert {"khoi", "huan_luyen", "nguong", "thoi_gian"} <= set(summary)
    assert "tệp giải thích" in stdout or "giai_thich" in stdout


def test_bad_owners_file_exits_2_and_writes_nothing(cli, synth_delivery, tmp_path):
    out = tmp_path / "kq.csv"
    code, _, err = cli("reconcile", "--owners", synth_delivery / "dan_cu.csv",
                       "--population", synth_delivery / "dan_cu.csv", "--out", out)
    assert code == 2
    assert "ma_dong" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_empty_population_file_exits_2(cli, synth_delivery, tmp_path):
    empty = tmp_path / "dan_cu.csv"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "kq.csv"
    code, _, _ = cli("reconcile", "--owners", synth_delivery / "chu_su_dung.csv",
                     "--population", empty, "--out", out)
    assert code == 2
    assert not out.exists()


@pytest.fixture(scope="module")
def province_1500(tmp_path_factory):
    from datdai import synth

    out = tmp_path_factory.mktemp("doi-soat-spark")
    synth.run(out, parcels=1500, seed=11)
    return out


def _accuracy(rows, truth_path):
    truth = {r["ma_dong"]: r["so_dinh_danh"] for r in _read(truth_path)}
    khop = [r for r in rows if r["ket_qua"] == "KHOP"]
    right = sum(r["so_dinh_danh"] == truth[r["ma_dong"]] for r in khop)
    return right / len(khop), right / sum(bool(truth[r["ma_dong"]]) for r in rows)


@pytest.mark.slow
def test_spark_engine_gives_the_decisions_of_duckdb(cli, province_1500, tmp_path):
    """The same pipeline on Spark (local mode) and on DuckDB: the u-probabilities come from
    different random samples, so weights differ in the second decimal; decisions agree."""
    out = tmp_path / "kq_spark.csv"
    code, stdout, err = cli("reconcile", "--owners", province_1500 / "chu_su_dung.csv",
                            "--population", province_1500 / "dan_cu.csv", "--out", out,
                            "--engine", "spark")
    assert code == 0, err
    spark = _read(out)
    duck = result_module.reconcile_files(province_1500 / "chu_su_dung.csv",
                                         province_1500 / "dan_cu.csv", tmp_path / "kq.csv")
    duck = duck.table.to_pylist()
    assert [r["ma_dong"] for r in spark] == [r["ma_dong"] for r in duck]
    same = sum((s["ket_qua"], s["so_dinh_danh"]) == (d["ket_qua"], d["so_dinh_danh"])
               for s, d in zip(spark, duck))
    assert same >= 0.995 * len(duck)
    precision, recall = _accuracy(spark, province_1500 / "truth" / "owners.csv")
    assert precision >= 0.9995 and recall >= 0.985


def test_unknown_engine_exits_2(cli, synth_delivery, tmp_path):
    out = tmp_path / "kq.csv"
    code, _, err = cli("reconcile", "--owners", synth_delivery / "chu_su_dung.csv",
                       "--population", synth_delivery / "dan_cu.csv", "--out", out,
                       "--engine", "polars")
    assert code == 2 and "duckdb hoặc spark" in err
    assert not out.exists()


def _table() -> pa.Table:
    return pa.table({c: pa.array(["x", "y"]) for c in RESULT_COLUMNS})


def test_result_is_written_atomically(tmp_path, monkeypatch):
    out = tmp_path / "kq.csv"
    out.write_text("bản cũ / old\n", encoding="utf-8")

    def broken(table, sink, **kwargs):
        sink.write(b"ma_dong,ket_qua\nD1,KH")  # half a file, then the disk fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(result_module.pacsv, "write_csv", broken)
    with pytest.raises(OSError):
        result_module.write_result(_table(), out)
    assert out.read_text(encoding="utf-8") == "bản cũ / old\n"  # the old file untouched
    assert [p.name for p in tmp_path.iterdir()] == ["kq.csv"]  # no temporary file left

    monkeypatch.undo()
    result_module.write_result(_table(), out)
    assert [r["ma_dong"] for r in _read(out)] == ["x", "y"]
    assert [p.name for p in tmp_path.iterdir()] == ["kq.csv"]


def test_bad_qr_evidence_exits_2_naming_the_line(cli, synth_delivery, tmp_path):
    qr = tmp_path / "qr.txt"
    qr.write_text("không phải mã QR\n", encoding="utf-8")
    out = tmp_path / "kq.csv"
    code, _, err = cli("reconcile", "--owners", synth_delivery / "chu_su_dung.csv",
                       "--population", synth_delivery / "dan_cu.csv", "--out", out, "--qr", qr)
    assert code == 2 and "qr.txt" in err and "dòng 1" in err
    assert not out.exists()
