"""Password hashing with Argon2id and the password policy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 256

#: The block list: the most used passwords of 8 or more characters in public breach lists,
#: lower-case, one per line.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

# RFC 9106's second recommended option, sized for a small server.
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


class PasswordPolicyError(ValueError):
    """The password does not meet the policy.

    :attr:`code` names the rule (``too_short``, ``too_long``, ``too_common``,
    ``like_email``) so a page can say it in the reader's language; the message is English,
    for the command line and logs.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@cache
def common_passwords() -> frozenset[str]:
    """The block list, read once per process."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def check_policy(password: str, email: str | None = None) -> None:
    """Raise :class:`PasswordPolicyError` unless ``password`` is acceptable.

    NIST SP 800-63B: a minimum length and a block list (common passwords, and the
    account's own e-mail address or its local part), no composition rules.
    """
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError("too_short", f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError("too_long", f"password must be at most {MAX_LENGTH} characters")
    folded = password.strip().casefold()
    if folded in common_passwords():
        raise PasswordPolicyError("too_common", "password is too common; choose another")
    if email:
        address = email.strip().casefold()
        if folded in {address, address.partition("@")[0]}:
            raise PasswordPolicyError("like_email", "password must not be the e-mail address")


def hash_password(password: str) -> str:
    """An Argon2id hash (``$argon2id$...``) of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> None:
    """Spend the time of one verification, for sign-ins of unknown e-mail addresses.

    Answering those faster than a wrong password would tell who has an account.
    """
    verify_password(_dummy_hash(_hasher), password)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not a password of anyone")


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced at login."""
    return _hasher.check_needs_rehash(stored_hash)
