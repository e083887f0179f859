"""Users, passwords (argon2) and API tokens (only their SHA-256 is stored; revocable;
every token expires)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from materiel.errors import InputError
from materiel.store.base import StoreBase, aware
from materiel.store.errors import Conflict, NotFound, Unauthenticated, UserDisabled
from materiel.store.models import RowRecord, ScenarioRecord, TokenRecord, UserRecord
from materiel.store.policy import ROLES, Principal
from materiel.store.records import NewToken, TokenInfo, UserInfo

TOKEN_PREFIX = "mat_"
MAX_TOKEN_DAYS = 366
SIGN_IN_HOURS = 12.0  # the default of Settings.session_hours
MIN_PASSWORD = 8
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,99}$")
_hasher = PasswordHasher()
#: Verified against when the user does not exist, so that both cases take as long.
_DUMMY_HASH = _hasher.hash("materiel-no-such-user")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AccountOps(StoreBase):
    def create_user(
        self,
        who: Principal,
        name: str,
        role: str,
        password: str | None = None,
        ally: str | None = None,
        producer: str | None = None,
    ) -> UserInfo:
        self.policy(who).require("users.manage", "manage users")
        if not _NAME_RE.match(name or ""):
            raise InputError(
                "a user name is 1-100 letters, digits and _ . @ -, starting with a letter or digit"
            )
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if password is not None:
            _check_password(password)
        if role == "nation":
            if not ally or not re.match(r"^[A-Z]{3}$", ally):
                raise InputError("a nation analyst needs ally: the ISO3 code of its ally")
        elif ally:
            raise InputError("only nation analysts have an ally")
        if role == "industry":
            if not producer or not producer.strip():
                raise InputError("an industry user needs producer: its name as in lines")
        elif producer:
            raise InputError("only industry users have a producer")
        with self.tx(write=True) as s:
            if s.scalar(select(UserRecord.id).where(UserRecord.name == name)):
                raise Conflict(f"a user named {name!r} exists")
            warnings = _check_owner(s, ally, producer)
            user = UserRecord(
                name=name,
                role=role,
                ally=ally,
                producer=producer,
                password_hash=_hasher.hash(password) if password else None,
            )
            s.add(user)
            s.flush()
            view = dataclasses.replace(_user_view(user), warnings=warnings)
            self.audit(s, who, "user.create", f"user {name}", None, view.as_dict())
            return view

    def update_user(
        self,
        who: Principal,
        user_id: int,
        active: bool | None = None,
        password: str | None = None,
    ) -> UserInfo:
        """Disable (``active=False``) or enable a user, or set its password (admin).
        Disabling revokes every token of the user at once, so its API tokens and browser
        sessions end; enabling again does not bring them back. Audited, never with the
        password."""
        self.policy(who).require("users.manage", "manage users")
        if active is None and password is None:
            raise InputError("nothing to change: give active, password or both")
        if password is not None:
            _check_password(password)
        if active is False and user_id == who.user_id:
            raise InputError("active: you may not disable yourself; ask another admin")
        with self.tx(write=True) as s:
            user = s.get(UserRecord, user_id)
            if user is None:
                raise NotFound(f"no user {user_id}")
            before = _user_view(user)
            if password is not None:
                user.password_hash = _hasher.hash(password)
            if active is not None:
                user.active = active
            revoked = 0
            if active is False:
                done = s.execute(
                    update(TokenRecord)
                    .where(TokenRecord.user_id == user_id, TokenRecord.revoked_at.is_(None))
                    .values(revoked_at=_now())
                )
                revoked = int(done.rowcount)  # type: ignore[attr-defined]
            s.flush()
            after = _user_view(user)
            if active is not None and active != before.active:
                action = "user.enable" if active else "user.disable"
                extra = {"tokens_revoked": revoked} if not active else {}
                changed = {**after.as_dict(), **extra}
                self.audit(s, who, action, f"user {user.name}", before.as_dict(), changed)
            if password is not None:
                hidden, reset = {"password": "(not shown)"}, {"password": "set by an admin"}
                self.audit(s, who, "user.password", f"user {user.name}", hidden, reset)
            return after

    def list_users(self, who: Principal) -> list[UserInfo]:
        self.policy(who).require("users.manage", "list users")
        with self.tx() as s:
            return [_user_view(u) for u in s.scalars(select(UserRecord).order_by(UserRecord.id))]

    def has_users(self) -> bool:
        with self.tx() as s:
            return s.scalar(select(UserRecord.id).limit(1)) is not None

    def sign_in(
        self, name: str, password: str, hours: float = SIGN_IN_HOURS
    ) -> tuple[str, dt.datetime]:
        """A token for a user's name and password, valid ``hours`` (the server passes its
        ``Settings.session_hours``)."""
        with self.tx() as s:
            user = s.scalar(select(UserRecord).where(UserRecord.name == name))
            stored = user.password_hash if user is not None else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
            ok = stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None:
            raise Unauthenticated("wrong user name or password")
        if not user.active:
            raise UserDisabled("this user is disabled; ask an admin")
        return self._issue(user.id, user.name, "sign-in", dt.timedelta(hours=hours))

    def create_token(self, who: Principal, name: str, days: float) -> NewToken:
        if not 0 < days <= MAX_TOKEN_DAYS:
            raise InputError(f"a token expires within 0 to {MAX_TOKEN_DAYS} days")
        if who.user_id is None:
            raise InputError("this principal has no user to hold a token")
        token, expires = self._issue(who.user_id, who.name, name, dt.timedelta(days=days))
        return NewToken(token=token, expires_at=expires.isoformat())

    def admin_token(self, hours: float = 24) -> tuple[str, str]:
        """A token for the user ``admin`` (created without a password if absent)."""
        with self.tx(write=True) as s:
            user = s.scalar(select(UserRecord).where(UserRecord.name == "admin"))
            if user is None:
                user = UserRecord(name="admin", role="admin")
                s.add(user)
                s.flush()
                self.audit(
                    s,
                    Principal("system", "admin"),
                    "user.create",
                    "user admin",
                    None,
                    _user_view(user).as_dict(),
                )
            user_id = user.id
        token, _ = self._issue(user_id, "admin", "server start", dt.timedelta(hours=hours))
        return token, "admin"

    def _issue(
        self, user_id: int, user: str, name: str, ttl: dt.timedelta
    ) -> tuple[str, dt.datetime]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = _now() + ttl
        with self.tx(write=True) as s:
            record = TokenRecord(
                user_id=user_id, token_hash=hash_token(token), name=name[:100], expires_at=expires
            )
            s.add(record)
            s.flush()
            self.audit(
                s,
                Principal(user, "viewer"),
                "token.create",
                f"token {record.id}",
                None,
                {"user": user, "name": name, "expires_at": expires.isoformat()},
            )
        return token, expires

    def principal(self, token: str) -> Principal:
        """Who holds this token; 401 if it is unknown, revoked or expired."""
        with self.tx() as s:  # the columns alone: every request asks it first
            user = s.execute(
                select(
                    TokenRecord.revoked_at,
                    TokenRecord.expires_at,
                    UserRecord.active,
                    UserRecord.name,
                    UserRecord.role,
                    UserRecord.ally,
                    UserRecord.producer,
                    UserRecord.id,
                )
                .join(UserRecord, UserRecord.id == TokenRecord.user_id)
                .where(TokenRecord.token_hash == hash_token(token))
            ).first()
        if user is None:
            raise Unauthenticated("unknown token")
        if user.revoked_at is not None:
            raise Unauthenticated("this token was revoked")
        if not user.active:
            raise UserDisabled("this user is disabled; ask an admin")
        if aware(user.expires_at) <= _now():
            raise Unauthenticated("this token has expired; sign in again")
        return Principal(
            name=user.name,
            role=user.role,
            ally=user.ally,
            producer=user.producer,
            user_id=user.id,
        )

    def list_tokens(self, who: Principal) -> list[TokenInfo]:
        with self.tx() as s:
            records = s.scalars(
                select(TokenRecord)
                .where(TokenRecord.user_id == who.user_id)
                .order_by(TokenRecord.id)
            )
            return [_token_view(t) for t in records]

    def revoke_token(self, who: Principal, token_id: int) -> TokenInfo:
        """Revoke one of the user's own tokens (admins: anyone's)."""
        with self.tx(write=True) as s:
            record = s.get(TokenRecord, token_id)
            if record is None or (record.user_id != who.user_id and who.role != "admin"):
                raise NotFound(f"no token {token_id}")
            before = _token_view(record)
            s.execute(
                update(TokenRecord).where(TokenRecord.id == token_id).values(revoked_at=_now())
            )
            s.refresh(record)
            after = _token_view(record)
            self.audit(
                s, who, "token.revoke", f"token {token_id}", before.as_dict(), after.as_dict()
            )
            return after


def _user_view(user: UserRecord) -> UserInfo:
    return UserInfo(
        id=user.id,
        name=user.name,
        role=user.role,
        ally=user.ally,
        producer=user.producer,
        has_password=user.password_hash is not None,
        active=user.active is not False,
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: a password has at least {MIN_PASSWORD} characters")


def _check_owner(s: Session, ally: str | None, producer: str | None) -> list[str]:
    """Refuse an ally or producer that no stored scenario knows (its allies table, its
    lines' producers); a code known in any stored scenario is accepted. Without a stored
    scenario nothing can be checked: the warning says so."""
    if ally is None and producer is None:
        return []
    if s.scalar(select(ScenarioRecord.id).limit(1)) is None:
        return ["no scenario is stored: the ally or producer could not be checked against one"]

    def known(table: str, column: str) -> set[str]:
        rows = s.scalars(select(RowRecord.data).where(RowRecord.table_name == table))
        return {str(data.get(column)) for data in rows if data.get(column) is not None}

    if ally is not None and ally not in known("allies", "code"):
        raise InputError(f"ally {ally!r} is not an ally of any stored scenario")
    if producer is not None and producer not in known("lines", "producer"):
        raise InputError(
            f"producer {producer!r} is not the producer of a line in any stored scenario"
        )
    return []


def _token_view(t: TokenRecord) -> TokenInfo:
    return TokenInfo(
        id=t.id,
        name=t.name,
        created_at=aware(t.created_at).isoformat(),
        expires_at=aware(t.expires_at).isoformat(),
        revoked_at=aware(t.revoked_at).isoformat() if t.revoked_at else None,
    )
