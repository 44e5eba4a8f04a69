"""The kinds of change a re-delivery plan lists, and their words (no heavy imports: the web pages
read them without loading the readers and the checks)."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    ADDED = "THEM"
    REMOVED = "XOA"
    GEOMETRY = "HINH_THE"
    ATTRIBUTES = "THUOC_TINH"
    OWNERS = "CHU_SU_DUNG"
    CONFLICT = "XUNG_DOT"


UNCHANGED = "KHONG_DOI"
KIND_LABELS = {Kind.ADDED: "thêm thửa", Kind.REMOVED: "bỏ thửa", Kind.GEOMETRY: "đổi hình thể",
               Kind.ATTRIBUTES: "đổi thuộc tính", Kind.OWNERS: "đổi người sử dụng đất",
               Kind.CONFLICT: "giá trị đã sửa khác giao nộp mới"}
# every key of Plan.counts(), in words
COUNT_LABELS = {**{k.value: v for k, v in KIND_LABELS.items()}, UNCHANGED: "không đổi"}
