"""Name vocabularies for :mod:`vn_other` (written from general knowledge, not from the project).

Every table is a compact text block ``word weight[, weight_young]`` separated by commas, parsed
once at import. Two weights mean "born before ~1975" and "born after ~1990"; a person's era is a
blend of the two (see :meth:`vn_other.NameModel.sample`). Weights are relative, not percentages,
except for the Kinh surnames, which follow the usual published shares (Nguyễn ≈ 38 %, Trần ≈ 11 %,
Lê ≈ 9.5 %, Phạm ≈ 7 %, ...).
"""

from __future__ import annotations

# --- surnames -------------------------------------------------------------------------------

# Kinh surnames; Hoàng/Huỳnh and Vũ/Võ are the same clans written the northern / southern way,
# their split is set per region in REGION_SURNAME_OVERRIDES.
KINH_SURNAMES = """
Nguyễn 38, Trần 11, Lê 9.5, Phạm 7, Hoàng 2.6, Huỳnh 2.5, Phan 4.5, Vũ 2.2, Võ 1.7, Đặng 2.1,
Bùi 2, Đỗ 1.4, Hồ 1.3, Ngô 1.3, Dương 1, Lý 0.5, Đào 0.45, Đoàn 0.45, Vương 0.2, Trịnh 0.4,
Trương 0.4, Lâm 0.3, Phùng 0.2, Mai 0.35, Tô 0.2, Hà 0.35, Tạ 0.2, Cao 0.35, Lương 0.3, Lưu 0.25,
Đinh 0.4, Châu 0.15, Quách 0.1, Thái 0.1, La 0.08, Hứa 0.06, Kiều 0.08, Triệu 0.1, Văn 0.06,
Lục 0.04, Tăng 0.05, Nghiêm 0.05, Khổng 0.03, Doãn 0.04, Giang 0.05, Đàm 0.08, Thân 0.06,
Chu 0.12, Khúc 0.03, Ông 0.03, Mạc 0.04, Tống 0.06, Lại 0.08, Kim 0.04, Từ 0.05, Nông 0.03,
Lã 0.03, Âu 0.03, Viên 0.02, Diệp 0.03, Hầu 0.02, Quan 0.02, Mẫn 0.02, Bạch 0.02, Thạch 0.02,
Vi 0.02, Ninh 0.03, Phí 0.03, Tiêu 0.02, Thiều 0.02, Cù 0.03, Khương 0.02, Quản 0.02, Đồng 0.03,
Kha 0.02, Đậu 0.03, Khuất 0.02, Nhâm 0.01, Trình 0.01, Ung 0.01, Lò 0.01, Mạch 0.01, Nhữ 0.01
"""

# region → {surname: weight} replacing the Kinh weights above
REGION_SURNAME_OVERRIDES = {
    "north": {"Hoàng": 4.8, "Huỳnh": 0.15, "Vũ": 3.8, "Võ": 0.15, "Đỗ": 2.0, "Ngô": 1.6},
    "mountain": {"Hoàng": 4.8, "Huỳnh": 0.1, "Vũ": 3.0, "Võ": 0.1, "Nông": 0.3, "Hà": 1.0},
    "central": {"Hoàng": 2.4, "Huỳnh": 1.6, "Vũ": 1.0, "Võ": 3.2, "Hồ": 2.6, "Phan": 5.5},
    "south": {"Hoàng": 0.5, "Huỳnh": 4.6, "Vũ": 0.4, "Võ": 3.6, "Lâm": 0.7, "Châu": 0.5},
}

