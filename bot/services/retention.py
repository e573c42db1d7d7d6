"""Screenshots are kept a configured number of days; after that the picture goes and its time stays."""

from datetime import datetime, timedelta

from bot.services import images
from bot.services.context import Context
from storage import screenshots

BATCH = 500


def delete_old_screenshots(ctx: Context, *, now: datetime, days: int) -> int:
    """Deletes screenshots taken more than `days` days before `now`; returns how many."""
    cutoff, deleted = now - timedelta(days=days), 0
    while batch := _delete_batch(ctx, cutoff):
        deleted += batch
    return deleted


def _delete_batch(ctx: Context, cutoff: datetime) -> int:
    with ctx.unit() as s:
        rows = screenshots.taken_before(s, before=cutoff, limit=BATCH)
        # Files first: after a crash the rows are still there and the next run deletes again;
        # the other way round would leave files that nothing names.
        for row in rows:
            images.delete_files(ctx.blobs, row.blob_key)
        screenshots.delete_rows(s, ids=[row.id for row in rows])
    return len(rows)
