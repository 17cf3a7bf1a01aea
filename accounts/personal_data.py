"""My data: everything ShareKPI holds about one person, as one JSON document.

The person's right of access and portability (Malaysia's PDPA 2010, Indonesia's UU PDP
27/2022): ``/me/data/`` offers the download and ``GET /api/v1/me/data/`` serves it.

Each app knows what it holds, so each adds its part here when Django starts
(``register`` in its AppConfig.ready): accounts the profile and the person's own
accounts, campaigns and verification the shares with their attempts and the appeals,
scoring the scores. accounts sits at the bottom of the apps and imports none of them.
Each part is a function of the person; a part that can be long (shares) yields its
items one by one and the document is streamed, so a person with thousands of shares
gets it in one request in constant memory.

Audit entries about the person — whose object is the person or one of their things
(a share, an appeal, an account) — are included too; each app names its things with
``register_subject``. Nothing about anyone else is included: a part reads the
person's own rows only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AuditEntry

from .models import User

FORMAT_VERSION = 1


@dataclass(frozen=True)
class _Part:
    name: str
    provider: Callable[[User], object]
    many: bool  # provider yields items (a JSON array), else returns one JSON value


_parts: dict[str, _Part] = {}
# object_type -> function of the person giving a queryset of their objects' pks
_subjects: dict[str, Callable[[User], QuerySet]] = {}


def register(name: str, provider: Callable[[User], object], *, many: bool = True) -> None:
    """Add a part (``name`` is its key in the document; registering again replaces it)."""
    _parts[name] = _Part(name, provider, many)


def register_subject(object_type: str, pks: Callable[[User], QuerySet]) -> None:
    """Audit entries whose object is of ``object_type`` and among ``pks(person)`` are
    about the person (object_type as audit records it: ``app_label.model``)."""
    _subjects[object_type] = pks


def part_names() -> list[str]:
    return list(_parts)


def _encode(value: object) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def stream(user: User) -> Iterator[str]:
    """The document, in pieces of JSON text (join them for the whole)."""
    yield "{"
    yield f'"format": {FORMAT_VERSION}, "generated_at": {_encode(timezone.now())}'
    for part in _parts.values():
        yield f", {_encode(part.name)}: "
        if not part.many:
            yield _encode(part.provider(user))
            continue
        yield "["
        for i, item in enumerate(part.provider(user)):
            yield ("," if i else "") + _encode(item)
        yield "]"
    # Last: the audit entries about the person and their things.
    yield ', "audit_entries": ['
    for i, item in enumerate(_audit(user)):
        yield ("," if i else "") + _encode(item)
    yield "]}"


def file_name(user: User) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in user.staff_id)
    return f"sharekpi-my-data-{safe}.json"


# --- what accounts holds ---------------------------------------------------------------


def _profile(user: User) -> dict:
    unit = user.unit
    manager = user.manager
    return {
        "staff_id": user.staff_id,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "active": user.is_active,
        "unit": None if unit is None else {"id": unit.pk, "path": unit.path, "name": unit.name},
        "manager": None
        if manager is None
        else {"staff_id": manager.staff_id, "full_name": manager.full_name},
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _pk_text(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(_pk_text=Cast("pk", CharField())).values("_pk_text")


def _audit(user: User) -> Iterable[dict]:
    about = Q(object_type=User._meta.label_lower, object_id=str(user.pk))
    for object_type, pks in _subjects.items():
        about |= Q(object_type=object_type, object_id__in=_pk_text(pks(user)))
    entries = AuditEntry.objects.filter(about).order_by("seq")
    for entry in entries.iterator(chunk_size=500):
        yield {
            "seq": entry.seq,
            "at": entry.at,
            "by": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "before": entry.before,
            "after": entry.after,
        }


def register_own_parts() -> None:
    """accounts' parts, first in the document (AccountsConfig.ready runs before the
    other apps' ready)."""
    from .models import SocialAccount
    from .selectors import personal_data_accounts

    register("profile", _profile, many=False)
    register("accounts", personal_data_accounts)
    register_subject(
        SocialAccount._meta.label_lower,
        lambda user: SocialAccount.objects.filter(user=user),
    )
