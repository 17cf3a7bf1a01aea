"""Review and appeal decisions store a reason code with HR's words as its ``note``
(verification.reasons: ``reviewed.*``, ``appeal.verified``) instead of an English
prefix ("Approved in review: …") or one in the deciding HR admin's language, so the
person reads the reason in theirs. Earlier decisions are mapped to the codes;
``status_reason`` is left as it was (a code, where set, is what is shown)."""

import re

from django.db import migrations

BATCH = 2000
_PATTERNS = [
    (re.compile(r"Approved in review", re.S), "reviewed.approved"),
    (re.compile(r"Approved in review: (?P<note>.+)", re.S), "reviewed.approved_note"),
    (re.compile(r"Rejected in review: (?P<note>.+)", re.S), "reviewed.rejected"),
    # The appeal's words were stored in the deciding HR admin's language.
    (
        re.compile(
            r"(?:Verified on appeal|Disahkan melalui rayuan|Terverifikasi melalui banding): "
            r"(?P<note>.+)",
            re.S,
        ),
        "appeal.verified",
    ),
]


def code_of(text: str):
    """(code, params) for a decision's reason, or None to leave it as text."""
    for pattern, code in _PATTERNS:
        if match := pattern.fullmatch(text.strip()):
            return code, match.groupdict()
    return None


def forwards(apps, schema_editor):
    Share = apps.get_model("campaigns", "Share")
    rows = (
        Share.objects.filter(status_code="")
        .filter(
            status_reason__regex=r"^(Approved in review|Rejected in review: |Verified on appeal: "
            r"|Disahkan melalui rayuan: |Terverifikasi melalui banding: )"
        )
        .only("pk", "status_reason")
    )
    changed = []
    for share in rows.iterator(chunk_size=BATCH):
        found = code_of(share.status_reason)
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
        ("campaigns", "0008_department_campaigns"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
