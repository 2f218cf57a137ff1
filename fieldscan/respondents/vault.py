"""Encryption and keyed hashing of phone numbers (protected health information).

Two keys are derived with HKDF from ``FIELDSCAN_ENCRYPTION_KEY`` (or, when unset, from
``FIELDSCAN_SECRET_KEY``): one encrypts numbers with Fernet (AES-128-CBC + HMAC-SHA256),
the other keys the HMAC-SHA256 that finds a respondent by number without decrypting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class VaultError(RuntimeError):
    """A ciphertext cannot be decrypted with the configured key."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fieldscan-v1", info=purpose).derive(
        master
    )


@dataclass(frozen=True)
class PhoneVault:
    """Encrypts, decrypts and hashes phone numbers with keys derived from one master key."""

    _fernet: Fernet
    _hash_key: bytes

    @classmethod
    def from_master_key(cls, master_key: str) -> PhoneVault:
        """Build a vault from the configured master key (any non-empty string)."""
        if not master_key:
            raise ValueError("an encryption key is required")
        master = master_key.encode("utf-8")
        fernet_key = base64.urlsafe_b64encode(_derive(master, b"phone-encryption"))
        return cls(Fernet(fernet_key), _derive(master, b"phone-lookup"))

    def encrypt(self, phone: str) -> bytes:
        """Encrypt an E.164 number."""
        return self._fernet.encrypt(phone.encode("utf-8"))

    def decrypt(self, ciphertext: bytes) -> str:
        """Decrypt a number stored by :meth:`encrypt`."""
        try:
            return self._fernet.decrypt(bytes(ciphertext)).decode("utf-8")
        except InvalidToken as exc:
            raise VaultError("phone number cannot be decrypted with the configured key") from exc

    def lookup_hash(self, phone: str) -> str:
        """The keyed hash under which the number is looked up (hex)."""
        return hmac.new(self._hash_key, phone.encode("utf-8"), hashlib.sha256).hexdigest()


def vault_for(config: dict) -> PhoneVault:
    """The vault for an app configuration."""
    return PhoneVault.from_master_key(
        config.get("FIELDSCAN_ENCRYPTION_KEY") or config["SECRET_KEY"]
    )
