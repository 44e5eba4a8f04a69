import random
import unicodedata

import pyarrow as pa
import pytest

from datdai.cleaning.readers.text_repair import candidates, repair_column
from datdai.kernel.legacy import encode_tcvn3, encode_vni, repair_text
from datdai.synth.names import SURNAMES

NAMES = ["Nguyễn Văn Đức", "Trần Thị Hồng", "Lê Hoàng Xuân", "Phạm Quốc Toàn", "Võ Thị Nghĩa",
         "Huỳnh Minh Tuấn", "Đỗ Thị Thúy", "Trịnh Văn Lộc", "Hồ Thị Lụa", "Vũ Anh Tuấn"]


def mojibake(text):
    return text.encode("utf-8").decode("cp1252", errors="replace")


def test_tcvn3_vni_mojibake_clean_ascii_null():
    values = [encode_tcvn3("Nguyễn Văn Đức"), encode_vni("Trần Thị Hồng"),
              "Lê Thị Hoa".encode().decode("cp1252"), "Phạm Quốc Toàn", "Minh Anh", None]
    fixed, kind = repair_column(pa.array(values))
    assert fixed.to_pylist() == ["Nguyễn Văn Đức", "Trần Thị Hồng", "Lê Thị Hoa", "Phạm Quốc Toàn",
                                 "Minh Anh", None]
    assert kind.to_pylist() == ["TCVN3", "VNI", "MOJIBAKE", None, None, None]


def test_chunked_input_and_repeats():
    legacy = encode_vni("Lê Văn Tâm")
    col = pa.chunked_array([[legacy, "Lê Văn Tâm"], [legacy, None]])
    fixed, kind = repair_column(col)
    assert fixed.to_pylist() == ["Lê Văn Tâm", "Lê Văn Tâm", "Lê Văn Tâm", None]
    assert kind.to_pylist() == ["VNI", None, "VNI", None]


def test_restore_case_only_for_tcvn3_when_asked():
    legacy = encode_tcvn3("Đặng Thị Ánh")  # TCVN3 has no capital Á: it comes back lowercase
    assert repair_column(pa.array([legacy]))[0][0].as_py() == repair_text(legacy)[0]
    assert repair_column(pa.array([legacy]), restore_case=True)[0][0].as_py() == "Đặng Thị Ánh"


def test_output_is_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    fixed, kind = repair_column(pa.array([nfd]))
    assert fixed[0].as_py() == "Nguyễn Thị Ánh" and kind[0].as_py() is None


@pytest.mark.parametrize("encode", [encode_tcvn3, encode_vni, mojibake])
def test_prefilter_catches_legacy_names(encode):
    for name in NAMES + [n.upper() for n in NAMES]:
        legacy = encode(name)
        if repair_text(legacy)[1] is not None:
            assert candidates(pa.array([legacy]))[0].as_py(), legacy
            assert repair_column(pa.array([legacy]))[1][0].as_py() is not None


def test_prefilter_rarely_marks_genuine_names():
    rng = random.Random(4)
    given = ["Hoàng", "Xuân", "Toàn", "Quân", "Nguyên", "Tuyết", "Hòa", "Khoa", "Thủy", "Quý",
             "Hoa", "Huệ", "Ngọc", "Thị", "Văn", "Đức", "Giang", "Oanh", "Khuê", "Thoại"]
    genuine = [f"{rng.choice(SURNAMES)} {rng.choice(given)} {rng.choice(given)}" for _ in range(2000)]
    marked = sum(candidates(pa.array(genuine)).to_pylist())
    assert marked <= 20
