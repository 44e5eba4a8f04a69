"""Model 46 exchange endpoints for the partner systems (notary offices, tax authority).

* ``POST /exchange/notary/contracts`` (he_thong_cong_chung): a notarised contract creates (201) or
  prefills (200) a transfer dossier; the same contract again is 200 with nothing written; the same
  number with other content is 409; an unknown parcel 404; a bad field 422 naming the field.
* ``GET /exchange/notary/parcels/{ma_xa}/{so_to}/{so_thua}/status`` (he_thong_cong_chung): the
  rights on a parcel (holders' personal numbers masked unless the role needs them), restrictions
  (registered mortgages / leases, unpaid financial obligations, open dossiers) and the pending
  dossiers — what a notary checks before notarising a transfer.
* ``POST /exchange/tax/notices`` (he_thong_thue): a tax notice (clock stops) or payment
  confirmation (clock restarts) for a dossier referred to tax.

The validation of contracts and notices is the service's (``services.model46``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, func, select

from datdai.access import purposes
from datdai.access.masking import mask_number
from datdai.apps.web.auth import Principal, log_access, require, require_commune
from datdai.apps.web.routing import (
    ERROR_RESPONSES,
    VnRoute,
    calendar_of,
    full_numbers,
    personal_numbers_in,
    store_of,
)
from datdai.db.schema import (
    dossiers,
    financial_obligations,
    holding_parcels,
    identity_documents,
    parcels,
    parties,
    rights,
)
from datdai.dossiers import dossiers as ds
from datdai.dossiers import lifecycle as lc
from datdai.dossiers import model46
from datdai.dossiers.apply_result import KEEPS_HOLDER
from datdai.dossiers.errors import NotFound
from datdai.dossiers.lifecycle import Role, State

NOTARY_PURPOSE = purposes.NOTARY
TAX_PURPOSE = purposes.TAX

router = APIRouter(prefix="/exchange", tags=["kết nối công chứng, thuế / notary, tax (Model 46)"],
                   route_class=VnRoute, responses=ERROR_RESPONSES)

# scalars are checked by the service (model46), which names the field at fault; Any here keeps
# Pydantic from refusing first with its own, less precise messages
Scalar = Any


class ContractPerson(BaseModel):
    model_config = ConfigDict(extra="forbid")
    personal_number: Scalar = Field(description="số định danh cá nhân (12 chữ số)", examples=["079090001111"])
    name: Scalar = Field(description="họ tên", examples=["Lê Văn Cường"])
    share: Scalar = Field(None, description="tỷ lệ (0–1], bắt buộc với bên nhận khi có nhiều người",
                          examples=["0.6"])


class ContractParcel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ma_xa: Scalar = Field(description="mã xã (5 chữ số)", examples=["25216"])
    so_to: Scalar = Field(description="số tờ bản đồ", examples=[12])
    so_thua: Scalar = Field(description="số thửa", examples=[1])


class NotaryContract(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contract_no: Scalar = Field(description="số hợp đồng công chứng (khóa chống trùng)",
                                examples=["1234/2025/CCGD"])
    notary_office: Scalar = Field(description="tổ chức hành nghề công chứng",
                                  examples=["Văn phòng công chứng Biên Hòa"])
    notarized_on: Scalar = Field(description="ngày công chứng, dạng YYYY-MM-DD", examples=["2025-05-30"])
    kind: Scalar = Field(description="loại hợp đồng: " + ", ".join(
        f"{k} ({v})" for k, v in model46.CONTRACT_KINDS.items()))
    parcel: ContractParcel | None = Field(description="thửa đất")
    transferors: list[ContractPerson] | None = Field(description="bên chuyển quyền")
    transferees: list[ContractPerson] | None = Field(description="bên nhận quyền và tỷ lệ")
    price: Scalar = Field(None, description="giá ghi trong hợp đồng (đồng); bắt buộc với chuyển nhượng, "
                          "cho thuê, góp vốn")
    dossier_code: Scalar = Field(None, description="mã hồ sơ chuyển quyền đang mở cần bổ sung hợp đồng "
                                 "(không bắt buộc)")


class ContractResult(BaseModel):
    dossier_code: str = Field(description="mã hồ sơ chuyển quyền")
    state: str = Field(description="trạng thái hồ sơ")
    notary_contract_no: str | None = Field(description="số hợp đồng công chứng")
    result: str = Field(description="TAO_MOI (tạo hồ sơ mới), BO_SUNG (bổ sung vào hồ sơ đang mở), "
                        "DA_NHAN (hợp đồng đã nhận trước đó, không ghi gì thêm)")


class Obligation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Scalar = Field(description="loại nghĩa vụ: THUE_TNCN, LE_PHI_TRUOC_BA, TIEN_SU_DUNG_DAT, …")
    amount: Scalar = Field(description="số tiền (đồng)")


class TaxNotice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dossier_code: Scalar = Field(description="mã hồ sơ đã chuyển thuế")
    notice_no: Scalar = Field(description="số thông báo nộp nghĩa vụ tài chính")
    kind: Scalar = Field(None, description="THONG_BAO (thông báo nộp, mặc định) hoặc DA_NOP (xác nhận đã nộp)")
    amount: Scalar = Field(None, description="tổng số tiền phải nộp (đồng), với THONG_BAO")
    obligations: list[Obligation] | None = Field(None, description="các khoản nghĩa vụ, tổng bằng amount")
    issued_on: Scalar = Field(None, description="ngày ra thông báo, YYYY-MM-DD")
    receipt_no: Scalar = Field(None, description="số chứng từ nộp tiền, với DA_NOP")
    paid_on: Scalar = Field(None, description="ngày nộp, YYYY-MM-DD, với DA_NOP")


class TaxResult(BaseModel):
    dossier_code: str = Field(description="mã hồ sơ")
    state: str = Field(description="trạng thái hồ sơ sau khi nhận")
    amount_due: int | None = Field(description="tổng số tiền theo các thông báo đã nhận (đồng)")
    paid: bool = Field(description="đã nộp đủ theo mọi thông báo")
    result: str = Field(description="DA_CAP_NHAT (đã ghi nhận), DA_NHAN (đã nhận trước đó, không ghi gì thêm)")


class HolderOut(BaseModel):
    right_kind: str = Field(description="loại quyền: SU_DUNG_DAT, SO_HUU_NHA, SO_HUU_TAI_SAN")
    share: str | None = Field(description="tỷ lệ")
    name: str = Field(description="người sử dụng đất / chủ sở hữu")
    kind: str = Field(description="loại chủ thể: CA_NHAN, HO_GIA_DINH, TO_CHUC, …")
    personal_number: str | None = Field(description="số định danh cá nhân, hoặc số CCCD ghi trong hồ sơ địa chính "
                                        "(che bớt nếu vai trò không cần đầy đủ)")
    term: str | None = Field(description="thời hạn")
    purpose_codes: str | None = Field(description="mục đích sử dụng")


class RestrictionOut(BaseModel):
    kind: str = Field(description="THE_CHAP / CHO_THUE / CHO_THUE_LAI (đã đăng ký), "
                      "NGHIA_VU_TAI_CHINH (chưa nộp / ghi nợ), HO_SO_DANG_GIAI_QUYET")
    description: str = Field(description="mô tả")
    dossier_code: str | None = Field(None, description="hồ sơ liên quan")


class PendingDossierOut(BaseModel):
    dossier_code: str = Field(description="mã hồ sơ")
    service_code: str = Field(description="mã thủ tục")
    state: str = Field(description="trạng thái")
    state_label: str = Field(description="tên trạng thái")
    notary_contract_no: str | None = Field(description="số hợp đồng công chứng")
    transfer_kind: str | None = Field(description="loại hợp đồng")


class ParcelStatus(BaseModel):
    ma_xa: str = Field(description="mã xã")
    so_to: int = Field(description="số tờ")
    so_thua: int = Field(description="số thửa")
    address: str | None = Field(description="địa chỉ thửa đất")
    legal_area_m2: str | None = Field(description="diện tích pháp lý (m²)")
    land_use_codes: str | None = Field(description="mục đích sử dụng đất")
    rights: list[HolderOut] = Field(description="quyền và người có quyền")
    restrictions: list[RestrictionOut] = Field(description="hạn chế: thế chấp, cho thuê đã đăng ký, nghĩa vụ "
                                               "tài chính chưa nộp, hồ sơ đang giải quyết")
    pending_dossiers: list[PendingDossierOut] = Field(description="hồ sơ đang giải quyết trên thửa đất")
    transferable: bool = Field(description="không có hạn chế nào (gợi ý, không thay thế thẩm định của công chứng "
                               "viên)")


# ---------------------------------------------------------------- notary

@router.post("/notary/contracts", response_model=ContractResult, status_code=201,
             summary="Nhận hợp đồng công chứng / receive a notarised contract",
             description="Hợp đồng công chứng tạo hồ sơ chuyển quyền (201) hoặc bổ sung vào hồ sơ chuyển quyền "
             "đang mở của cùng thửa (200). Gửi lại cùng hợp đồng: 200, không ghi gì thêm; cùng số hợp đồng "
             "với nội dung khác: 409.",
             responses={200: {"description": "đã bổ sung vào hồ sơ đang mở, hoặc hợp đồng đã nhận trước đó"},
                        404: {"description": "không có thửa đất"},
                        409: {"description": "số hợp đồng đã nhận với nội dung khác"}})
def receive_contract(
    request: Request,
    response: Response,
    body: NotaryContract,
    principal: Annotated[Principal, Depends(require(Role.NOTARY, Role.ADMIN))],
) -> ContractResult:
    contract = body.model_dump(exclude_unset=True)
    ma_xa = contract.get("parcel", {}).get("ma_xa") if isinstance(contract.get("parcel"), dict) else None
    if isinstance(ma_xa, str) and ma_xa.strip().isdigit() and len(ma_xa.strip()) == 5:
        require_commune(principal, ma_xa.strip())
    with store_of(request).transaction() as conn:
        d, changed = model46.receive_notary_contract(conn, contract, actor=principal.username,
                                                     role=principal.role)
        created = changed and d.idempotency_key == f"cong-chung:{d.notary_contract_no}"
        result = "TAO_MOI" if created else ("BO_SUNG" if changed else "DA_NHAN")
        subjects = sorted(personal_numbers_in(d.payload.get("notary_contract")))
        log_access(conn, principal, action=f"nhận hợp đồng công chứng ({result})", resource=f"dossier/{d.code}",
                   purpose=NOTARY_PURPOSE, subjects=subjects)
    response.status_code = 201 if created else 200
    return ContractResult(dossier_code=d.code, state=str(d.state), notary_contract_no=d.notary_contract_no,
                          result=result)


def _parcel_status(conn: Connection, principal: Principal, parcel) -> dict[str, Any]:
    holding_ids = select(holding_parcels.c.holding_id).where(holding_parcels.c.parcel_id == parcel.id)
    cccd = (select(identity_documents.c.number).where(
        (identity_documents.c.party_id == parties.c.id) & (identity_documents.c.doc_type == "CCCD"))
        .order_by(identity_documents.c.id).limit(1).scalar_subquery())
    q = (select(rights.c.id, rights.c.kind.label("right_kind"), rights.c.share, rights.c.term,
                rights.c.purpose_codes, parties.c.full_name, parties.c.kind,
                func.coalesce(parties.c.personal_number, cccd).label("personal_number"))
         .join(parties, parties.c.id == rights.c.party_id)
         .where(rights.c.holding_id.in_(holding_ids)).order_by(rights.c.id))
    holder_rows = conn.execute(q).all()
    full = full_numbers(principal)
    holders = [{"right_kind": r.right_kind, "share": str(r.share) if r.share is not None else None,
                "name": r.full_name, "kind": r.kind,
                "personal_number": r.personal_number if full else mask_number(r.personal_number),
                "term": r.term, "purpose_codes": r.purpose_codes} for r in holder_rows]
    restrictions: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for r in conn.execute(select(dossiers).where(dossiers.c.parcel_id == parcel.id).order_by(dossiers.c.id)):
        d = ds.Dossier.from_row(r)
        kind = d.payload.get("transfer_kind")
        if d.state not in lc.FINAL_STATES:
            pending.append({"dossier_code": d.code, "service_code": d.service_code, "state": str(d.state),
                            "state_label": lc.STATE_LABELS[d.state], "notary_contract_no": d.notary_contract_no,
                            "transfer_kind": kind})
            restrictions.append({"kind": "HO_SO_DANG_GIAI_QUYET", "dossier_code": d.code,
                                 "description": f"hồ sơ {d.service_code} đang ở trạng thái "
                                                f"'{lc.STATE_LABELS[d.state]}'"})
        elif kind in KEEPS_HOLDER and d.state == State.DA_TRA_KET_QUA:
            restrictions.append({"kind": kind, "dossier_code": d.code,
                                 "description": f"đã đăng ký {model46.CONTRACT_KINDS[kind].lower()} theo hợp đồng "
                                                f"{d.notary_contract_no or '(không rõ số)'}"})
    right_ids = [r.id for r in holder_rows]
    if right_ids:
        for o in conn.execute(select(financial_obligations).where(
                financial_obligations.c.right_id.in_(right_ids)
                & financial_obligations.c.status.in_(["CHUA_NOP", "GHI_NO"])).order_by(financial_obligations.c.id)):
            amount = f", {int(o.amount):,} đồng".replace(",", ".") if o.amount is not None else ""
            restrictions.append({"kind": "NGHIA_VU_TAI_CHINH", "dossier_code": o.dossier_code,
                                 "description": f"{o.kind}: {'ghi nợ' if o.status == 'GHI_NO' else 'chưa nộp'}"
                                                f"{amount}"})
    return {"ma_xa": parcel.commune_code, "so_to": parcel.sheet_no, "so_thua": parcel.parcel_no,
            "address": parcel.address,
            "legal_area_m2": str(parcel.legal_area) if parcel.legal_area is not None else None,
            "land_use_codes": parcel.land_use_codes, "rights": holders, "restrictions": restrictions,
            "pending_dossiers": pending, "transferable": not restrictions,
            "_subjects": sorted({r.personal_number for r in holder_rows if r.personal_number})}


@router.get("/notary/parcels/{ma_xa}/{so_to}/{so_thua}/status", response_model=ParcelStatus,
            summary="Tình trạng pháp lý thửa đất cho công chứng / parcel status for notaries",
            description="Quyền và người có quyền, các hạn chế (thế chấp, cho thuê đã đăng ký, nghĩa vụ tài chính "
            "chưa nộp) và hồ sơ đang giải quyết trên thửa đất.",
            responses={404: {"description": "không có thửa đất"}})
def parcel_status(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.NOTARY, Role.ADMIN))],
    ma_xa: Annotated[str, Path(description="mã xã (5 chữ số)", pattern=r"^\d{5}$")],
    so_to: Annotated[int, Path(description="số tờ bản đồ", ge=1, le=1_000_000)],
    so_thua: Annotated[int, Path(description="số thửa", ge=1, le=10_000_000)],
) -> dict[str, Any]:
    require_commune(principal, ma_xa)
    with store_of(request).transaction() as conn:
        parcel = conn.execute(select(parcels).where(
            (parcels.c.commune_code == ma_xa) & (parcels.c.sheet_no == so_to) & (parcels.c.parcel_no == so_thua))
            .order_by(parcels.c.id)).first()
        if parcel is None:
            raise NotFound(f"không có thửa đất xã {ma_xa}, tờ {so_to}, thửa {so_thua} / no such parcel")
        out = _parcel_status(conn, principal, parcel)
        subjects = out.pop("_subjects")
        log_access(conn, principal, action="tra cứu tình trạng thửa đất",
                   resource=f"parcel/{ma_xa}/{so_to}/{so_thua}", purpose=NOTARY_PURPOSE, subjects=subjects)
    return out


# ---------------------------------------------------------------- tax

@router.post("/tax/notices", response_model=TaxResult,
             summary="Nhận thông báo thuế hoặc xác nhận nộp / receive a tax notice or payment",
             description="THONG_BAO: hồ sơ đã chuyển thuế chuyển sang chờ nộp nghĩa vụ tài chính (dừng tính thời "
             "gian). DA_NOP: khi đã nộp đủ theo mọi thông báo, hồ sơ tiếp tục xử lý (tính tiếp thời gian). "
             "Gửi lại cùng nội dung: không ghi gì thêm; cùng số với nội dung khác: 409.",
             responses={404: {"description": "không có hồ sơ hoặc thông báo"},
                        409: {"description": "hồ sơ chưa chuyển thuế / không chờ nộp thuế, hoặc trùng số khác "
                                             "nội dung"}})
def receive_notice(
    request: Request,
    body: TaxNotice,
    principal: Annotated[Principal, Depends(require(Role.TAX, Role.ADMIN))],
) -> TaxResult:
    notice = body.model_dump(exclude_unset=True)
    with store_of(request).transaction() as conn:
        code = notice.get("dossier_code")
        if isinstance(code, str) and code.strip():
            found = ds.get_dossier(conn, code.strip())
            if found.commune_code is not None:
                require_commune(principal, found.commune_code)
        d, changed = model46.receive_tax_notice(conn, notice, actor=principal.username, role=principal.role,
                                                calendar=calendar_of(request))
        tax = d.payload.get("tax") or {}
        log_access(conn, principal, action="nhận thông báo thuế", resource=f"dossier/{d.code}",
                   purpose=TAX_PURPOSE, subjects=[d.applicant_personal_number] if d.applicant_personal_number else [])
    return TaxResult(dossier_code=d.code, state=str(d.state), amount_due=tax.get("amount_due"),
                     paid=bool(tax.get("paid")), result="DA_CAP_NHAT" if changed else "DA_NHAN")

