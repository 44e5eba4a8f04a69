"""``datdai user …``: local accounts and API keys of system clients."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from datdai.apps.commands.common import DbOption, app, err, fail, out, store_session

user_app = typer.Typer(help="Tài khoản và khóa API / accounts and API keys.", no_args_is_help=True)
app.add_typer(user_app, name="user")

RoleOption = Annotated[str, typer.Option(
    "--role", help="Vai trò / role: admin, can_bo_du_lieu, mot_cua, lanh_dao, kiem_toan, cong_dan, "
    "he_thong_c06, he_thong_cong_chung, he_thong_thue.")]
ScopeOption = Annotated[str | None, typer.Option(
    "--scope", help="Phạm vi: mã xã (5 số) hoặc mã tỉnh (2 số), cách nhau bằng dấu phẩy / "
    "commune or province codes, comma-separated.")]


def _scopes(scope: str | None) -> list[str]:
    return [s.strip() for s in (scope or "").split(",") if s.strip()]


def _read_password() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return typer.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True,
                            err=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        fail("không đọc được mật khẩu từ stdin / no password on stdin")
    return password


@user_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập / username.")],
    role: RoleOption,
    scope: ScopeOption = None,
    display_name: Annotated[str | None, typer.Option("--name", help="Họ tên / display name.")] = None,
    personal_number: Annotated[str | None, typer.Option(
        "--personal-number", help="Số định danh (tài khoản công dân) / a citizen's number.")] = None,
    db: DbOption = None,
) -> None:
    """Tạo tài khoản; mật khẩu đọc từ stdin hoặc nhập khi được hỏi / create an account."""
    from datdai.access.roles import check_role
    from datdai.access.users import AccountError, create_user

    try:
        check_role(role)
    except ValueError as exc:
        fail(str(exc))
    password = _read_password()
    with store_session(db, write=True, errors=AccountError) as conn:
        user = create_user(conn, username, role=role, password=password, scopes=_scopes(scope),
                           display_name=display_name, personal_number=personal_number,
                           created_by="datdai user create")
    out.print(f"Đã tạo tài khoản / account created: {user.username} ({user.role}), phạm vi / scope: "
              f"{', '.join(user.scopes) or '(toàn bộ / all)'}", highlight=False)


@user_app.command("api-key")
def api_key(
    client: Annotated[str, typer.Argument(help="Tên hệ thống kết nối / client name (c06, thue…).")],
    role: RoleOption,
    scope: ScopeOption = None,
    days: Annotated[int | None, typer.Option(
        "--days", min=1, max=3650, help="Hết hạn sau N ngày (mặc định: không) / expires after N days.")] = None,
    db: DbOption = None,
) -> None:
    """Tạo khóa API cho hệ thống kết nối; khóa chỉ in ra một lần / create an API key (shown once)."""
    from datdai.access.api_keys import create_api_key
    from datdai.access.users import AccountError

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=days) if days else None
    with store_session(db, write=True, errors=AccountError) as conn:
        created = create_api_key(conn, client, role=role, scopes=_scopes(scope),
                                 expires_at=expires, created_by="datdai user api-key")
    err.print(f"Khóa API của '{created.client_name}' ({created.role}) — lưu ngay, không hiển thị lại / "
              "store it now, it is not shown again:", highlight=False)
    out.print(created.key, highlight=False, soft_wrap=True)


@user_app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập / username.")],
    db: DbOption = None,
) -> None:
    """Ngừng hoạt động một tài khoản và thu hồi các mã truy cập / deactivate an account."""
    from datdai.access.users import AccountError, set_active

    with store_session(db, write=True, errors=AccountError) as conn:
        set_active(conn, username, False)
    out.print(f"Đã ngừng tài khoản / account disabled: {username}", highlight=False)
