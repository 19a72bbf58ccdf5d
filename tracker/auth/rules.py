"""Password policy, kept pure so forms, the CLI and tests share it."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit


class LocalSignIn(StrEnum):
    """Who may sign in with a password rather than through an OpenID provider."""

    EVERYONE = "everyone"
    BREAK_GLASS = "break_glass"


LOCAL_SIGN_IN_LABELS = {
    LocalSignIn.EVERYONE: "Everyone with a password",
    LocalSignIn.BREAK_GLASS: "Break-glass administrators only",
}

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128

# A short list of the passwords people reach for first; long enough to stop the obvious.
COMMON_PASSWORDS = {
    "password1234",
    "password12345",
    "123456789012",
    "qwertyuiop12",
    "letmein12345",
    "welcome12345",
    "changeme1234",
    "administrator",
    "passwordpassword",
}


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("Password is too easy to guess: choose a less common one")
    local_part = email.split("@")[0].lower()
    if local_part and len(local_part) >= 4 and local_part in lowered:
        problems.append("Password must not contain your email address")
    if name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        problems.append("Password must not contain your name")
    return problems


def is_safe_next(target: str | None) -> bool:
    r"""Whether a sign-in's ``next`` is a path on this site, and nothing a browser could read
    as another site or a header could split on.

    Refused: any scheme or host; ``//host`` and ``/\host`` (browsers read a backslash as
    a slash); control characters anywhere, because browsers drop tabs and newlines from
    URLs (``/<TAB>/evil.example`` becomes ``//evil.example``) and a CR/LF in a Location
    header would split the response.
    """
    if not target or not target.startswith("/"):
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in target) or "\\" in target:
        return False
    if target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
