"""Configuration, read from the environment.

Every setting a deployment may change comes from an environment variable; nothing secret is
kept in the repository. `create_app()` picks the class named by ``TRACKER_ENV``
(``development`` by default, ``production`` or ``testing``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _decimal(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name, default))


def oidc_providers(environ: Mapping[str, str]) -> list[dict[str, str]]:
    """The OpenID providers named in ``TRACKER_OIDC_PROVIDERS`` (comma-separated), each read
    from ``TRACKER_OIDC_<NAME>_<SETTING>``; checked by ``tracker.auth.sso_rules`` when the
    app starts. See docs/sso.md."""
    names = [name.strip() for name in environ.get("TRACKER_OIDC_PROVIDERS", "").split(",")]
    providers = []
    for name in filter(None, names):
        prefix = "TRACKER_OIDC_" + name.upper().replace("-", "_") + "_"
        provider = {"name": name}
        for key in (
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "label",
            "organisation",
            "organisation_claim",
            "groups_claim",
            "role_map",
            "trust_email",
        ):
            value = environ.get(prefix + key.upper())
            if value:
                provider[key] = value
        providers.append(provider)
    return providers


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # Keys the audit trail's hash chain (HMAC-SHA256). A key of its own, never derived from
    # SECRET_KEY, so that rotating either leaves the other alone; see docs/reliability.md.
    AUDIT_HMAC_KEY: str | None = os.environ.get("AUDIT_HMAC_KEY")
    # None means: a SQLite file in the instance folder, worked out by the app factory.
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # SQLite only: how long a save waits for another writer to commit before giving up with
    # the "service unavailable" page. Writers hold the lock for milliseconds; this is a last
    # resort (docs/reliability.md, "The embedded default").
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))

    # Size tiers from budget at completion, in GBP (METHOD_MODEL.md, governance tailoring).
    TIER_SMALL_BELOW = _decimal("TRACKER_TIER_SMALL_BELOW", "250000")
    TIER_LARGE_ABOVE = _decimal("TRACKER_TIER_LARGE_ABOVE", "5000000")
    # A project whose last method assessment is older than this many days is asked to re-assess.
    METHOD_REASSESS_DAYS = int(os.environ.get("TRACKER_METHOD_REASSESS_DAYS", "90"))
    # The evidence pages: the minimum n below which a figure says "too few to say", unless
    # the PMO sets another on the page (3 to 200).
    EVIDENCE_MIN_N = int(os.environ.get("TRACKER_EVIDENCE_MIN_N", "5"))

    # Mail: with no MAIL_SERVER, messages are written to the log instead of sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "governance-tracker@localhost")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "20"))
    # The tracker's log (and, with no MAIL_SERVER, the emails it would send) goes to this
    # file instead of the terminal; relative to the instance folder. `make run` sets it.
    LOG_FILE = os.environ.get("TRACKER_LOG_FILE")
    # Where people open the tracker: links in emails start with this.
    # How often a scheduler process reports in and a standby tries to become active.
    SCHEDULER_POLL_SECONDS = float(os.environ.get("TRACKER_SCHEDULER_POLL_SECONDS", "5"))
    # Another job list ("module:NAME") for the scheduler process: tests use short intervals.
    SCHEDULER_JOBS = os.environ.get("TRACKER_SCHEDULER_JOBS")
    BASE_URL = os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000")
    # Approvers get a daily reminder of decisions waiting more than this many days.
    APPROVAL_REMINDER_DAYS = int(os.environ.get("TRACKER_APPROVAL_REMINDER_DAYS", "3"))
    # A condition given as free text (the gate page, the API) is due this many days later.
    CONDITION_DUE_DAYS = int(os.environ.get("TRACKER_CONDITION_DUE_DAYS", "30"))
    # Board documents: stored outside the web root (default: <instance>/documents).
    DOCUMENTS_PATH = os.environ.get("TRACKER_DOCUMENTS_PATH") or None
    DOCUMENT_MAX_BYTES = int(os.environ.get("TRACKER_DOCUMENT_MAX_BYTES", str(4 * 1024 * 1024)))
    # Freeze a board pack (a PDF) when a gate is requested and when it resolves.
    BOARD_PACKS_FREEZE = os.environ.get("TRACKER_BOARD_PACKS_FREEZE", "1") != "0"
    # Build frozen packs in the background (the board_packs job, every minute): a render
    # takes seconds at national scale. 0 renders them in the request instead.
    BOARD_PACKS_IN_BACKGROUND = os.environ.get("TRACKER_BOARD_PACKS_IN_BACKGROUND", "1") != "0"

    # Rate limits (Flask-Limiter). Memory suits one process; with several web workers set
    # RATELIMIT_STORAGE_URI=redis://host:6379/0 so they share the counts.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Lockout per account (in the database, so it holds across workers): this many failed
    # sign-ins within the window lock the account name for LOGIN_LOCKOUT_MINUTES.
    LOGIN_LOCKOUT_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", "5"))
    LOGIN_LOCKOUT_WINDOW_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_WINDOW_MINUTES", "15"))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

    # Rendered fragments (the project page's sections), kept until the project changes.
    # SimpleCache is per process; with several web workers set CACHE_TYPE=RedisCache and
    # CACHE_REDIS_URL=redis://host:6379/1 so they share one copy. CACHE_TYPE=NullCache turns
    # it off.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "tracker:")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "86400"))
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "5000"))

    # Single sign-on through OpenID Connect providers (docs/sso.md).
    OIDC_PROVIDERS = oidc_providers(os.environ)
    OIDC_TIMEOUT = float(os.environ.get("TRACKER_OIDC_TIMEOUT", "10"))

    PAGE_SIZE = 25
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-only-" + secrets.token_hex(16)
    # One per test process, shared by every app it builds (a backup made by one test app
    # verifies in another); a server started by a test is handed it in its environment.
    AUDIT_HMAC_KEY = "testing-audit-" + secrets.token_hex(24)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_RECORD_QUERIES = True
    PASSWORD_HASH_CHEAP = True
    LOG_FILE = None  # tests read the log through pytest, whatever the environment says
    # Off for the suite; the rate-limit tests turn it on in an app of their own.
    RATELIMIT_ENABLED = False
    # The single sign-on tests configure their own provider.
    OIDC_PROVIDERS: list = []
    # Rendering a PDF at every gate would slow the suite; the pack tests turn it on.
    BOARD_PACKS_FREEZE = False
    # The pack tests freeze in the request; the background tests turn this on and run the job.
    BOARD_PACKS_IN_BACKGROUND = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

WEAK_SECRET_KEYS = {"", "dev", "changeme", "change-me", "secret", "development"}


def instance_secret_key(instance_path: str, name: str = "secret_key") -> str:
    """Return the instance folder's generated key ``name``, creating it on first run.

    Development gets a stable key without anyone having to invent one, and the key never
    enters the repository (the instance folder is git-ignored). The file is written aside and
    linked into place, so two processes starting at once (web workers, the scheduler) never
    end up with different keys: the second one reads the first one's.
    """
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
    draft.write_text(key)
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        draft.unlink()
    return key


def instance_audit_key(instance_path: str) -> str:
    """The development audit key: a file of its own next to the secret key, never the same."""
    return instance_secret_key(instance_path, "audit_hmac_key")


def audit_key_problem(key: str | None, secret_key: str | None) -> str | None:
    """Why ``key`` cannot key the audit trail in production, or None when it can."""
    how = "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
    if not key or key in WEAK_SECRET_KEYS or len(key) < 32:
        return f"AUDIT_HMAC_KEY must be set to a long random value in production {how}"
    if key == secret_key:
        return (
            "AUDIT_HMAC_KEY must not be the same as SECRET_KEY: give the audit trail a key "
            f"of its own, so that rotating one does not touch the other {how}"
        )
    return None