TAY_NUNG_SURNAMES = """
Hoàng 18, Nông 14, Lục 6, Hà 6, Ma 5, Lương 5, Đàm 4, Triệu 5, Bế 5, Chu 3, Lăng 3, Vi 3, Lý 4,
Nguyễn 8, Hứa 3, Dương 3, Mông 2, Sầm 1, Tô 2, Lâm 2, Đinh 2, Ngôn 1, Lộc 1
"""
THAI_SURNAMES = """
Lò 20, Lường 14, Quàng 10, Cầm 8, Tòng 6, Điêu 5, Vi 5, Hà 10, Lê 3, Sầm 3, Bạc 4, Lương 5, Mè 2,
Hoàng 3, Lộc 2, Khằm 1
"""
MUONG_SURNAMES = "Bùi 35, Đinh 20, Quách 10, Hà 10, Xa 5, Cao 5, Nguyễn 5, Trần 3, Bạch 3, Phạm 2"
DAO_SURNAMES = "Triệu 30, Bàn 22, Đặng 15, Lý 10, Phùng 8, Chảo 6, Tẩn 4, Chu 3, Hoàng 2"
HMONG_SURNAMES = """
Giàng 18, Vàng 16, Sùng 12, Thào 12, Mùa 8, Lầu 6, Hầu 5, Ly 6, Lý 5, Vừ 5, Cứ 3, Hạng 3,
Tráng 2, Chẻo 1
"""
KHMER_SURNAMES = """
Thạch 25, Sơn 18, Kim 12, Danh 14, Lâm 6, Châu 5, Lý 4, Chau 4, Trần 4, Triệu 3, Huỳnh 3, Dương 2
"""

# --- middle names ---------------------------------------------------------------------------

KINH_MIDDLE_MALE = """
Văn 55 14, Đức 6 10, Hữu 5 3, Xuân 4 2, Ngọc 3 1, Quang 4 7, Minh 4 12, Thanh 4 3, Công 4 2,
Đình 4 2, Trọng 2 2, Bá 2 1, Duy 1 4, Quốc 2 4, Tiến 1 2, Mạnh 1 1, Viết 1 0.5, Khắc 1 0.5,
Thế 2 2, Anh 1 4, Gia 0.3 7, Hoàng 1 5, Tuấn 0.3 4, Thành 1 4, Bảo 0.2 5, Nhật 0.2 4,
Trung 0.5 3, Việt 0.5 3, Đăng 0.3 2, Khánh 0.2 2, Kim 1 0.5, Phú 0.5 0.5, Như 0.5 0.3,
Chí 1 2, Hải 0.5 2, Sỹ 0.5 0.3, Huy 0.2 2, Thiện 0.3 0.5, Tấn 1.5 1, Phước 0.8 0.3, Đắc 0.5 0.3,
Doãn 0.3 0.1, Trường 0.3 1, Nam 0.1 1, Phúc 0.2 2
"""
KINH_MIDDLE_FEMALE = """
Thị 80 30, Ngọc 4 8, Thanh 3 5, Thu 3 6, Kim 3 2, Hồng 2 2, Minh 1 5, Bích 1 1, Thúy 1 1,
Phương 0.5 5, Bảo 0.2 4, Khánh 0.2 4, Hà 0.3 3, Thùy 0.5 4, Hoài 0.3 2, Quỳnh 0.2 3, Mai 0.3 3,
Diệu 0.2 2, Như 0.3 3, Tuyết 0.5 1, Hải 0.2 2, Gia 0.1 3, Yến 0.2 1, Cẩm 0.5 1, Lan 0.3 1,
Mỹ 1 2, Xuân 1 1, Huyền 0.2 1, Thảo 0.2 2, An 0.1 2, Tú 0.2 1, Vân 0.2 1
"""
# the second word of a two-word female middle name ("Nguyễn Thị Thu Hà")
FEMALE_SECOND_MIDDLE = "Thu 5, Ngọc 5, Thanh 4, Kim 3, Hồng 3, Minh 2, Bích 2, Mỹ 2, Thùy 2, Phương 2, Thúy 2, Hải 1, Lan 1"
# the second word of a two-word male middle name ("Trần Văn Minh Tuấn"), rare
MALE_SECOND_MIDDLE = "Minh 3, Đức 2, Quang 2, Hữu 1, Anh 2, Thanh 1, Xuân 1"

