"""``generate_bench_data --presence``: social presence data for the compliance report
and follower growth, by COPY like the rest of the generator.

What it adds (the same for the same seed), on top of the people, their social
accounts and the official accounts:

* ownership proofs: about a third of the social accounts ``proven``, 5 % ``failed``;
* required platforms: facebook and instagram for everyone (the root unit), plus
  tiktok for every third division, and none for one department (an empty list);
* must-follow official accounts: facebook and instagram for everyone, x for two
  divisions;
* follow confirmations ("I follow") from 70 % / 50 % / 60 % of each audience over the
  KPI year and this year, 5 % of them withdrawn since;
* HR's spot checks of last month: 2 % of the confirmations (85 % confirmed, 10 % not
  found, the rest not checked yet), and a spot check failed for one own account in
  500;
* daily follower snapshots of every official account from the KPI year's start to
  today, and one follow drive (x, the two divisions, from the KPI year's start).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.db import connection
from django.utils import timezone

from accounts.models import ProofStatus, SocialAccount
from presence.models import (
    FollowConfirmation,
    FollowDrive,
    FollowerSnapshot,
    FollowRequirement,
    RequiredPlatforms,
    SpotCheck,
)

NULL = r"\N"
# (official account platform, share of its audience confirming, audience: None = everyone)
MUST_FOLLOW = (("facebook", 0.70, None), ("instagram", 0.50, None), ("x", 0.60, "divisions"))
SPOT_CHECK_SHARE = 0.02
WITHDRAWN_SHARE = 0.05

PRESENCE_MODELS = (
    SpotCheck,
    FollowConfirmation,
    FollowRequirement.units.through,
    FollowRequirement,
    RequiredPlatforms,
    FollowDrive.units.through,
    FollowDrive,
    FollowerSnapshot,
)


def write(command, cursor, *, table_of, pg_time, platforms: tuple[str, ...]) -> dict[str, int]:
    """Write the presence rows; ``command`` is the generate_bench_data Command (its
    plan: units, users, rng, year, today). Returns row counts by kind."""
    rng = command.rng
    units = command.units
    root = units[0]
    divisions = [u for u in units if u.depth == 1]
    departments = [u for u in units if u.depth == 2]
    official_id = {p: n for n, p in enumerate(platforms, 1)}  # as write_campaigns numbers them
    year_start = datetime.datetime(command.year, 1, 1, tzinfo=command.zone).timestamp()
    now = timezone.now().timestamp()
    counts: dict[str, int] = {}

    # Proofs: set-based, on the accounts just copied.
    table = connection.ops.quote_name(SocialAccount._meta.db_table)
    cursor.execute(
        f"UPDATE {table} SET proof_status = CASE WHEN id %% 20 = 0 THEN %s "
        f"WHEN id %% 3 = 0 THEN %s ELSE proof_status END",
        [ProofStatus.FAILED, ProofStatus.PROVEN],
    )

    required_rows = [(root.id, ["facebook", "instagram"])]
    required_rows += [
        (d.id, ["facebook", "instagram", "tiktok"]) for i, d in enumerate(divisions) if i % 3 == 0
    ]
    if departments:
        required_rows.append((departments[len(departments) // 2].id, []))
    table_of(RequiredPlatforms, ["id", "unit_id", "platforms"]).copy(
        cursor,
        (f"{n}\t{unit}\t{json.dumps(p)}" for n, (unit, p) in enumerate(required_rows, 1)),
    )
    counts["required platforms"] = len(required_rows)

    targeted = divisions[:2]
    table_of(FollowRequirement, ["id", "official_account_id", "must_follow"]).copy(
        cursor,
        (f"{n}\t{official_id[p]}\tt" for n, (p, _, _) in enumerate(MUST_FOLLOW, 1)),
    )
    audience_rows = [
        (n, t.id) for n, (_, _, who) in enumerate(MUST_FOLLOW, 1) if who for t in targeted
    ]
    table_of(FollowRequirement.units.through, ["id", "followrequirement_id", "orgunit_id"]).copy(
        cursor, (f"{i}\t{n}\t{unit}" for i, (n, unit) in enumerate(audience_rows, 1))
    )

    in_targeted: set[int] = set()
    for unit in units:
        if unit in targeted or (unit.parent is not None and unit.parent.id in in_targeted):
            in_targeted.add(unit.id)

    month = (command.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    spot_rows: list[str] = []

    def confirmation_rows() -> Iterator[str]:
        number = 0
        for user in range(1, command.staff + 1):
            unit = command.user_unit[user]
            for platform, share, who in MUST_FOLLOW:
                if who and unit not in in_targeted:
                    continue
                if rng.random() >= share:
                    continue
                number += 1
                at = year_start + rng.random() * (now - year_start)
                withdrawn = rng.random() < WITHDRAWN_SHARE
                withdrawn_at = pg_time(min(now, at + 86400 * 30)) if withdrawn else NULL
                account = official_id[platform]
                yield (
                    f"{number}\t{user}\t{account}\t{'f' if withdrawn else 't'}\t"
                    f"{pg_time(at)}\t{withdrawn_at}"
                )
                if not withdrawn and rng.random() < SPOT_CHECK_SHARE:
                    roll = rng.random()
                    result = (
                        "confirmed" if roll < 0.85 else "not_found" if roll < 0.95 else "pending"
                    )
                    checked = pg_time(now - 86400) if result != "pending" else NULL
                    spot_rows.append(
                        f"{len(spot_rows) + 1}\tfollow\t{month}\t{number}\t{NULL}\t{user}\t"
                        f"{account}\t{result}\t{pg_time(now - 2 * 86400)}\t{checked}"
                    )

    counts["follow confirmations"] = table_of(
        FollowConfirmation,
        ["id", "user_id", "official_account_id", "following", "confirmed_at", "withdrawn_at"],
    ).copy(cursor, confirmation_rows())
    spot_columns = [
        "id", "kind", "month", "confirmation_id", "social_account_id", "user_id",
        "official_account_id", "result", "drawn_at", "checked_at",
    ]  # fmt: skip
    counts["spot checks"] = table_of(SpotCheck, spot_columns).copy(cursor, iter(spot_rows))
    spot_table = connection.ops.quote_name(SpotCheck._meta.db_table)
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "
        f"MAX(id) IS NOT NULL) FROM {spot_table}",
        [spot_table],
    )
    cursor.execute(
        f"INSERT INTO {spot_table} (kind, month, social_account_id, user_id, result, note, "
        f"drawn_at, checked_at) SELECT 'account', %s, id, user_id, 'not_found', '', now(), "
        f"now() FROM {table} WHERE id %% 500 = 0",
        [month],
    )
    counts["spot checks"] += cursor.rowcount

    first_day = datetime.date(command.year, 1, 1)
    days = (command.today - first_day).days + 1

    def snapshot_rows() -> Iterator[str]:
        number = 0
        for platform in platforms:
            followers = 7_200.0 * (0.5 + rng.random())
            for day in range(days):
                number += 1
                followers += rng.uniform(0, 6)
                taken_on = first_day + datetime.timedelta(days=day)
                yield (
                    f"{number}\t{official_id[platform]}\t{taken_on}\t{int(followers)}\tapi\t"
                    f"{pg_time(now)}"
                )

    counts["follower snapshots"] = table_of(
        FollowerSnapshot,
        ["id", "official_account_id", "taken_on", "followers", "source", "created_at"],
    ).copy(cursor, snapshot_rows())
    table_of(FollowDrive, ["id", "official_account_id", "starts_on", "name", "created_at"]).copy(
        cursor,
        iter([f"1\t{official_id['x']}\t{first_day}\tBench follow drive\t{pg_time(now)}"]),
    )
    table_of(FollowDrive.units.through, ["id", "followdrive_id", "orgunit_id"]).copy(
        cursor, (f"{i}\t1\t{t.id}" for i, t in enumerate(targeted, 1))
    )
    return counts
