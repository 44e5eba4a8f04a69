"""Password hashes: argon2id (argon2-cffi, its default RFC 9106 low-memory profile).

Passwords are NFC-normalised first, so the same Vietnamese password typed on a keyboard that
produces decomposed characters (macOS) still matches.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
_hasher = PasswordHasher()
# verified against when the user does not exist, so a failure takes the same time either way
_DUMMY_HASH = _hasher.hash("datdai: không có tài khoản này")


def _nfc(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def check_strength(password: str) -> None:
    if len(_nfc(password)) < MIN_LENGTH:
        raise ValueError(f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự / at least {MIN_LENGTH} characters")


def hash_password(password: str) -> str:
    return _hasher.hash(_nfc(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, _nfc(password)) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
