"""Signatures (constant-time) and AES safe-mode envelopes, with wechatpy's crypto."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException


class BadSignature(Exception):
    """The request is not signed with our token."""


class BadCiphertext(ValueError):
    """The Encrypt field cannot be decrypted for our AppID."""


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def check_url_signature(token: str, signature: str, timestamp: str, nonce: str) -> None:
    if not signature_matches(sha1_signature(token, timestamp, nonce), signature):
        raise BadSignature()


def timestamp_is_fresh(timestamp: str, window_s: float, now: float | None = None) -> bool:
    """True when the timestamp is within ±window_s of now; a window of 0 disables the check."""
    if window_s <= 0:
        return True
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    value = int(timestamp)
    current = time.time() if now is None else now
    return abs(current - value) <= window_s


class SafeModeEnvelope:
    """Decrypts inbound `<Encrypt>` and encrypts replies for one account."""

    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        self._crypto = WeChatCrypto(token, encoding_aes_key, appid)
        self._token = token
        self._appid = appid

    def decrypt(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        expected = sha1_signature(self._token, timestamp, nonce, encrypted)
        if not signature_matches(expected, msg_signature):
            raise BadSignature()
        try:
            plain = PrpCrypto(self._crypto.key).decrypt(encrypted, self._appid)
        except InvalidAppIdException as exc:
            raise BadCiphertext("appid_mismatch") from exc
        except Exception as exc:  # padding, base64, struct and unicode errors alike
            raise BadCiphertext("undecryptable") from exc
        return plain if isinstance(plain, bytes) else str(plain).encode("utf-8")

    def encrypt(
        self, reply_xml: str, timestamp: str | None = None, nonce: str | None = None
    ) -> str:
        nonce = nonce or str(secrets.randbelow(10**10))
        return self._crypto.encrypt_message(reply_xml, nonce, timestamp)
