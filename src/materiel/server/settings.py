"""Settings of a server: where its store is and the limits it keeps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    db_url: str | None = None  # None: $MATERIEL_DB or the default SQLite file
    max_body_bytes: int = 5 * 1024 * 1024  # a request larger than this is refused (413)
    sign_in_attempts: int = 10  # sign-in attempts allowed per client and window
    sign_in_window_s: float = 60.0
    run_workers: int = 1  # plan runs solved at the same time (each in its own process)
