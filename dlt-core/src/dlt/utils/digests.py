"""Random ids and digests of text, with dlt 1.31's lengths and alphabets, so ids and hashes a
script derives (`dlt.common.utils.uniq_id`, `digest128`) look and compare as they did."""

from __future__ import annotations

import base64
import hashlib
import secrets


def uniq_id(len_: int = 16) -> str:
    """`len_` random bytes (cryptographic grade) as hex: 32 characters by default."""
    return secrets.token_hex(len_)


def uniq_id_base64(len_: int = 16) -> str:
    """`len_` random bytes (cryptographic grade) as base64 without padding."""
    return base64.b64encode(secrets.token_bytes(len_)).decode("ascii").rstrip("=")


def digest128(text: str, len_: int = 15) -> str:
    """A SHAKE-128 digest of `len_` bytes of `text` as base64 without padding (20 characters by
    default); the same text always gives the same digest."""
    return digest128b(text.encode("utf-8"), len_)


def digest128b(data: bytes, len_: int = 15) -> str:
    """`digest128` of bytes (dlt 1.31's row ids and incremental dedup hashes are these of JSON)."""
    return base64.b64encode(hashlib.shake_128(data).digest(len_)).decode("ascii").rstrip("=")


def digest256(text: str) -> str:
    """A SHA3-256 digest of `text` as base64 (44 characters)."""
    return digest256b(text.encode("utf-8"))


def digest256b(data: bytes) -> str:
    """`digest256` of bytes (dlt 1.31's pipeline state version hash is this of its JSON)."""
    return base64.b64encode(hashlib.sha3_256(data).digest()).decode("ascii")
