"""Tables of the land store (SQLAlchemy Core). The Alembic migrations create exactly these.

Naming follows the domain model in plain English; Vietnamese terms are in the comments.
Every table whose rows the audit trail tracks has an integer ``id`` primary key and a stable
``code`` where the source data has one.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from datdai.db.geometry import Geometry

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JsonType = JSON().with_variant(JSONB(), "postgresql")
Share = Numeric(12, 10)  # a fraction 0..1 of a right
AreaM2 = Float

admin_units = Table(
    "admin_units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), nullable=False),  # GSO: 2 province, 3 district, 5 commune
    Column("era", String(4), nullable=False),  # CU (before 1/7/2025) / MOI
    Column("level", String(8), nullable=False),  # TINH / HUYEN / XA
    Column("name", Text, nullable=False),
    Column("parent_code", String(8)),
    Column("successor_code", String(8)),  # the 2025 unit an old unit became part of
    UniqueConstraint("era", "level", "code"),
)

parties = Table(
    "parties",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # CA_NHAN, HO_GIA_DINH, TO_CHUC, NHOM, VO_CHONG
    Column("full_name", Text, nullable=False),
    Column("gender", String(4)),
    Column("birth_date", Date),
    Column("birth_year", Integer),
    Column("address", Text),
    Column("nationality", Text),
    Column("ethnicity", Text),
    Column("tax_code", String(20)),
    Column("personal_number", String(12)),  # số định danh cá nhân, once confirmed
    Index(None, "personal_number"),
)

identity_documents = Table(
    "identity_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("party_id", ForeignKey("parties.id", ondelete="CASCADE"), nullable=False),
    Column("doc_type", String(8)),  # CCCD, CMND, HC, GPKD, KHAC
    Column("number", String(40), nullable=False),  # as recorded
    Column("issue_date", Date),
    Column("issue_place", Text),
    Index(None, "party_id"),
    Index(None, "number"),
)

party_members = Table(
    "party_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", ForeignKey("parties.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", ForeignKey("parties.id"), nullable=False),
    Column("share", Share),
    Column("role", String(20)),
    Index(None, "group_id"),
    Index(None, "member_id"),
)

parcels = Table(
    "parcels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("commune_code", String(5), nullable=False),  # mã xã
    Column("sheet_no", Integer, nullable=False),  # số tờ
    Column("parcel_no", Integer, nullable=False),  # số thửa
    Column("geom", Geometry()),
    Column("srid", Integer),
    # bounding box in the zone's metres: bbox queries on SQLite, and a cheap pre-filter everywhere
    Column("min_x", Float),
    Column("min_y", Float),
    Column("max_x", Float),
    Column("max_y", Float),
    Column("computed_area", AreaM2),  # from the polygon
    Column("legal_area", AreaM2),  # register (sổ địa chính)
    Column("land_use_codes", String(60)),  # register, joined by '+'
    Column("address", Text),
    Column("map_scale", Integer),
    Column("map_area_label", AreaM2),
    Column("map_land_use_label", String(60)),
    Column("map_owner_label", Text),
    Column("identifier", String(16)),
    Column("old_sheet_no", Integer),
    Column("old_parcel_no", Integer),
    # no unique key: a contractor's map may carry the same key twice (DUPLICATE_PARCEL)
    Index(None, "commune_code", "sheet_no", "parcel_no"),
    Index("ix_parcels_bbox", "commune_code", "min_x", "min_y"),
)

holdings = Table(
    "holdings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
)

holding_parcels = Table(
    "holding_parcels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holding_id", ForeignKey("holdings.id", ondelete="CASCADE"), nullable=False),
    Column("parcel_id", ForeignKey("parcels.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("holding_id", "parcel_id"),
    Index(None, "parcel_id"),
)

assets = Table(
    "assets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("holding_id", ForeignKey("holdings.id", ondelete="CASCADE"), nullable=False),
    Column("parcel_id", ForeignKey("parcels.id")),
    Column("kind", String(16), nullable=False),  # NHA_O, CAN_HO, CONG_TRINH, ...
    Column("house_type", Text),
    Column("building_name", Text),
    Column("apartment_no", String(20)),
    Column("floor_area", AreaM2),
    Column("construction_area", AreaM2),
    Column("floors", Integer),
    Column("grade", String(20)),
    Column("ownership_form", Text),
    Column("ownership_term", Text),
    Column("shared_parts", Text),
    Index(None, "holding_id"),
)

rights = Table(
    "rights",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("holding_id", ForeignKey("holdings.id", ondelete="CASCADE"), nullable=False),
    Column("party_id", ForeignKey("parties.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # SU_DUNG_DAT, SO_HUU_NHA, SO_HUU_TAI_SAN
    Column("share", Share),
    Column("purpose_codes", String(60)),
    Column("term", Text),
    Column("term_end", Date),
    Column("origin", Text),
    Column("form_of_use", Text),
    Column("asset_id", ForeignKey("assets.id")),
    Index(None, "holding_id"),
    Index(None, "party_id"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("serial", String(20), nullable=False),
    Column("form", String(4), nullable=False),  # CU / MOI
    Column("holding_id", ForeignKey("holdings.id", ondelete="CASCADE"), nullable=False),
    Column("issue_date", Date),
    Column("issuer", Text),
    Column("register_entry", String(40)),
    Index(None, "serial"),
    Index(None, "holding_id"),
)

source_documents = Table(
    "source_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("holding_id", ForeignKey("holdings.id")),
    Column("party_id", ForeignKey("parties.id")),
    Column("doc_date", Date),
    Column("reference", Text),
    Column("digitized", Boolean, nullable=False, default=False),
    Column("content_hash", String(64)),
)

# The population register extract: evidence, never edited by datdai (replaced by a new extract).
citizens = Table(
    "citizens",
    metadata,
    Column("so_dinh_danh", String(12), primary_key=True),
    Column("so_cmnd", String(12)),
    Column("ho_ten", Text, nullable=False),
    Column("gioi_tinh", String(4)),
    Column("dan_toc", Text),
    Column("ton_giao", Text),
    Column("tinh_trang_hon_nhan", Text),
    Column("ngay_sinh", String(10)),
    Column("noi_dang_ky_khai_sinh", Text),
    Column("quoc_tich", Text),
    Column("que_quan", Text),
    Column("thuong_tru", Text),
    Column("noi_o_hien_tai", Text),
    Column("cha", Text),
    Column("me", Text),
    Column("vo_chong", Text),
    Column("nguoi_dai_dien", Text),
    Column("chu_ho", Text),
    Column("so_so_ho_khau", Text),
    Column("extract_id", Integer, ForeignKey("citizen_extracts.id")),
    Index(None, "so_cmnd"),
)

citizen_extracts = Table(
    "citizen_extracts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False),
    # migration 0012: the file as loaded (``datdai dan-cu nap``); an extract replaced by a newer
    # one keeps its record (its rows are gone: the register is evidence, not ours to keep)
    Column("file_name", Text),
    Column("sha256", String(64)),
    Column("extract_date", Date),
    Column("loaded_by", Text),
    Column("replaced_at", DateTime(timezone=True)),
)

audit_batches = Table(
    "audit_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor", Text, nullable=False),
    Column("source", Text, nullable=False),  # e.g. "reconcile batch 12", "import thua_dat.gpkg"
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reverts_batch_id", ForeignKey("audit_batches.id")),
    Column("reverted_by_batch_id", ForeignKey("audit_batches.id")),
)

audit_changes = Table(
    "audit_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("audit_batches.id"), nullable=False),
    Column("entity", String(40), nullable=False),  # table name
    Column("entity_id", Integer, nullable=False),
    Column("action", String(8), nullable=False),  # insert / update / delete
    Column("before", JsonType),
    Column("after", JsonType),
    Column("reverts_change_id", ForeignKey("audit_changes.id")),
    Column("reverted_by_change_id", ForeignKey("audit_changes.id")),
    Index(None, "entity", "entity_id"),
    Index(None, "batch_id"),
)

# Tables whose every change goes through the audit trail.
AUDITED_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        parties,
        identity_documents,
        party_members,
        parcels,
        holdings,
        holding_parcels,
        assets,
        rights,
        certificates,
        source_documents,
    )
}

# ---------------------------------------------------------------- quality (migration 0002)
# Deliveries, quality runs and their findings are datdai's own records about the land data, not
# land data: they are written directly; the history of a finding is ``finding_events``, and
# any change a finding leads to in the land data goes through the audit trail.

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    # sha256 of the parcel file(s), the register file and the check configuration
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("parcel_source", Text, nullable=False),  # file names as given
    Column("register_source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("audit_batch_id", ForeignKey("audit_batches.id")),  # the batch that loaded it
    Column("counts", JsonType),
)

quality_runs = Table(
    "quality_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", ForeignKey("deliveries.id")),  # NULL: a re-check of stored data, the demo
    Column("source", Text, nullable=False),  # e.g. "import thua_dat.gpkg + so_dia_chinh.csv"
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("actor", Text, nullable=False),
    Column("engine", String(20)),
    Column("rules", JsonType),  # rule codes run
    Column("params", JsonType),  # rule parameters overridden by the configuration
    Column("counts", JsonType),
    Column("fix_batch_id", ForeignKey("audit_batches.id")),  # the automatic fixes of this run
    Index(None, "delivery_id"),
)

# The parcels each run looked at, per commune (the "checked" figure of the progress report).
quality_run_communes = Table(
    "quality_run_communes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("quality_runs.id", ondelete="CASCADE"), nullable=False),
    Column("commune_code", String(8), nullable=False),
    Column("parcels", Integer, nullable=False),
    UniqueConstraint("run_id", "commune_code"),
    Index(None, "commune_code"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("quality_runs.id"), nullable=False),  # first found by
    Column("last_run_id", ForeignKey("quality_runs.id"), nullable=False),  # last seen by
    Column("rule_code", String(40), nullable=False),
    Column("severity", String(10), nullable=False),  # LOI / CANH_BAO
    Column("target", String(16)),  # THUA_DAT / NGUOI_SU_DUNG / GIAY_TO
    Column("commune_code", String(8)),  # the parcel key as in the delivery
    Column("sheet_no", String(20)),
    Column("parcel_no", String(20)),
    Column("parcel_id", ForeignKey("parcels.id", ondelete="SET NULL")),
    Column("party_id", ForeignKey("parties.id", ondelete="SET NULL")),
    Column("side", String(16)),  # BAN_DO / SO_DIA_CHINH
    Column("source_row", Integer),  # feature or register row of the delivery
    Column("field", String(40)),
    Column("map_value", Text),
    Column("register_value", Text),
    Column("proposed_fix", Text),
    Column("auto_fixable", Boolean, nullable=False, default=False),
    Column("message", Text, nullable=False),
    Column("status", String(12), nullable=False),  # quality.findings.Status
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("audit_change_id", ForeignKey("audit_changes.id")),  # the change that fixed it
    # (commune, status) for the review queue; the other columns make the progress figures an
    # index-only scan
    Index("ix_findings_commune_status", "commune_code", "status", "rule_code", "severity", "parcel_id"),
    Index(None, "rule_code", "status"),
    Index(None, "run_id"),
    Index(None, "last_run_id"),
    Index(None, "parcel_id"),
    Index(None, "party_id"),
)

finding_events = Table(
    "finding_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("finding_id", ForeignKey("findings.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("from_status", String(12)),
    Column("to_status", String(12), nullable=False),
    Column("note", Text),
    Column("audit_batch_id", ForeignKey("audit_batches.id")),
    Index(None, "finding_id"),
)

# ---------------------------------------------------------------- reconciliation (migration 0003)
# The owners exports sent for matching (which party and parcel each ``ma_dong`` was), the
# reconciliation results read back (ours or C06's), and a person's decisions on them. Like the
# findings these are datdai's own records: written directly, with ``reconcile_decision_events``
# as their history; the enrichment of parties they lead to goes through the audit trail.

c06_exports = Table(
    "c06_exports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("scope", Text),  # the filters: "tinh=…; xa=…", empty for the whole store
    Index(None, "sha256"),
)

c06_export_rows = Table(
    "c06_export_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("export_id", ForeignKey("c06_exports.id", ondelete="CASCADE"), nullable=False),
    Column("ma_dong", String(16), nullable=False),
    Column("party_id", ForeignKey("parties.id", ondelete="SET NULL")),  # the person of the row
    Column("parcel_id", ForeignKey("parcels.id", ondelete="SET NULL")),
    Column("commune_code", String(8)),
    UniqueConstraint("export_id", "ma_dong"),
    Index(None, "party_id"),
)

reconcile_runs = Table(
    "reconcile_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("export_id", ForeignKey("c06_exports.id"), nullable=False),
    Column("source", String(8), nullable=False),  # DATDAI (datdai reconcile) / C06 (returned by C06)
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("counts", JsonType),
    Column("summary", JsonType),  # notes, warnings, blocking and model figures of the run (0008)
    UniqueConstraint("export_id", "sha256"),  # the same file recorded twice is the same run
)

reconcile_results = Table(
    "reconcile_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("reconcile_runs.id", ondelete="CASCADE"), nullable=False),
    Column("ma_dong", String(16), nullable=False),
    Column("party_id", ForeignKey("parties.id", ondelete="SET NULL")),
    Column("parcel_id", ForeignKey("parcels.id", ondelete="SET NULL")),
    Column("commune_code", String(8)),
    Column("ket_qua", String(16), nullable=False),  # KHOP / CAN_XAC_MINH / KHONG_KHOP
    Column("candidates", Text),  # the so_dinh_danh field: one number, or candidates best first ';'
    Column("diem", Float),
    Column("ly_do", Text),
    Column("ho_ten_chuan", Text),
    Column("ngay_sinh_chuan", String(10)),
    Column("gioi_tinh_chuan", String(4)),
    Column("cccd_chuan", String(12)),
    Column("status", String(12), nullable=False),  # store.reconcile_results.ResultStatus
    Column("review_reason", Text),  # why an application sent the result to review
    Column("decision", String(12)),  # CHON / KHONG_KHOP / HOAN
    Column("chosen_number", String(12)),
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_reason", Text),
    Column("applied_batch_id", ForeignKey("audit_batches.id")),
    # per listed candidate: probability, weight, each field's level and bits (0008)
    Column("evidence", JsonType),
    UniqueConstraint("run_id", "ma_dong"),
    Index(None, "party_id", "run_id"),
    Index(None, "run_id", "status"),
    Index(None, "status", "commune_code"),
)

reconcile_decision_events = Table(
    "reconcile_decision_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", ForeignKey("reconcile_results.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("from_status", String(12)),
    Column("to_status", String(12), nullable=False),
    Column("decision", String(12)),
    Column("chosen_number", String(12)),
    Column("reason", Text),
    Column("audit_batch_id", ForeignKey("audit_batches.id")),
    Index(None, "result_id"),
)

# ---------------------------------------------------------------- online land services (migration 0004)
# The service catalog as stored (seeded from services/data on first use; an office registers its
# other procedures), dossiers with their transitions, pauses of the legal clock and documents, the
# financial obligations of a right, and the outbox of messages to partners (notary, tax: Model 46).
# A dossier's state changes go through the audit trail (``dossiers`` is audited), and so does the
# result applied to the land data, in the same batch as the approval; ``dossier_events`` is the
# readable history of the workflow.

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("group_name", Text),
    Column("limit_days", Integer, nullable=False),  # working days
    Column("limit_days_disadvantaged", Integer),  # mountainous, island or disadvantaged communes
    Column("legal_source", Text, nullable=False),
    Column("essential", Boolean, nullable=False, default=False),
    Column("definition", JsonType, nullable=False),  # documents and steps, as the catalog gives them
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("registered_by", Text, nullable=False),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),  # mã hồ sơ
    Column("service_code", ForeignKey("services.code"), nullable=False),
    Column("channel", String(10), nullable=False),  # ONLINE / TRUC_TIEP
    Column("applicant_party_id", ForeignKey("parties.id")),
    Column("applicant_personal_number", String(12)),
    Column("applicant_name", Text, nullable=False),
    Column("parcel_id", ForeignKey("parcels.id")),
    Column("commune_code", String(8)),
    Column("disadvantaged", Boolean, nullable=False, default=False),  # xã khó khăn, miền núi, hải đảo
    Column("state", String(20), nullable=False),  # services.lifecycle.State
    Column("step", String(24)),  # the processing step while DANG_XU_LY
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True)),
    Column("due_date", Date),  # recomputed with the pauses
    Column("finished_at", DateTime(timezone=True)),
    Column("result", String(20)),  # DA_TRA_KET_QUA / TU_CHOI / RUT
    Column("timeliness", String(10)),  # SOM_HAN / DUNG_HAN / QUA_HAN, set when finished after receipt
    Column("reject_reason", Text),
    Column("idempotency_key", String(200), unique=True),
    Column("notary_contract_no", String(60), unique=True),
    Column("payload", JsonType),
    Column("population_check", JsonType),  # the applicant checked against the population register
    Column("created_by", Text, nullable=False),
    Index(None, "service_code", "received_at"),
    Index(None, "state"),
    Index(None, "applicant_personal_number"),
    Index(None, "parcel_id"),
)

dossier_events = Table(
    "dossier_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("from_state", String(20)),
    Column("to_state", String(20), nullable=False),
    Column("step", String(24)),
    Column("actor", Text, nullable=False),
    Column("role", String(24), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("audit_batch_id", ForeignKey("audit_batches.id")),
    Index(None, "dossier_id"),
)

dossier_pauses = Table(
    "dossier_pauses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(10), nullable=False),  # BO_SUNG (supplement) / CHO_THUE (tax payment)
    Column("paused_from", Date, nullable=False),  # the day the clock stopped (still counted)
    Column("paused_to", Date),  # the day it restarted (not counted); NULL while paused
    Column("reason", Text),
    Index(None, "dossier_id"),
)

dossier_documents = Table(
    "dossier_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    Column("component_code", String(60), nullable=False),  # a DocumentDef code, or KET_QUA
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("media_type", String(100)),
    Column("stored_path", Text, nullable=False),  # relative to the file store's root
    Column("digitized", Boolean, nullable=False, default=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", Text, nullable=False),
    Column("reused_from_id", ForeignKey("dossier_documents.id", ondelete="SET NULL")),
    UniqueConstraint("dossier_id", "component_code", "sha256"),
    Index(None, "sha256"),
)

# Nghĩa vụ tài chính of a right: land use levy, registration fee, personal income tax, ...
financial_obligations = Table(
    "financial_obligations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("right_id", ForeignKey("rights.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(30), nullable=False),  # TIEN_SU_DUNG_DAT, LE_PHI_TRUOC_BA, THUE_TNCN, ...
    Column("status", String(12), nullable=False),  # CHUA_NOP, GHI_NO, DA_NOP, MIEN, GIAM
    Column("amount", Numeric(18, 0)),  # VND
    Column("note", Text),
    Column("dossier_code", String(40)),  # the dossier that last set it
    UniqueConstraint("right_id", "kind"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("topic", String(60), nullable=False),
    Column("partner", String(30), nullable=False),  # THUE / CONG_CHUNG / LGSP ...
    Column("payload", JsonType, nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("status", String(12), nullable=False),  # CHO_GUI / DA_GUI / LOI
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("dossier_id", ForeignKey("dossiers.id", ondelete="SET NULL")),
    # the dispatcher sending it now (migration 0010): claimed by a conditional UPDATE, held until
    # lease_until; another dispatcher takes it only once the lease has expired
    Column("claimed_by", String(120)),
    Column("lease_until", DateTime(timezone=True)),
    Index(None, "status", "next_attempt_at"),
)

AUDITED_TABLES["dossiers"] = dossiers
AUDITED_TABLES["financial_obligations"] = financial_obligations

# ---------------------------------------------------------------- accounts and access log (migration 0005)
# Local accounts (argon2 password hashes), API keys of system clients (only a SHA-256 of the key
# is kept; the 8-character prefix finds the row), opaque bearer tokens (only their SHA-256), and
# the access log of personal data (Decree 13/2023): append-only, the database itself refuses
# UPDATE and DELETE (triggers created by the migration on SQLite and PostgreSQL).

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text),
    Column("role", String(32), nullable=False),  # datdai.access.roles
    Column("scopes", JsonType, nullable=False),  # commune (5 digits) and province (2) codes; [] = all
    Column("personal_number", String(12)),  # a citizen's own số định danh
    Column("password_hash", Text),  # argon2id; NULL: no password login (external identity only)
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),  # consecutive failures
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    # where the account is told of its dossiers' changes (services/notifications.py): from the
    # identity provider's ``email`` / ``phone_number`` claims at login, or set by the office
    Column("email", Text),
    Column("phone", String(32)),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_name", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("scopes", JsonType, nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),  # the key's first characters
    Column("key_hash", String(64), nullable=False),  # SHA-256 hex of the whole key
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),  # NULL: until revoked
    Column("created_by", Text, nullable=False),
    Index(None, "client_name"),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 hex of the token
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index(None, "user_id"),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),  # UTC
    Column("username", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(60), nullable=False),
    Column("resource", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("client_ip", String(45)),
    Column("subject_count", Integer, nullable=False, default=0),
    # the hash chain (migration 0009, auth/access_log.py): the row's place in the chain, the
    # SHA-256 of its content (with its subjects), the previous row's hash and its own
    Column("seq", Integer),  # 1, 2, 3 … in the order written; NULL: written before 0009
    Column("content_hash", String(64)),
    Column("prev_hash", String(64)),
    Column("row_hash", String(64)),
    Index(None, "at"),
    Index(None, "username", "at"),
    Index(None, "seq", unique=True),
)

# The personal numbers / party ids one access touched, one row each (queryable by subject).
access_log_subjects = Table(
    "access_log_subjects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("log_id", ForeignKey("access_log.id"), nullable=False),
    Column("subject", String(40), nullable=False),
    Index(None, "subject"),
    Index(None, "log_id"),
)

# Sections II-IV of the monthly Project 06 report (problems, next month's tasks, proposals): text
# the office enters per month, with the per-service difficulties of the appendix and the document's
# particulars (number, date, issuing body, signer, recipients; datdai.reporting.texts fills the ones
# left empty). scope_code: the office's province or commune codes joined by ',', '' = whole store.
report_texts = Table(
    "report_texts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope_code", Text, nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM
    Column("problems", Text, nullable=False, default=""),
    Column("tasks", Text, nullable=False, default=""),
    Column("proposals", Text, nullable=False, default=""),
    Column("service_notes", JsonType),  # {service code: difficulties}, the appendix's last column
    Column("number", String(20)),  # số văn bản: "15" in "Số: 15/BC-VPĐK"
    Column("symbol", String(40)),  # ký hiệu: "BC-VPĐK"
    Column("report_date", Date),  # ngày ban hành
    Column("place", Text),  # địa danh: "Đồng Nai"
    Column("superior", Text),  # cơ quan chủ quản: "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG TỈNH ĐỒNG NAI"
    Column("issuer", Text),  # cơ quan ban hành: "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI"
    Column("signer_title", Text),  # "GIÁM ĐỐC", or "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    Column("signer_name", Text),
    Column("recipients", Text),  # nơi nhận, one per line
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("scope_code", "month"),
)

# ---------------------------------------------------------------- long operations (migration 0007)
# Work started from the web app that outlives a request (import a delivery, run a reconciliation):
# one row per job, its progress written while it runs, so a page left and opened again shows the
# state. ``runner`` (host:pid) and ``heartbeat_at`` tell a job whose process died (server
# restarted) from one still running: such a job is marked GIAN_DOAN (interrupted).

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # NHAP_GIAO_NOP / DOI_SOAT
    Column("params", JsonType, nullable=False),  # what was asked (file names, options)
    Column("scope", JsonType, nullable=False),  # the starter's scope codes at the start ([] = all)
    Column("status", String(12), nullable=False),  # CHO, DANG_CHAY, XONG, LOI, GIAN_DOAN
    Column("stage", Text),  # the current stage, in words
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    Column("message", Text),  # the outcome or the error, in words
    Column("result", JsonType),  # counts and ids of what was done
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("runner", String(100)),  # host:pid of the process running it
    Index(None, "status"),
    Index(None, "created_at"),
)

# ---------------------------------------------------------------- field survey (migration 0014)
# What survey teams send back (ODK Central's export, an edited GeoPackage): one row per submission
# (its instance ID makes a second reading of the same submission a no-op), and the enrichment
# proposals it makes, one per field whose value differs from the store: old and new value, the
# conflicts found, the reviewer's decision and the audit batch that applied it. The land data
# changes only through the audit trail, when a proposal is applied.

survey_submissions = Table(
    "survey_submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instance_id", String(100), nullable=False, unique=True),  # meta/instanceID (uuid:…)
    Column("source", String(20), nullable=False),  # ODK_CENTRAL / GEOPACKAGE
    Column("file_name", Text, nullable=False),
    Column("entity_key", String(40)),  # the parcel as the form named it: commune-sheet-parcel
    Column("commune_code", String(8)),
    Column("parcel_id", ForeignKey("parcels.id", ondelete="SET NULL")),
    Column("confirmation", String(16)),  # DUNG / SUA / KHONG_TIM_THAY
    Column("surveyor", Text),
    Column("surveyed_on", Date),
    Column("submitted_at", DateTime(timezone=True)),
    Column("status", String(12), nullable=False),  # DA_NHAN (recorded) / TU_CHOI (refused)
    Column("outcome", Text, nullable=False),  # what happened to it, in words
    Column("qr_payload", Text),  # the CCCD QR as read by the barcode widget
    Column("qr_number", String(12)),  # the personal number inside it
    Column("qr_status", String(12)),  # KHOP / MAU_THUAN / KHONG_HOP_LE
    Column("photos", JsonType),  # [{kind, file, sha256, size, path}]
    Column("values", JsonType),  # every survey field as submitted
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Index(None, "commune_code", "status"),
    Index(None, "parcel_id"),
)

survey_proposals = Table(
    "survey_proposals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", ForeignKey("survey_submissions.id", ondelete="CASCADE"), nullable=False),
    Column("parcel_id", ForeignKey("parcels.id", ondelete="SET NULL")),
    Column("commune_code", String(8)),
    Column("field", String(40), nullable=False),  # domain.survey_fields name
    Column("entity", String(40)),  # audited table the value goes to
    Column("entity_id", Integer),  # NULL: nothing in the store to change (no house, no holder)
    Column("column_name", String(40), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text, nullable=False),
    Column("conflict", String(20)),  # SO_DIA_CHINH / DAN_CU / QR / KHONG_CO_DOI_TUONG
    Column("conflict_note", Text),
    Column("status", String(12), nullable=False),  # CHO_DUYET / CHAP_NHAN / TU_CHOI / DA_AP_DUNG
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_reason", Text),
    Column("applied_batch_id", ForeignKey("audit_batches.id")),
    Index(None, "submission_id"),
    Index(None, "commune_code", "status"),
    Index(None, "parcel_id"),
)

# The address of a parcel, or of one house or apartment on it (asset_id), as the survey found it:
# house number, street or hamlet, and the commune (its code, and its names before and after the
# 2025 reorganisation). Land data: audited. ``parcels.address`` keeps the register's text.
parcel_addresses = Table(
    "parcel_addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parcel_id", ForeignKey("parcels.id", ondelete="CASCADE"), nullable=False),
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE")),  # NULL: the parcel's address
    Column("house_number", String(40)),  # số nhà
    Column("street", Text),  # đường, phố hoặc thôn, xóm, ấp
    Column("commune_code", String(8)),
    Column("commune_name_old", Text),  # before 1/7/2025
    Column("commune_name_new", Text),  # from 1/7/2025
    Index(None, "parcel_id"),
)
AUDITED_TABLES["parcel_addresses"] = parcel_addresses
