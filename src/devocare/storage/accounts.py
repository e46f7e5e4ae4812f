"""Users of a shared server: API tokens (stored as scrypt hashes) and browser sessions.

A token is ``dc_<token id>_<secret>``: the public token id finds the user's row, and the secret is checked
against its ``hashlib.scrypt`` hash in constant time. Only the hash is stored, so a copy of the database
does not give anyone a token. A browser session is a random cookie value whose SHA-256 is stored (it is
already 256 random bits, so a fast hash is enough), with an expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from devocare.errors import DevocareError
from devocare.storage.models import SessionRow, UserRow
from devocare.storage.store import NotFoundError, Store, _aware

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""scrypt cost: about 16 MB and tens of milliseconds per check (the interactive-login setting)."""
SESSION_HOURS = 12
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
TOKEN = re.compile(r"^dc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class User:
    """A signed-in user."""

    id: int
    name: str


def _hash(secret: str, salt: bytes) -> str:
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def _check(secret: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def add_user(store: Store, name: str) -> str:
    """Create a user and return their API token (shown once; only its hash is kept)."""
    if not isinstance(name, str) or not NAME.match(name):
        raise DevocareError(
            f"user name {name!r} must be 1–100 letters, digits, '.', '_' or '-' (starting with a letter or digit)"
        )
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    with store._transaction() as session:
        if session.scalars(select(UserRow).where(UserRow.name == name)).first() is not None:
            raise DevocareError(f"a user named {name!r} already exists (remove it first to issue a new token)")
        session.add(
            UserRow(
                name=name,
                token_id=token_id,
                token_hash=_hash(secret, secrets.token_bytes(16)),
                created_at=datetime.now(UTC),
            )
        )
    return f"dc_{token_id}_{secret}"


def list_users(store: Store) -> list[dict[str, object]]:
    """Every user's id, name and creation time (never a token or hash)."""
    with store._sessions() as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.id))
        return [{"id": r.id, "name": r.name, "created_at": _aware(r.created_at).isoformat()} for r in rows]


def remove_user(store: Store, name: str) -> None:
    """Delete a user and their sessions (their token stops working; their saved items stay, owned by no one
    who can sign in)."""
    with store._transaction() as session:
        row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
        if row is None:
            raise NotFoundError(f"no user named {name!r}")
        session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        session.delete(row)
    _verified.clear()


_verified: OrderedDict[str, User] = OrderedDict()
_verified_lock = threading.Lock()


def user_for_token(store: Store, token: str) -> User | None:
    """The user a token belongs to, or None. Verified tokens are remembered (by SHA-256) in this process, so
    an API client pays for scrypt once, not on every request."""
    match = TOKEN.match(token or "")
    if match is None:
        return None
    key = hashlib.sha256(token.encode()).hexdigest()
    with _verified_lock:
        if key in _verified:
            return _verified[key]
    with store._sessions() as session:
        row = session.scalars(select(UserRow).where(UserRow.token_id == match.group(1))).first()
        if row is None or not _check(match.group(2), row.token_hash):
            return None
        user = User(row.id, row.name)
    with _verified_lock:
        _verified[key] = user
        while len(_verified) > 1000:
            _verified.popitem(last=False)
    return user


def start_session(store: Store, user: User) -> str:
    """A new browser session for ``user``: the cookie value (256 random bits)."""
    value = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store._transaction() as session:
        session.execute(delete(SessionRow).where(SessionRow.expires_at < now))
        session.add(
            SessionRow(
                id_hash=hashlib.sha256(value.encode()).hexdigest(),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(hours=SESSION_HOURS),
            )
        )
    return value


def user_for_session(store: Store, value: str) -> User | None:
    """The user of an unexpired session cookie, or None."""
    if not value or len(value) > 100:
        return None
    with store._sessions() as session:
        row = session.get(SessionRow, hashlib.sha256(value.encode()).hexdigest())
        if row is None or _aware(row.expires_at) < datetime.now(UTC):
            return None
        user = session.get(UserRow, row.user_id)
        return User(user.id, user.name) if user is not None else None


def end_session(store: Store, value: str) -> None:
    """Sign out: forget the session."""
    with store._transaction() as session:
        session.execute(delete(SessionRow).where(SessionRow.id_hash == hashlib.sha256(value.encode()).hexdigest()))
