"""Personal data at rest: ID numbers are stored encrypted, with a keyed hash to find them.

- `encrypt` / `decrypt`: AES-256-GCM; a stored value is a version byte, a 12-byte random nonce
  and the ciphertext with its tag. The version byte leaves room to rotate keys.
- `blind_index`: HMAC-SHA256 of the normalised number, truncated to 128 bits and hex-encoded.
  Equal numbers give equal indexes, so it serves uniqueness checks and exact search without
  the number itself being stored in the clear.

- `file_key`: the AES-256-GCM key of files at rest (member exports; see `core.files`).

All keys derive (HKDF) from MEMBER_DATA_KEY, or from SECRET_KEY where that is not set.
"""

import base64
import binascii
import hmac
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = b"\x01"
NONCE_BYTES = 12


@dataclass(frozen=True)
class _Keys:
    cipher: AESGCM
    index_key: bytes
    file_key: bytes


def _master_key() -> bytes:
    configured = settings.MEMBER_DATA_KEY
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(
                "MEMBER_DATA_KEY must be base64 (32 random bytes)."
            ) from None
        if len(key) != 32:
            raise ImproperlyConfigured("MEMBER_DATA_KEY must decode to exactly 32 bytes.")
        return key
    return settings.SECRET_KEY.encode()


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@cache
def _keys() -> _Keys:
    master = _master_key()
    return _Keys(
        cipher=AESGCM(_derive(master, b"jiceng member data v1 encryption")),
        index_key=_derive(master, b"jiceng member data v1 blind index"),
        file_key=_derive(master, b"jiceng member files v1 encryption"),
    )


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting in ("MEMBER_DATA_KEY", "SECRET_KEY"):
        _keys.cache_clear()


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + _keys().cipher.encrypt(nonce, plaintext.encode(), None)


def decrypt(blob: bytes | memoryview | None) -> str:
    if not blob:
        return ""
    data = bytes(blob)
    if data[:1] != VERSION:
        raise ValueError("unknown encryption version")
    nonce, ciphertext = data[1 : 1 + NONCE_BYTES], data[1 + NONCE_BYTES :]
    return _keys().cipher.decrypt(nonce, ciphertext, None).decode()


def blind_index(value: str) -> str:
    return hmac.digest(_keys().index_key, value.encode(), "sha256").hex()[:32]


def file_key() -> bytes:
    """The key files at rest are encrypted with (settings.FILE_ENCRYPTION_KEY names this)."""
    return _keys().file_key
