"""Shares store a reason code of verification's catalogue (verification.reasons) with
its parameters instead of English text. The reasons the verifier wrote before are
mapped to their codes; anything else (HR's own words) stays text. ``status_reason`` is
left as it was, so nothing is lost: a code, where set, is what is shown."""

import re

from django.db import migrations, models

BATCH = 2000

_LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "x": "X",
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "threads": "Threads",
}
_EXACT = {
    "structural checks passed": "verified.checks",
    "sampled for review": "review.sampled",
    "network checks are off": "review.not_checked",
    "network checks are off: the short link could not be expanded": "review.short_link",
    "duplicate of an already logged post": "rejected.duplicate",
}
_PREFIXES = {
    "the post is gone:": "rejected.gone",
    "the post was removed:": "removed.gone",
    "the post exists but its author could not be checked": "review.author_unchecked",
    "That is the official post": "rejected.official_post",
}
_UNREACHABLE = re.compile(r"could not reach .+ after (\d+) tries$")
_AUTHOR = re.compile(r"the (?:post|video) is by @?(\S+), not by the registered .+? account (@.+)$")


def code_of(share):
    """(code, params) for an old reason, or None to leave it as text."""
    text = share.status_reason.strip()
    params = {"platform": share.platform}
    if text in _EXACT:
        return _EXACT[text], params
    if text == f"every {_LABELS.get(share.platform, share.platform)} share is reviewed by HR":
        return "review.policy", params
    for prefix, code in _PREFIXES.items():
        if text.startswith(prefix):
            return code, params
    if match := _UNREACHABLE.match(text):
        return "review.unreachable", {**params, "tries": int(match[1])}
    if match := _AUTHOR.match(text):
        return "rejected.author", {**params, "author": match[1], "handles": match[2]}
    return None


def forwards(apps, schema_editor):
    Share = apps.get_model("campaigns", "Share")
    rows = Share.objects.exclude(status_reason="").only("pk", "platform", "status_reason")
    changed = []
    for share in rows.iterator(chunk_size=BATCH):
        found = code_of(share)
        if found is None:
            continue
        share.status_code, share.status_params = found
        changed.append(share)
        if len(changed) >= BATCH:
            Share.objects.bulk_update(changed, ["status_code", "status_params"])
            changed = []
    Share.objects.bulk_update(changed, ["status_code", "status_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_share_replaced"),
    ]

    operations = [
        migrations.AddField(
            model_name="share",
            name="status_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="share",
            name="status_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
