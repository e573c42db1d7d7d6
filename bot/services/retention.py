"""Screenshots are kept a configured number of days; after that the picture goes and its time stays."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bot.services import images
from bot.services.context import Context
from storage.tables import Screenshot

BATCH = 500


def delete_old_screenshots(ctx: Context, *, now: datetime, days: int) -> int:
    """Deletes screenshots taken more than `days` days before `now`; returns how many."""
    cutoff, deleted = now - timedelta(days=days), 0
    while batch := _delete_batch(ctx, cutoff):
        deleted += batch
    return deleted


def _delete_batch(ctx: Context, cutoff: datetime) -> int:
    with ctx.unit() as s:
        rows = s.execute(select(Screenshot.id, Screenshot.blob_key).where(Screenshot.created_at < cutoff)
                         .order_by(Screenshot.id).limit(BATCH)).all()
        # Files first: after a crash the rows are still there and the next run deletes again;
        # the other way round would leave files that nothing names.
        for _, key in rows:
            images.delete_files(ctx.blobs, key)
        s.execute(delete(Screenshot).where(Screenshot.id.in_([row_id for row_id, _ in rows])))
    return len(rows)
