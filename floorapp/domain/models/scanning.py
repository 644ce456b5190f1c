"""Scanner stations: a station PC's token for its scanner agent, and the agent scans it delivered."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class StationToken(Base):
    """A bearer token that lets one scanner agent send scans for one station, and nothing else."""
    __tablename__ = "station_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    station: Mapped[str] = mapped_column(String(40), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)


class StationScan(Base):
    """One scan an agent delivered, kept by the id the agent made, so a resent scan is delivered once."""
    __tablename__ = "station_scans"
    __table_args__ = (UniqueConstraint("station", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    station: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(400))
    scanned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