# minority middle names: (male, female)
MINORITY_MIDDLE = {
    "tay": ("Văn 75, Đức 5, Hữu 4, Quang 3, Minh 3, Thanh 3, Xuân 2", "Thị 85, Ngọc 3, Thu 3, Kim 2, Hồng 2"),
    "thai": ("Văn 85, Đức 3, Minh 3, Quang 2, Thanh 2", "Thị 92, Ngọc 2, Thu 2"),
    "muong": ("Văn 85, Đức 3, Minh 3, Xuân 2, Quang 2", "Thị 92, Ngọc 2, Thu 2"),
    "dao": ("Văn 60, Tiến 10, Quý 6, Kiềm 4, Minh 4, Seo 4", "Thị 80, Mùi 5, Kiều 4, Tả 3"),
    "hmong": ("A 60, Văn 30, Seo 6, Mí 2", "Thị 60, Mí 35, Sua 3"),
    "khmer": ("Văn 25, Sa 10, Sô 6, Chanh 4", "Thị 60, Sa 10, Sô 5, Néang 5"),
}

# --- given names ----------------------------------------------------------------------------

KINH_GIVEN_MALE = """
Hùng 30 6, Dũng 28 8, Tuấn 26 14, Hải 24 12, Thắng 22 6, Sơn 22 12, Bình 20 6, Hòa 16 3,
Minh 18 30, Nam 16 24, Hưng 16 12, Cường 18 8, Long 14 14, Thành 18 12, Trung 16 10, Quang 12 8,
Tùng 12 10, Lâm 8 12, Hiếu 8 16, Phúc 6 22, Thanh 16 3, Tâm 10 6, Hoàng 8 10, Đức 14 14,
Việt 8 10, Toàn 12 6, Khánh 6 12, Huy 8 34, Tiến 12 8, Công 8 3, Hà 8 1, Lợi 10 2, Tài 8 10,
Lộc 8 12, Phương 8 2, Chiến 12 4, Thái 8 8, Vinh 10 10, Tú 6 8, Thịnh 8 12, Quân 6 20,
Hiệp 8 4, Nghĩa 12 6, Trường 10 6, Kiên 8 10, Thọ 8 1, Tư 6 0.5, Năm 5 0.5, Sáu 4 0.3,
Bảy 4 0.3, Tám 3 0.2, Út 4 0.5, Mạnh 10 8, Đông 6 2, Hậu 6 6, Thuận 8 4, Hiển 6 4, Định 6 4,
Lực 6 2, Bằng 6 1, Khoa 4 18, Phong 6 14, Sang 4 8, Tín 4 8, Nhân 6 12, Trí 6 16, Đạt 6 22,
Hoan 5 0.5, Hợp 6 1, Quý 8 4, Sỹ 4 1, Tuân 5 1, Lương 5 1, Thủy 4 0.2, Đạo 4 1, Biên 4 1,
Tân 8 4, Chính 6 2, Điệp 4 1, Kỳ 3 2, Khải 3 6, Luân 3 6, Nguyên 4 12, Ngọc 4 1, Phú 6 6,
Quyết 6 4, Thiện 4 8, Thông 6 2, Tuyên 4 1, Vượng 6 2, Xuân 6 1, Giang 4 4, Hảo 4 1,
Hoạt 4 0.3, Huấn 4 1, Khang 1 18, Lịch 3 0.2, Ninh 4 2, Phát 3 10, Tạo 3 2, Thao 4 0.5,
Tiệp 3 1, Trọng 6 4, Tường 4 2, Uy 2 2, Vũ 4 10, An 4 16, Bách 0.5 8, Đăng 1 10, Khôi 0.5 26,
Bảo 2 20, Anh 6 26, Duy 4 16, Kiệt 0.5 14, Nhật 1 10, Vương 1 6, Hào 2 6, Dương 3 8, Hòe 1 0.1,
Sinh 4 0.5, Thìn 3 0.5, Dần 2 0.2, Tý 2 0.2, Hợi 2 0.2, Ngọ 2 0.2, Chung 4 1, Cảnh 4 2,
Châu 2 2, Cương 3 1, Doanh 3 2, Khương 3 2, Lãm 2 0.5, Linh 3 3, Mừng 2 0.2, Nhuận 2 0.5,
Phụng 2 0.5, Quyền 4 2, Sâm 3 0.5, Thạch 2 2, Thế 3 2, Thức 4 1, Toản 3 1, Trực 3 1, Tuệ 1 2,
Tuyển 3 1, Vĩnh 3 2, Khiêm 2 6, Đại 3 2, Hy 1 1, Ân 1 6, Nhựt 2 0.5, Phước 4 4, Thạnh 3 2,
Lành 2 0.3, Thụy 1 1, Tùy 1 0.2, Kha 0.5 2, Thy 0.2 1, Hiền 3 1, Thuật 3 0.5, Quế 1 0.1
"""
KINH_GIVEN_FEMALE = """
Lan 26 8, Hoa 24 4, Hương 26 12, Hạnh 18 6, Nga 18 4, Thủy 20 6, Hà 16 12, Hằng 18 10, Mai 16 14,
Liên 14 3, Loan 14 4, Huệ 12 2, Hồng 16 4, Thu 14 4, Dung 14 6, Nhung 14 8, Oanh 10 4,
Phượng 12 3, Yến 14 10, Hiền 14 10, Tuyết 10 4, Xuân 10 3, Bích 8 2, Cúc 10 0.5, Đào 6 0.5,
Gấm 4 0.2, Hải 4 2, Hòa 8 1, Huyền 12 14, Lệ 8 1, Liễu 6 1, Lý 6 6, Minh 4 6, Ngọc 10 16,
Nguyệt 8 3, Nhàn 8 2, Phương 14 18, Quyên 6 4, Sen 6 0.5, Tâm 8 6, Thảo 10 20, Thắm 8 1,
Thoa 10 0.5, Thơm 6 0.3, Thúy 14 4, Thương 8 8, Trang 8 26, Tuyến 6 0.5, Vân 12 8, Xoan 4 0.2,
Nụ 4 0.1, Mận 4 0.1, Lài 3 0.2, Chi 3 16, Len 3 0.1, Bình 6 1, Út 4 0.3, Vui 3 0.3, Lụa 4 0.2,
Thanh 10 4, Kim 6 2, Diệu 3 4, Ánh 6 10, Duyên 8 10, Giang 8 12, Hậu 4 2, Khuyên 4 1,
Luyến 4 0.5, Mơ 3 0.2, Ngà 5 2, Nhài 3 0.2, Quế 4 0.5, Sương 6 2, Thêu 3 0.2, Tươi 5 0.5,
Uyên 3 14, Linh 6 34, Anh 6 30, Vy 0.5 24, Hân 0.5 18, My 1 16, Nhi 1 22, Ngân 4 16,
Quỳnh 6 18, Thư 2 18, Trâm 2 10, Châu 3 8, Diệp 2 4, Dương 2 6, Hoài 4 6, Khánh 2 10, Ly 2 10,
Như 3 12, Thùy 6 8, Tiên 3 12, Trinh 6 8, Tú 3 4, Vi 1 6, An 2 14, Đan 1 6, Kiều 4 4, Lam 1 4,
Mỹ 6 4, Thy 0.5 8, Trúc 1 10, Nhã 1 6, Chinh 4 1, Chuyên 4 0.5, Dịu 3 0.5, Điệp 4 3, Hiên 2 1,
Hường 8 2, Huế 4 1, Mến 5 0.5, Miên 2 2, Phấn 3 0.1, Quý 3 1, Thục 4 2, Tình 5 1, Tuyền 4 3,
Ý 0.5 4, Na 1 4, Nương 3 0.3, Sa 1 2, Lựu 2 0.1, Hảo 4 0.5, Hạ 1 6, Băng 1 6, Cẩm 2 2, Khuê 1 6,
Thoan 2 0.1, Thùy Dương 0.1 3, Hòe 1 0.1, Thụy 0.5 1, Kỳ 0.5 1, Vân Anh 0.1 4, Bảo Ngọc 0.1 3
"""

