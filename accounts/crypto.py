"""Encryption of secrets at rest (app secrets, password MD5s, tokens) with Fernet.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS``, newest first; any string is accepted and
stretched to a Fernet key, so an operator can paste a passphrase. Older keys keep decrypting,
which is how a key is rotated.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


def _fernet_key(material: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode("utf-8")).digest())


@functools.cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return PREFIX + cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not encrypted with this scheme")
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError(
            "cannot decrypt a stored secret: FIELD_ENCRYPTION_KEY changed without keeping the"
            " old key (list new,old to rotate)"
        ) from exc


def mask(plain: str) -> str:
    """Show a secret the way admin may: its length hidden, only the last four characters."""
    if not plain:
        return ""
    return "••••" + plain[-4:] if len(plain) > 8 else "••••"


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column stored as Fernet ciphertext; Python sees the plain string.

    Not queryable by value (ciphertexts differ on every write); compare after loading.
    """

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str:
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value: object) -> str:
        if value in (None, ""):
            return ""
        return encrypt(str(value))
