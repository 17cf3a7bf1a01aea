"""The dashboard's note of a newly logged share, written by the share's own statement.

On PostgreSQL campaigns inserts a new share with one statement and lets the apps above
it join that statement (``campaigns.hooks.add_new_share_part``). The dashboard joins
what ``stats.record_status_changes`` does for a share logged (``None`` → pending), in
the same order: the campaign's shared advisory lock (after the share's INSERT, so a
concurrent duplicate fails on the share's unique indexes before it queues anywhere
else), the person's tally upsert, and the note, whose ``shared_staff`` is 1 when the
tally's shares went from 0 to 1. Each CTE reads the one before it, which fixes that
order. One round trip instead of five (BEGIN, the three, COMMIT).

The change is then announced as always; ``noted`` tells the signal handler that this
share's logging is already in the notes.
"""

from __future__ import annotations

import functools

from django.db import connection

from campaigns.models import Share, ShareStatus
from scoring import selectors

from . import stats
from .models import CampaignStaffTally, ShareCountChange

NOTED = "_dashboard_noted_in_insert"  # set on the share object that the statement wrote


@functools.cache
def _part_sql() -> str:
    """The statement part's SQL, the same for every share. Its constants are written in
    it (the lock's namespace, the status amounts: one pending), and the lock's key is
    worked out from the new row (``stats``' ``campaign_id % LOCK_KEYS``), so that only
    the three values that differ between shares are parameters."""
    qn = connection.ops.quote_name
    tally, note = (qn(model._meta.db_table) for model in (CampaignStaffTally, ShareCountChange))
    status_amounts = [int(column == ShareStatus.PENDING) for column in stats.STATUS_COLUMNS]
    sql = (
        f"dashboard_lock AS (SELECT pg_advisory_xact_lock_shared({int(stats.LOCK_NAMESPACE)}, "
        f"CAST(new_share.campaign_id %% {int(stats.LOCK_KEYS)} AS int)) FROM new_share), "
        f"dashboard_tally AS (INSERT INTO {tally} (campaign_id, person_id, shares, verified) "
        "SELECT new_share.campaign_id, new_share.staff_id, 1, 0 FROM new_share, dashboard_lock "
        f"ON CONFLICT (campaign_id, person_id) DO UPDATE SET shares = {tally}.shares + 1 "
        f"RETURNING {tally}.shares), "
        f"dashboard_note AS (INSERT INTO {note} (person_id, campaign_id, kpi_year, week_start, "
        f"platform, {', '.join(qn(c) for c in stats.STATUS_COLUMNS)}, shared_staff, "
        "verified_staff) SELECT new_share.staff_id, new_share.campaign_id, "
        "CAST(%s AS smallint), CAST(%s AS date), CAST(%s AS varchar), "
        + ", ".join(str(amount) for amount in status_amounts)
        + ", CASE WHEN dashboard_tally.shares = 1 THEN 1 ELSE 0 END, 0 "
        "FROM new_share, dashboard_tally)"
    )
    return sql


def statement_part(share: Share) -> tuple[str, list] | None:
    """The CTEs that note ``share``'s logging (see the module docstring)."""
    if connection.vendor != "postgresql" or share.status != ShareStatus.PENDING:
        return None
    params = [
        selectors.kpi_year_of(share.submitted_at),
        stats.week_start_of(share.submitted_at),
        share.platform,
    ]
    share.__dict__[NOTED] = True
    return _part_sql(), params


def noted(change) -> bool:
    """Whether this change is a share's logging already noted by its own statement."""
    return change.old_status is None and change.share.__dict__.get(NOTED, False)