HMONG_GIVEN_MALE = """
Páo 10, Chứ 8, Sử 8, Dế 7, Pó 5, Chúa 6, Lử 5, Tủa 5, Súa 6, Dìa 4, Xá 4, Cở 3, Chính 3,
Sính 4, Giống 3, Di 3, Phử 3, Nhà 2, Tếnh 2, Vư 2
"""
HMONG_GIVEN_FEMALE = "Mỷ 10, Dợ 7, Sua 6, Pằng 5, Chở 5, Xúa 5, Ly 6, Dính 5, Mai 4, Vá 4, Mua 4, Say 3, Dua 3, Pà 3"
KHMER_GIVEN_MALE = """
Sa Rươl 5, Sô Phal 5, Đa Ra 4, Sóc 6, Chanh 5, Thươl 3, Sa Vong 3, Ri 4, Phên 3, Rết 3,
Sang 4, Mếch 2, Sa Quênh 2, Kha 4, Sươl 3, Vanh 3, Sa Mây 2, Thol 3
"""
KHMER_GIVEN_FEMALE = """
Sa Rây 5, Sô Phi 4, Sóc Kha 3, Chanh Thy 3, Sa Ly 4, Mơ Ni 3, Sa Rinh 3, Sa Phia 3, Srây 3,
Ni 3, Sa Vết 2, Ma Ly 3, Kim Hên 2, Ry 3, Xà Ly 2
"""

