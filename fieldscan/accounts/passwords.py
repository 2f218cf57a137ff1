"""Password hashing with Argon2id and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 256

# RFC 9106's second recommended option, sized for a small server.
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)

#: Passwords too common to allow (the most used ones of public breach lists, 8+ characters).
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password123",
        "12345678",
        "123456789",
        "1234567890",
        "11111111",
        "00000000",
        "qwertyuiop",
        "qwerty123",
        "iloveyou1",
        "sunshine1",
        "princess1",
        "football1",
        "baseball1",
        "welcome1",
        "abc12345",
        "abcd1234",
        "letmein1",
        "passw0rd",
        "p@ssw0rd",
        "admin123",
        "administrator",
        "changeme",
        "trustno1",
        "monkey123",
        "dragon123",
        "master123",
        "superman1",
        "starwars1",
        "whatever1",
        "computer1",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "q1w2e3r4",
        "asdfghjk",
        "asdf1234",
        "zxcvbnm1",
        "87654321",
        "12341234",
        "11223344",
        "12344321",
        "aaaaaaaa",
        "qwertyui",
        "michael1",
        "jennifer1",
        "jordan23",
        "liverpool",
    ]
)


class PasswordPolicyError(ValueError):
    """The password does not meet the policy."""


def check_policy(password: str) -> None:
    """Raise :class:`PasswordPolicyError` unless ``password`` is acceptable.

    NIST SP 800-63B: a minimum length and a block list, no composition rules.
    """
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"password must be at most {MAX_LENGTH} characters")
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordPolicyError("password is too common; choose another")


def hash_password(password: str) -> str:
    """An Argon2id hash (``$argon2id$...``) of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced at login."""
    return _hasher.check_needs_rehash(stored_hash)
