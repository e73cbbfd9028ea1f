"""Central settings: one typed object, read from KASSA_CENTRAL_* environment variables."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CentralSettings(BaseSettings):
    """What a chain configures for its central store service."""

    model_config = SettingsConfigDict(env_prefix="KASSA_CENTRAL_", env_file=None, extra="ignore")

    database_url: str = Field("sqlite:///kassa-central.sqlite3",
                              description="postgresql+psycopg://… in production")
    admin_token: str = Field("", description="Bearer token for /admin/v1; empty disables admin")
    silent_after_seconds: int = Field(900, ge=1, description="A hub silent this long sells "
                                      "nothing online")
    reservation_hours: int = Field(48, ge=1, description="How long a pick-up order is held")
    sweep_seconds: float = Field(30, gt=0, description="How often expired reservations are freed")
    timezone: str = Field("Europe/Stockholm", description="The stores' local time: where a "
                          "day starts for the dashboard")
    dashboard_password_hash: str = Field("", description="argon2 hash of head office's "
                                         "dashboard password (`kassa central hash-password`)")
    session_secret: str = Field("", description="Key that signs dashboard sessions; empty: "
                                "derived from the password hash and admin token")
    session_hours: float = Field(12, gt=0, description="How long a dashboard login lasts")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as "
                             "Europe/Stockholm") from exc
        return value