# given-name spelling variants: the old tone placement (Hòa/Hoà, Thủy/Thuỷ) and i/y spellings
GIVEN_VARIANTS = {
    "Hòa": "Hoà", "Thủy": "Thuỷ", "Thúy": "Thuý", "Thùy": "Thuỳ", "Hòe": "Hoè", "Thụy": "Thuỵ",
    "Tùy": "Tuỳ", "Quý": "Quí", "Sỹ": "Sĩ", "Lý": "Lí", "Mỹ": "Mĩ", "Vy": "Vi", "Thy": "Thi",
    "Kỳ": "Kì", "Hy": "Hi", "Ly": "Li", "My": "Mi", "Nhựt": "Nhật", "Thùy Dương": "Thuỳ Dương",
}

# --- ethnic groups and religions --------------------------------------------------------------

# dan_toc label → naming style
ETHNIC_STYLE = {
    "Kinh": "kinh", "Hoa": "kinh", "Sán Dìu": "kinh", "Chăm": "kinh", "Gia Rai": "kinh",
    "Ê Đê": "kinh", "Ba Na": "kinh", "Xơ Đăng": "kinh", "Cơ Ho": "kinh", "M'Nông": "kinh",
    "Tày": "tay", "Nùng": "tay", "Sán Chay": "tay", "Giáy": "tay",
    "Thái": "thai", "Khơ Mú": "thai", "Mường": "muong", "Dao": "dao", "H'Mông": "hmong",
    "Khmer": "khmer",
}
STYLES = ("kinh", "tay", "thai", "muong", "dao", "hmong", "khmer")
STYLE_SURNAMES = {"tay": TAY_NUNG_SURNAMES, "thai": THAI_SURNAMES, "muong": MUONG_SURNAMES,
                  "dao": DAO_SURNAMES, "hmong": HMONG_SURNAMES, "khmer": KHMER_SURNAMES}
# share of people of a style whose given name comes from the style's own pool (else Kinh pool)
STYLE_OWN_GIVEN = {"hmong": (HMONG_GIVEN_MALE, HMONG_GIVEN_FEMALE, 0.75),
                   "khmer": (KHMER_GIVEN_MALE, KHMER_GIVEN_FEMALE, 0.5)}

