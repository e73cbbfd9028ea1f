"""The change feed hubs pull: catalog for every store, pick-up orders for their own store.

Every change takes the next seq from the one-row feed head, locked until commit, so seqs
become visible in order: a hub that has seen seq N never later misses a change below N.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from sync.central.models import FeedChange, FeedHead
from sync.schemas import Change, PullReply

MAX_PULL = 1000


def record_change(
    session: Session,
    kind: str,
    key: str,
    version: int,
    data: dict[str, Any] | None,
    *,
    deleted: bool = False,
    audience: str = "",
) -> int:
    """Append one change to the feed in the caller's transaction; returns its seq."""
    head = session.exec(select(FeedHead).where(FeedHead.id == 1).with_for_update()).one()
    head.seq += 1
    session.add(head)
    session.add(FeedChange(seq=head.seq, kind=kind, key=key, audience=audience,
                           version=version, deleted=deleted, data=data))
    return head.seq


def feed_head(session: Session) -> FeedHead:
    """The feed's newest seq and the oldest cursor it still serves."""
    return session.exec(select(FeedHead).where(FeedHead.id == 1)).one()


def pull_changes(session: Session, store_id: str, cursor: int, limit: int) -> PullReply:
    """Changes after cursor for one store: only the newest change of each key is sent."""
    head = feed_head(session)
    if cursor > head.seq or (0 < cursor < head.floor):
        return PullReply(changes=[], next_cursor=0, up_to_date=False, must_resync=True)
    limit = max(1, min(limit, MAX_PULL))
    newer = aliased(FeedChange)
    superseded = exists().where(
        and_(col(newer.kind) == FeedChange.kind, col(newer.key) == FeedChange.key,
             col(newer.audience) == FeedChange.audience, col(newer.seq) > FeedChange.seq,
             col(newer.seq) <= head.seq)
    )
    query = (
        select(FeedChange)
        .where(FeedChange.seq > cursor, FeedChange.seq <= head.seq,
               col(FeedChange.audience).in_(["", store_id]), ~superseded)
        .order_by(col(FeedChange.seq))
        .limit(limit)
    )
    if cursor == 0:  # the full current state: nothing deleted, no tombstones needed
        query = query.where(col(FeedChange.deleted).is_(False))
    rows = session.exec(query).all()
    changes = [
        Change(seq=r.seq, kind=r.kind, key=r.key, version=r.version,  # type: ignore[arg-type]
               deleted=r.deleted, data=r.data)
        for r in rows
    ]
    full = len(rows) == limit
    next_cursor = rows[-1].seq if full else head.seq
    return PullReply(changes=changes, next_cursor=next_cursor, up_to_date=not full)
