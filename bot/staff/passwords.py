"""Staff passwords: argon2id (memory-hard) hashes, generated one-time passwords, and what a chosen one must not be."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MIN_DISTINCT = 5  # "aaaaaaaaaaaa" and "abababababab" are long but guessed at once
# Words at the top of every leaked-password list (and this service's own names): refused with digits or symbols around them.
COMMON_WORDS = frozenset({
    "password", "passwd", "passw0rd", "p@ssw0rd", "p@ssword", "pass", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl",
    "zxcvbn", "letmein", "welcome", "admin", "administrator", "iloveyou", "monkey", "dragon", "sunshine", "princess",
    "football", "baseball", "master", "shadow", "superman", "batman", "trustno", "secret", "changeme", "login", "user",
    "guest", "root", "test", "default", "abc", "abcd", "qazwsx", "1q2w3e4r", "1qaz2wsx", "starwars", "pokemon", "naruto",
    "doraemon", "sakura", "tokyo", "japan", "nippon", "kyoso", "kyousou", "fuchu", "staff", "shiyakusho", "city",
})
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "01234567890", "09876543210")
_hasher = PasswordHasher()  # argon2id, RFC 9106 "low memory" profile: 64 MiB, 3 passes


@functools.cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name costs as long as a wrong password.

    Made at the first unknown name, not at import: hashing takes 64 MiB for a moment, which every
    worker (and every `kyoso` command) would otherwise reach at start (peak RSS 178 -> 115 MiB).
    """
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def weakness(password: str, name: str) -> str | None:
    """Why a password someone chose is too easy to guess (in the console's words), or None."""
    lowered = password.lower()
    core = lowered.strip("0123456789!@#$%^&*()-_=+.,;:?~ ")
    if len(password) < MIN_LENGTH:
        return f"新しいパスワードは{MIN_LENGTH}文字以上にしてください。"
    if len(set(password)) < MIN_DISTINCT:
        return "同じ文字のくり返しが多すぎます。いろいろな文字をまぜてください。"
    if core in COMMON_WORDS or not core or lowered in _repeats_of_sequences() or (name and name.lower() in lowered):
        return "よく使われるパスワードや名前を含むパスワードは使えません。推測されにくい言葉の組み合わせにしてください。"
    return None


def _repeats_of_sequences() -> str:
    """Keyboard rows and alphabet / digit runs, back and forth, wrapped (``"1234567890123"`` is in it)."""
    return " ".join(sequence * 3 + " " + (sequence * 3)[::-1] for sequence in _SEQUENCES)


def one_time_password() -> str:
    """16 characters from an unambiguous alphabet, easy to read out and type once."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789"
    return "".join(secrets.choice(alphabet) for _ in range(16))