# old (pre-2025) province code → {ethnic label: share}; others use DEFAULT_ETHNIC
DEFAULT_ETHNIC = {"Kinh": 0.985, "Hoa": 0.005, "Tày": 0.004, "Mường": 0.004, "Nùng": 0.002}
ETHNIC_BY_PROVINCE = {
    2: {"Kinh": 0.12, "H'Mông": 0.33, "Tày": 0.23, "Dao": 0.15, "Nùng": 0.09, "Giáy": 0.08},
    4: {"Tày": 0.40, "Nùng": 0.31, "H'Mông": 0.10, "Dao": 0.10, "Kinh": 0.07, "Sán Chay": 0.02},
    6: {"Tày": 0.54, "Kinh": 0.12, "Dao": 0.17, "Nùng": 0.10, "H'Mông": 0.07},
    8: {"Kinh": 0.46, "Tày": 0.25, "Dao": 0.11, "Sán Chay": 0.08, "H'Mông": 0.05, "Nùng": 0.05},
    10: {"Kinh": 0.35, "H'Mông": 0.25, "Tày": 0.15, "Dao": 0.14, "Giáy": 0.05, "Nùng": 0.06},
    11: {"Thái": 0.38, "H'Mông": 0.35, "Kinh": 0.19, "Khơ Mú": 0.08},
    12: {"H'Mông": 0.24, "Thái": 0.34, "Dao": 0.14, "Kinh": 0.15, "Giáy": 0.13},
    14: {"Thái": 0.53, "Kinh": 0.17, "H'Mông": 0.16, "Mường": 0.08, "Khơ Mú": 0.06},
    15: {"Kinh": 0.50, "Tày": 0.19, "Dao": 0.11, "H'Mông": 0.10, "Thái": 0.06, "Mường": 0.04},
    17: {"Mường": 0.63, "Kinh": 0.27, "Thái": 0.04, "Tày": 0.03, "Dao": 0.03},
    19: {"Kinh": 0.73, "Tày": 0.11, "Nùng": 0.06, "Sán Dìu": 0.04, "Dao": 0.03, "Sán Chay": 0.03},
    20: {"Nùng": 0.42, "Tày": 0.35, "Kinh": 0.16, "Dao": 0.05, "H'Mông": 0.02},
    22: {"Kinh": 0.88, "Dao": 0.05, "Tày": 0.04, "Sán Dìu": 0.02, "Hoa": 0.01},
    24: {"Kinh": 0.88, "Nùng": 0.05, "Tày": 0.03, "Sán Chay": 0.02, "Sán Dìu": 0.02},
    38: {"Kinh": 0.84, "Mường": 0.10, "Thái": 0.06},
    40: {"Kinh": 0.86, "Thái": 0.10, "Khơ Mú": 0.02, "H'Mông": 0.02},
    62: {"Kinh": 0.46, "Xơ Đăng": 0.30, "Ba Na": 0.14, "Gia Rai": 0.10},
    64: {"Kinh": 0.52, "Gia Rai": 0.34, "Ba Na": 0.14},
    66: {"Kinh": 0.65, "Ê Đê": 0.18, "M'Nông": 0.05, "Tày": 0.06, "Nùng": 0.06},
    67: {"Kinh": 0.70, "M'Nông": 0.10, "Tày": 0.06, "Nùng": 0.08, "H'Mông": 0.06},
    68: {"Kinh": 0.77, "Cơ Ho": 0.17, "Tày": 0.03, "Nùng": 0.03},
    58: {"Kinh": 0.78, "Chăm": 0.12, "Hoa": 0.02, "Cơ Ho": 0.08},
    79: {"Kinh": 0.93, "Hoa": 0.06, "Khmer": 0.01},
    84: {"Kinh": 0.68, "Khmer": 0.32},
    89: {"Kinh": 0.94, "Khmer": 0.04, "Chăm": 0.01, "Hoa": 0.01},
    91: {"Kinh": 0.85, "Khmer": 0.12, "Hoa": 0.03},
    94: {"Kinh": 0.65, "Khmer": 0.30, "Hoa": 0.05},
    95: {"Kinh": 0.90, "Khmer": 0.08, "Hoa": 0.02},
    96: {"Kinh": 0.97, "Khmer": 0.02, "Hoa": 0.01},
}

RELIGIONS = ("Không", "Phật giáo", "Công giáo", "Tin lành", "Cao Đài", "Phật giáo Hòa Hảo")
DEFAULT_RELIGION = {"Không": 0.86, "Phật giáo": 0.07, "Công giáo": 0.055, "Tin lành": 0.01,
                    "Cao Đài": 0.003, "Phật giáo Hòa Hảo": 0.002}
SOUTH_RELIGION = {"Không": 0.74, "Phật giáo": 0.15, "Công giáo": 0.06, "Tin lành": 0.01,
                  "Cao Đài": 0.03, "Phật giáo Hòa Hảo": 0.01}
RELIGION_BY_PROVINCE = {
    36: {"Không": 0.70, "Công giáo": 0.25, "Phật giáo": 0.05},
    37: {"Không": 0.78, "Công giáo": 0.16, "Phật giáo": 0.06},
    34: {"Không": 0.83, "Công giáo": 0.11, "Phật giáo": 0.06},
    75: {"Không": 0.52, "Công giáo": 0.30, "Phật giáo": 0.15, "Tin lành": 0.02, "Cao Đài": 0.01},
    89: {"Không": 0.50, "Phật giáo Hòa Hảo": 0.30, "Phật giáo": 0.15, "Công giáo": 0.03, "Cao Đài": 0.02},
    72: {"Không": 0.55, "Cao Đài": 0.30, "Phật giáo": 0.10, "Công giáo": 0.05},
    79: {"Không": 0.65, "Phật giáo": 0.18, "Công giáo": 0.12, "Tin lành": 0.02, "Cao Đài": 0.02,
         "Phật giáo Hòa Hảo": 0.01},
}

