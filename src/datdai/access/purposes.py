"""Why personal data is read: the purpose written into every access-log row (who read whose
data, when, and for what). One catalog, so that an auditor filtering the log by purpose finds
every read of that kind, from the API and from the web pages alike."""

from __future__ import annotations

DOSSIERS = "giải quyết thủ tục hành chính đất đai"
PARCELS = "tra cứu thông tin thửa đất và người sử dụng đất"
FINDINGS = "kiểm tra, chuẩn hóa chất lượng dữ liệu đất đai"
RECONCILE = "đối soát người sử dụng đất với cơ sở dữ liệu quốc gia về dân cư"
RECONCILE_PROGRESS = "theo dõi đối soát người sử dụng đất với CSDL quốc gia về dân cư"
RESIDENCE = "thủ tục cư trú"  # C06's requests (land-by-citizen, the owners export)
NOTARY = "trao đổi thông tin với tổ chức hành nghề công chứng (Mô hình 46)"
TAX = "trao đổi thông tin với cơ quan thuế (Mô hình 46)"
AUDIT = "kiểm tra việc xử lý dữ liệu cá nhân / audit"
