"""Secret link tokens: derived from the server secret, stored only as a hash (R13, R14).

token = base64url(HMAC-SHA256(secret, "kind:owner-id:nonce")), 256 bits. The database keeps the
nonce (so the app can show a link again) and SHA-256(token) (so a request finds its row with one
indexed query). Neither opens anything without the secret; renewing a link draws a new nonce.
"""

import hashlib
import hmac
import re
import secrets
from base64 import urlsafe_b64encode
from datetime import UTC, date, datetime, time, timedelta

# Nonces only need to be unique per link; 128 random bits make collisions irrelevant.
NONCE_BYTES = 16
# A token is 43 base64url characters; anything else in a token position is a miss without a query.
TOKEN_LENGTH = 43
TOKEN_SHAPE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def new_nonce() -> str:
    return secrets.token_hex(NONCE_BYTES)


def new_id() -> str:
    """Public ids of rows: random, so they reveal neither counts nor order."""
    return secrets.token_hex(12)


class ServerSecret(bytes):
    """The current secret, carrying the secrets it replaced (ADVISOR_SECRET_KEY_FALLBACKS, newest first).

    A link made under an older secret still opens (its row is found by the token's hash, whatever the
    secret), but showing it again needs the secret that derived it: `shown_token` tries them in turn, so
    rotating the key keeps every link working until it is renewed (renewal uses the current secret).
    """

    previous: tuple[bytes, ...] = ()

    def __new__(cls, current: bytes, previous: tuple[bytes, ...] = ()) -> "ServerSecret":
        secret = super().__new__(cls, current)
        secret.previous = tuple(previous)
        return secret


def secrets_of(secret: bytes) -> tuple[bytes, ...]:
    """The current secret first, then any older ones it carries."""
    return (bytes(secret), *getattr(secret, "previous", ()))


def shown_token(secret: bytes, stored_hash: str, kind: str, owner_id: str, nonce: str) -> str:
    """The token whose hash is stored, derived with whichever secret made it; a row not yet stored (or made
    under a secret no longer configured) gets the current secret's token."""
    for key in secrets_of(secret):
        token = derive_token(key, kind, owner_id, nonce)
        if hash_token(token) == stored_hash:
            return token
    return derive_token(bytes(secret), kind, owner_id, nonce)


def derive_token(secret: bytes, kind: str, owner_id: str, nonce: str) -> str:
    digest = hmac.new(secret, f"{kind}:{owner_id}:{nonce}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    return TOKEN_SHAPE.fullmatch(value) is not None


# Furthest expiry accepted: a date input can say year 9999, a datetime column cannot.
MAX_EXPIRY_DAYS = 5 * 366


def parse_expiry(value: str) -> tuple[datetime | None, str]:
    """The form's last valid day -> the moment the link stops (end of that day, UTC); '' = never."""
    value = value.strip()
    if not value:
        return None, ""
    try:
        last_day = date.fromisoformat(value)
    except ValueError:
        return None, "Enter the date as year-month-day, for example 2030-01-31."
    today = datetime.now(UTC).date()
    if last_day < today:
        return None, "Choose today or a later day; to stop the link now, revoke it."
    if last_day > today + timedelta(days=MAX_EXPIRY_DAYS):
        return None, "Choose a day within the next five years, or leave it empty for no expiry."
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC), ""