# --- streets, hamlets, fields -----------------------------------------------------------------

STREET_NAMES = """
Lê Lợi, Trần Hưng Đạo, Nguyễn Trãi, Hai Bà Trưng, Quang Trung, Lý Thường Kiệt, Hùng Vương,
Lê Duẩn, Phan Chu Trinh, Phan Bội Châu, Nguyễn Du, Hoàng Hoa Thám, Trần Phú, Lê Hồng Phong,
Nguyễn Văn Cừ, Võ Thị Sáu, Điện Biên Phủ, Nguyễn Huệ, Lý Thái Tổ, Trần Quang Khải, Ngô Quyền,
Đinh Tiên Hoàng, Lê Thánh Tông, Nguyễn Thái Học, Bà Triệu, Lý Tự Trọng, Hoàng Diệu,
Nguyễn Chí Thanh, Võ Nguyên Giáp, Phạm Văn Đồng, Tôn Đức Thắng, Nguyễn Thị Minh Khai,
Cách Mạng Tháng Tám, 30 Tháng 4, Độc Lập, Thống Nhất, Hòa Bình, Lạc Long Quân, Âu Cơ,
An Dương Vương, Mạc Đĩnh Chi, Chu Văn An, Tô Hiến Thành, Lý Nam Đế, Trần Nhân Tông,
Trần Khánh Dư, Yết Kiêu, Dã Tượng, Phạm Ngũ Lão, Trần Bình Trọng, Lê Lai, Đặng Dung,
Lê Quý Đôn, Nguyễn Khuyến, Trần Tế Xương, Hồ Xuân Hương, Nguyễn Đình Chiểu, Trương Định,
Nguyễn Trung Trực, Thủ Khoa Huân, Lê Văn Duyệt, Nguyễn Văn Trỗi, Lê Đại Hành, Lý Công Uẩn,
Nguyễn Công Trứ, Cao Bá Quát, Phan Đình Phùng, Hàm Nghi, Duy Tân, Thành Thái, Hoàng Văn Thụ,
Tôn Thất Thuyết, Nguyễn Lương Bằng, Trường Chinh, Trần Đại Nghĩa, Tạ Quang Bửu, Tôn Thất Tùng,
Hải Thượng Lãn Ông, Tuệ Tĩnh, Xuân Diệu, Huy Cận, Nguyễn Bỉnh Khiêm, Lương Thế Vinh,
Đào Duy Từ, Ngô Gia Tự, Nguyễn Đức Cảnh, Trần Cao Vân, Trần Quốc Toản, Bạch Đằng, Chi Lăng,
Đống Đa, Kim Đồng, Lê Hoàn, Nguyễn Văn Linh, Phạm Hùng, Nguyễn Hữu Thọ, Hoàng Quốc Việt,
Phùng Hưng, Mai Hắc Đế, Đinh Bộ Lĩnh, Triệu Quang Phục, Lê Chân, Nguyễn Tri Phương,
Huỳnh Thúc Kháng, Sương Nguyệt Anh, Nguyễn An Ninh, Lê Thị Hồng Gấm, Nguyễn Thị Định,
Ký Con, Cô Bắc, Cô Giang, Võ Văn Kiệt, Lê Thánh Tôn, Trưng Nhị, Trưng Trắc, Lý Bôn,
Nguyễn Tất Thành, Nguyễn Sinh Sắc, Hoàng Văn Thái, Văn Cao, Tô Hiệu, Lê Quang Đạo,
Nguyễn Phong Sắc, Ngô Sĩ Liên, Lê Văn Hưu, Phan Huy Chú, Nguyễn Văn Tố, Phạm Sư Mạnh,
Quốc lộ 1A, Quốc lộ 10, Tỉnh lộ 39, Đường 3 Tháng 2, Bùi Thị Xuân, Nguyễn Thị Thập,
Trần Khát Chân, Lê Hữu Trác, Trần Thủ Độ, Lý Chiêu Hoàng, Nguyễn Viết Xuân, Cù Chính Lan,
La Văn Cầu, Phan Đăng Lưu, Hà Huy Tập, Lê Văn Thịnh, Đội Cấn, Thái Hà, Kỳ Đồng, Long Hưng
"""
SINO_SYLLABLES_1 = """
An Bình Phú Hòa Tân Vĩnh Long Mỹ Phước Thạnh Đông Tây Nam Bắc Trung Thượng Hạ Hưng Thái Xuân
Yên Đức Quang Phúc Lộc Thọ Ninh Hội Kim Ngọc Đại Tiền Hậu Lạc Khánh Nhân Nghĩa Thuận
"""
SINO_SYLLABLES_2 = """
An Bình Hòa Lợi Thịnh Phú Lạc Hưng Thành Tân Đông Trung Thượng Hạ Nội Ngoại Phong Lộc Mỹ Khánh
Long Điền Thuận Hải Sơn Xá Trại Đoài Giáp Tiến Cường Quý Vinh Hồng Thái Hiệp Định
"""
SINGLE_HAMLET_NAMES = "Đông, Đoài, Nam, Bắc, Trung, Thượng, Hạ, Chùa, Cầu, Chợ, Đình, Giữa, Nội, Ngoài, Bến, Trại, Gốm"
MOUNTAIN_SYLLABLES_1 = "Nà Khuổi Pác Phiêng Nậm Cốc Lũng Pò Bó Huổi Kéo Tà Khau Thẳm Nặm Púng Co Hua"
MOUNTAIN_SYLLABLES_2 = "Lầu Pục Mòn Chang Hu Xá Luông Tổng Phai Ngần Mạ Sla Rầy Cọ Lạn Pàn Mười Hẹ Tấu Ún"
HIGHLAND_HAMLET_NAMES = """
Ko Sier, Kmrơng, Ea Tam, Tơng Jú, Plei Ring, Plei Kần, Đắk Răng, Kon Klor, Bu Prăng, Ea Kao,
Ea Nuôl, Ako Dhông, Kon Hring, Plei Ngol, Đăk Blà, Bon Ja Ráh, Buôn Trấp, Kon Rờ Bàng, Ia Kha,
Ea Bông, Đắk Mil, Ia Pết, Kon Jri, Plei Đôn, Ea H'leo
"""
FIELD_NAMES = """
Cửa Chùa, Mả Lớn, Cồn Cát, Bãi Dưới, Đồng Sau, Ruộng Lầy, Gò Cao, Đầm Sen, Ao Cá, Cửa Đình,
Bờ Sông, Đồng Chiêm, Đồng Mùa, Gò Miếu, Bãi Ngô, Mả Tổ, Lò Gạch, Ruộng Trũng, Cầu Tre, Vườn Ươm,
Cánh Đồng Lớn, Bờ Đê, Đồng Cói, Bãi Bồi, Soi Ngoài, Xứ Cổ Ngựa, Đồng Cao, Ô Dưới, Ô Trên
"""


def parse_weighted(text: str) -> list[tuple[str, float, float]]:
    """``"word a b, word c"`` → ``[(word, a, b), (word, c, c)]``; words may contain spaces."""
    out: dict[str, list[float]] = {}
    order: list[str] = []
    for item in text.replace("\n", " ").split(","):
        item = item.strip()
        if not item:
            continue
        tokens = item.split()
        nums: list[float] = []
        while tokens and _is_number(tokens[-1]):
            nums.insert(0, float(tokens.pop()))
        word = " ".join(tokens)
        if not nums:
            nums = [1.0]
        old, young = nums[0], nums[-1]
        if word not in out:
            out[word] = [0.0, 0.0]
            order.append(word)
        out[word][0] += old
        out[word][1] += young
    return [(w, out[w][0], out[w][1]) for w in order if out[w][0] + out[w][1] > 0]


def parse_list(text: str) -> list[str]:
    """Comma-separated list → stripped words."""
    return [w.strip() for w in text.replace("\n", " ").split(",") if w.strip()]


def _is_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False
