"""Staff import: read the staff CSV, plan every change, then apply it in one go.

The CSV is the public contract in DESIGN.md ("Staff CSV")::

    staff_id,full_name,email,unit,manager_staff_id,role,active

plus optional per-platform columns (``facebook``, ``instagram``, ``tiktok``, ``x``,
``youtube``, ``linkedin``, ``threads``): a handle or a profile link, registered
as that person's own account (an empty cell leaves their account as it is; a
bad handle, or one held by someone else or given twice in the file, is a bad
row). A new handle replaces the person's account on that platform, keeping
the old one in the history, exactly as "My accounts" does.

Two steps, so the HR page can show a preview and the command a dry run:

* ``plan_import(content=...)`` reads and validates the whole file and decides,
  per row, ``create`` / ``update`` / ``unchanged`` / ``deactivate``. It only
  reads the database (a fixed handful of queries, whatever the file size) and
  reports *every* bad row with its file line number.
* ``apply_import(plan=...)`` re-plans inside one transaction (so it acts on
  the database as it is now, and refuses if that differs from the plan the
  caller showed), then writes with bulk queries: new units level by level
  of the tree, new users level by level of management (so each is inserted
  with its manager already set), then only the changed fields of existing
  users. A file with any bad row writes nothing.

Users who are not in the file are left alone: leaving someone out is not a
way to deactivate them (``active=no`` is).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

import audit
from sharekpi import platforms

from . import hooks
from .models import (
    UNIT_SEPARATOR,
    AccountChange,
    OrgUnit,
    Platform,
    ProofStatus,
    Role,
    SocialAccount,
    SocialAccountChange,
    User,
)

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("staff_id", "full_name", "email", "unit", "manager_staff_id", "role")
PLATFORM_COLUMNS = tuple(Platform.values)  # facebook, instagram, tiktok, x, ...
OPTIONAL_COLUMNS = ("active", *PLATFORM_COLUMNS)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
HEADER_LINE = ",".join((*REQUIRED_COLUMNS, "active"))
TEMPLATE_HEADER_LINE = ",".join(COLUMNS)

TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})

# Field lengths from accounts.models, repeated here so a long cell is a row
# error instead of a database error halfway through the import.
MAX_STAFF_ID = User._meta.get_field("staff_id").max_length
MAX_FULL_NAME = User._meta.get_field("full_name").max_length
MAX_EMAIL = 254
MAX_UNIT_NAME = OrgUnit._meta.get_field("name").max_length
MAX_UNIT_PATH = OrgUnit._meta.get_field("path").max_length
# Size limits, the same for the HR page and ``manage.py import_staff``: a file bigger
# than this is refused before it is read, more data rows than MAX_ROWS is refused
# (the command may raise it with --max-rows), and a unit path deeper than
# MAX_UNIT_DEPTH levels is a bad row.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_UNIT_DEPTH = 12

# Rows per INSERT/UPDATE; Django lowers it further where the database needs
# it (SQLite's 999 parameters).
BATCH_SIZE = 1000
# Values per ``IN (...)`` list when fetching rows back.
IN_CHUNK = 900


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DEACTIVATE = "deactivate"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    Action.CREATE: pgettext_lazy("staff import action", "create"),
    Action.UPDATE: pgettext_lazy("staff import action", "update"),
    Action.UNCHANGED: pgettext_lazy("staff import action", "unchanged"),
    Action.DEACTIVATE: pgettext_lazy("staff import action", "deactivate"),
}


class StaffImportError(Exception):
    """The import cannot be applied; ``errors`` says why, row by row."""

    def __init__(self, message: str, errors: Iterable[RowError] = ()):
        super().__init__(message)
        self.errors = tuple(errors)


class ImportRejected(StaffImportError):
    """The file has bad rows; nothing was written."""


class StaleImportPlan(StaffImportError):
    """The staff data changed between planning and applying; plan again."""


@dataclass(frozen=True)
class RowError:
    line: int  # file line; the header is line 1
    staff_id: str
    reason: str

    def __str__(self) -> str:
        if self.staff_id:
            return _("line %(line)s (%(staff_id)s): %(reason)s") % {
                "line": self.line,
                "staff_id": self.staff_id,
                "reason": self.reason,
            }
        return _("line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old or '—'} → {self.new or '—'}"


@dataclass(frozen=True)
class StaffRow:
    """One row, cleaned: stripped, NFC-normalised, email lower-cased. On a bad
    row the values that failed their check are blank."""

    line: int
    staff_id: str
    full_name: str
    email: str
    unit_path: str
    manager_staff_id: str  # "" = no manager
    role: str
    is_active: bool
    # (platform, handle, profile URL) for each non-empty platform column, parsed.
    accounts: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class PlannedChange:
    """What the import will do to one person (one row of the preview)."""

    row: StaffRow
    action: Action
    changes: tuple[FieldChange, ...] = ()

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def staff_id(self) -> str:
        return self.row.staff_id

    @property
    def summary(self) -> str:
        return "; ".join(str(change) for change in self.changes)


@dataclass(frozen=True)
class _ExistingUser:
    id: int
    staff_id: str
    full_name: str
    email: str
    unit_id: int | None
    manager_id: int | None
    role: str
    is_active: bool


@dataclass
class _Snapshot:
    """The database as the plan saw it: what apply needs to write."""

    users: dict[str, _ExistingUser] = field(default_factory=dict)  # by staff_id
    unit_ids: dict[str, int] = field(default_factory=dict)  # by path
    staff_id_by_pk: dict[int, str] = field(default_factory=dict)
    path_by_pk: dict[int, str] = field(default_factory=dict)
    # (user pk, platform) → (account pk, handle); (platform, lower handle) → user pk
    accounts: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)
    account_holder: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Snapshot:
        """Every user and unit, in two queries: cheaper than thousands of
        lookups, and needed anyway to follow manager chains for cycles."""
        snapshot = cls()
        for values in User.objects.order_by().values_list(
            "id", "staff_id", "full_name", "email", "unit_id", "manager_id", "role", "is_active"
        ):
            user = _ExistingUser(*values)
            snapshot.users[user.staff_id] = user
            snapshot.staff_id_by_pk[user.id] = user.staff_id
        for pk, path in OrgUnit.objects.order_by().values_list("id", "path"):
            snapshot.unit_ids[path] = pk
            snapshot.path_by_pk[pk] = path
        return snapshot

    def load_accounts(self) -> None:
        """Every registered account, in one query (only when the file has platform columns)."""
        for pk, user_id, platform, handle in SocialAccount.objects.order_by().values_list(
            "id", "user_id", "platform", "handle"
        ):
            self.accounts[(user_id, platform)] = (pk, handle)
            self.account_holder[(platform, handle.lower())] = user_id

    def manager_staff_id(self, user: _ExistingUser) -> str:
        return self.staff_id_by_pk.get(user.manager_id, "") if user.manager_id else ""

    def unit_path(self, user: _ExistingUser) -> str:
        return self.path_by_pk.get(user.unit_id, "") if user.unit_id else ""


@dataclass
class ImportPlan:
    """Everything the import would do, decided without writing anything."""

    text: str  # the decoded CSV; plan_import(content=plan.text) plans it again
    changes: tuple[PlannedChange, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[str, ...]
    new_unit_paths: tuple[str, ...]
    row_count: int
    fingerprint: str  # changes whenever the file or the resulting plan changes
    _snapshot: _Snapshot = field(default_factory=_Snapshot, repr=False, compare=False)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def bad_line_count(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def pending(self) -> tuple[PlannedChange, ...]:
        """The rows that would change something (everything but ``unchanged``)."""
        return tuple(c for c in self.changes if c.action != Action.UNCHANGED)

    @property
    def has_writes(self) -> bool:
        return bool(self.pending or self.new_unit_paths)


@dataclass(frozen=True)
class ImportResult:
    counts: dict[str, int]
    errors: tuple[RowError, ...]
    changes: tuple[PlannedChange, ...]
    units_created: int

    @property
    def written(self) -> bool:
        return bool(self.units_created or any(c.action != Action.UNCHANGED for c in self.changes))

    @property
    def created_staff_ids(self) -> list[str]:
        return [c.row.staff_id for c in self.changes if c.action == Action.CREATE]


# --- reading the file -----------------------------------------------------------------------


def _decode(content: bytes | str, warnings: list[str]) -> str:
    """Bytes → text. UTF-8 (BOM or not) is the contract; UTF-16 (Excel's
    "Unicode Text") and Windows-1252 (Excel's plain "CSV") are read with a
    warning. Raises ImportRejected when the bytes are none of these."""
    if isinstance(content, str):
        text = content
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = content.decode("utf-16")
        warnings.append(
            _(
                "The file is UTF-16 (Excel 'Unicode Text'); it was read as such. "
                "'CSV UTF-8 (Comma delimited)' is the expected format."
            )
        )
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = content.count(b"\n", 0, exc.start) + 1
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise ImportRejected(
                    _("The file is not UTF-8 text."),
                    [
                        RowError(
                            line,
                            "",
                            _(
                                "the file is not UTF-8 text (first bad byte on this line). "
                                "In Excel use Save As → 'CSV UTF-8 (Comma delimited)'."
                            ),
                        )
                    ],
                ) from exc
            warnings.append(
                _(
                    "The file is not valid UTF-8 (first bad byte on line %(line)s), so it was "
                    "read as Windows-1252 (Excel's plain 'CSV' format). Check that names with "
                    "accents or non-Latin letters look right below, or save the file as "
                    "'CSV UTF-8 (Comma delimited)' and upload it again."
                )
                % {"line": line}
            )
    text = text.removeprefix("\ufeff")
    return unicodedata.normalize("NFC", text)


def _header_key(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first file line of the record, cells) for every CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous_end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportRejected(
                _("The file is not valid CSV."),
                [
                    RowError(
                        previous_end + 1,
                        "",
                        _("not valid CSV here (%(problem)s); check the quotes") % {"problem": exc},
                    )
                ],
            ) from exc
        yield previous_end + 1, cells
        previous_end = reader.line_num


def _pick_delimiter(text: str) -> tuple[str, list[str]]:
    first_line = text.split("\n", 1)[0]
    if "," in first_line or not first_line.strip():
        return ",", []
    for delimiter, message in (
        (";", gettext_lazy("The columns are separated by semicolons, not commas; read as such.")),
        ("\t", gettext_lazy("The columns are separated by tabs, not commas; read as such.")),
    ):
        if delimiter in first_line:
            return delimiter, [str(message)]
    return ",", []


# --- validating -----------------------------------------------------------------------------


def _parse_active(value: str) -> bool | None:
    word = value.strip().lower()
    if word == "" or word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _parse_role(value: str) -> str | None:
    word = "_".join(value.strip().lower().replace("-", " ").split())
    return word if word in Role.values else None


def _unit_path_problem(path: str) -> str | None:
    segments = path.split(UNIT_SEPARATOR)
    if len(segments) > MAX_UNIT_DEPTH:
        return _("unit %(unit)s… is %(depth)s levels deep; at most %(max)s") % {
            "unit": repr(path[:80]),
            "depth": len(segments),
            "max": MAX_UNIT_DEPTH,
        }
    if any(segment.strip() == "" for segment in segments):
        return _("unit %(unit)s has an empty part (check for '//' or a '/' at either end)") % {
            "unit": repr(path)
        }
    if any(len(segment.strip()) > MAX_UNIT_NAME for segment in segments):
        return _("a unit name in %(unit)s is longer than %(max)s characters") % {
            "unit": repr(path),
            "max": MAX_UNIT_NAME,
        }
    if len(_clean_unit_path(path)) > MAX_UNIT_PATH:
        return _("unit path is longer than %(max)s characters") % {"max": MAX_UNIT_PATH}
    return None


def _clean_unit_path(path: str) -> str:
    return UNIT_SEPARATOR.join(segment.strip() for segment in path.split(UNIT_SEPARATOR))


def _unit_prefixes(path: str) -> Iterator[str]:
    segments = path.split(UNIT_SEPARATOR)
    for depth in range(1, len(segments) + 1):
        yield UNIT_SEPARATOR.join(segments[:depth])


def _check_row(line: int, cells: dict[str, str]) -> tuple[StaffRow, list[RowError]]:
    """Validate one row on its own (no other rows, no database).

    Always returns a row, so the checks across rows still run on a bad one
    and report all its problems at once; a value that failed here is blanked
    in it (and then skipped by those checks).
    """
    staff_id = cells["staff_id"]
    errors: list[RowError] = []

    def bad(reason: str) -> None:
        errors.append(RowError(line, staff_id, reason))

    for column in ("staff_id", "full_name", "email", "unit", "role"):
        if not cells[column]:
            bad(_("%(column)s is missing") % {"column": column})
    if any(ch.isspace() for ch in staff_id):
        bad(_("staff_id %(staff_id)s contains a space") % {"staff_id": repr(staff_id)})
    if len(staff_id) > MAX_STAFF_ID:
        bad(_("staff_id is longer than %(max)s characters") % {"max": MAX_STAFF_ID})
    if len(cells["full_name"]) > MAX_FULL_NAME:
        bad(_("full_name is longer than %(max)s characters") % {"max": MAX_FULL_NAME})
    email = cells["email"].lower()
    if email:
        try:
            if len(email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            bad(_("email %(email)s is not a valid email address") % {"email": repr(cells["email"])})
            email = ""
    unit_path = cells["unit"]
    if unit_path and (problem := _unit_path_problem(unit_path)):
        bad(problem)
        unit_path = ""
    role = _parse_role(cells["role"]) if cells["role"] else ""
    if role is None:
        bad(
            _("role %(role)s is unknown (use %(roles)s)")
            % {"role": repr(cells["role"]), "roles": ", ".join(Role.values)}
        )
        role = ""
    is_active = _parse_active(cells["active"])
    if is_active is None:
        bad(_("active %(active)s is unknown (use yes or no)") % {"active": repr(cells["active"])})
    manager_staff_id = cells["manager_staff_id"]
    if manager_staff_id and manager_staff_id == staff_id:
        bad(_("manager_staff_id is the person's own staff_id"))
        manager_staff_id = ""
    accounts = []
    for platform in PLATFORM_COLUMNS:
        if not cells[platform]:
            continue  # empty: leave the person's account on it as it is
        try:
            handle, profile_url = platforms.parse_profile(cells[platform], platform)
        except platforms.InvalidShareUrl as exc:
            bad(
                _("%(platform)s %(value)s: %(problem)s")
                % {"platform": platform, "value": repr(cells[platform][:60]), "problem": exc}
            )
            continue
        accounts.append((platform, handle, profile_url))
    row = StaffRow(
        line=line,
        staff_id=staff_id,
        full_name=cells["full_name"],
        email=email,
        unit_path=_clean_unit_path(unit_path) if unit_path else "",
        manager_staff_id=manager_staff_id,
        role=role,
        is_active=is_active is not False,
        accounts=tuple(accounts),
    )
    return row, errors


def _read_rows(text: str, warnings: list[str]) -> tuple[list[StaffRow], list[RowError], int]:
    """The header and every row, each row checked on its own.

    Returns (rows, errors, number of non-blank rows). Raises
    ImportRejected when the header is unusable: then no row can be read.
    """
    delimiter, delimiter_warnings = _pick_delimiter(text)
    warnings += delimiter_warnings
    records = list(_records(text, delimiter))
    if not records or not any(cell.strip() for cell in records[0][1]):
        raise ImportRejected(
            _("The file is empty."),
            [
                RowError(
                    1,
                    "",
                    _("the file is empty; the first line must be: %(header)s")
                    % {"header": HEADER_LINE},
                )
            ],
        )

    # Header: any order, any case, stray spaces; trailing empty cells (Excel) ignored.
    header = [_header_key(cell) for cell in records[0][1]]
    while header and header[-1] == "":
        header.pop()
    header_errors: list[RowError] = []
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in index:
            header_errors.append(
                RowError(
                    1,
                    "",
                    _("column %(column)s appears twice in the header") % {"column": repr(name)},
                )
            )
        elif name in COLUMNS:
            index[name] = position
        elif name:
            warnings.append(
                _("Column %(column)s is not used and was ignored.") % {"column": repr(name)}
            )
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        header_errors.append(
            RowError(
                1,
                "",
                _(
                    "the header is missing %(columns)s; the first line must be: "
                    "%(header)s (active is optional)"
                )
                % {"columns": ", ".join(missing), "header": HEADER_LINE},
            )
        )
    if header_errors:
        raise ImportRejected(_("The header row is wrong."), header_errors)

    rows: list[StaffRow] = []
    errors: list[RowError] = []
    row_count = 0
    for line, raw in records[1:]:
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue  # a blank line, or one of Excel's trailing ",,,,," rows
        row_count += 1
        if any(cells[len(header) :]):
            staff_id = cells[index["staff_id"]] if index["staff_id"] < len(cells) else ""
            errors.append(
                RowError(
                    line,
                    staff_id,
                    _(
                        "the row has %(values)s values but the header has %(columns)s columns "
                        "(a value with a comma must be in double quotes)"
                    )
                    % {"values": len(cells), "columns": len(header)},
                )
            )
            continue
        values = {
            name: (cells[index[name]] if name in index and index[name] < len(cells) else "")
            for name in COLUMNS
        }
        row, row_errors = _check_row(line, values)
        errors += row_errors
        rows.append(row)
    if row_count == 0:
        warnings.append(_("The file has a header but no staff rows."))
    return rows, errors, row_count


def _manager_cycles(
    rows: dict[str, StaffRow], db_manager_of: dict[str, str | None]
) -> dict[str, list[str]]:
    """staff_id → the cycle it sits on, for file rows whose manager chain
    (file rows first, then the database) comes back to them."""
    manager_of = dict(db_manager_of)
    for staff_id, row in rows.items():
        manager_of[staff_id] = row.manager_staff_id or None
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    on_cycle: dict[str, list[str]] = {}
    for start in rows:
        walk: list[str] = []
        current: str | None = start
        while current is not None and current not in state:
            state[current] = 1
            walk.append(current)
            current = manager_of.get(current)
        if current is not None and state.get(current) == 1:
            cycle = walk[walk.index(current) :]
            for member in cycle:
                on_cycle[member] = cycle
        for member in walk:
            state[member] = 2
    return {staff_id: cycle for staff_id, cycle in on_cycle.items() if staff_id in rows}


def _check_across_rows(
    rows: list[StaffRow], errors: list[RowError], snapshot: _Snapshot
) -> list[StaffRow]:
    """Checks that need the other rows and the database: duplicates, emails
    taken, unknown managers, manager cycles. Appends to ``errors``; returns
    the rows with a staff_id seen for the first time."""
    email_owner = {user.email.lower(): user for user in snapshot.users.values()}
    first_by_staff_id: dict[str, StaffRow] = {}
    first_by_email: dict[str, StaffRow] = {}
    for row in rows:
        if not row.staff_id:
            continue  # already reported as missing
        if (first := first_by_staff_id.get(row.staff_id)) is not None:
            errors.append(
                RowError(
                    row.line,
                    row.staff_id,
                    _("staff_id appears again (first on line %(line)s)") % {"line": first.line},
                )
            )
            continue
        first_by_staff_id[row.staff_id] = row
        if not row.email:
            continue  # missing or invalid: already reported
        if (first := first_by_email.get(row.email)) is not None:
            errors.append(
                RowError(
                    row.line,
                    row.staff_id,
                    _("email %(email)s is also on line %(line)s (%(staff_id)s)")
                    % {"email": row.email, "line": first.line, "staff_id": first.staff_id},
                )
            )
        else:
            first_by_email[row.email] = row
        owner = email_owner.get(row.email)
        if owner is not None and owner.staff_id != row.staff_id:
            errors.append(
                RowError(
                    row.line,
                    row.staff_id,
                    _("email %(email)s already belongs to %(name)s (%(staff_id)s)")
                    % {"email": row.email, "name": owner.full_name, "staff_id": owner.staff_id},
                )
            )
    unique_rows = list(first_by_staff_id.values())
    _check_accounts(unique_rows, errors, snapshot)

    for row in unique_rows:
        manager = row.manager_staff_id
        if manager and manager not in first_by_staff_id and manager not in snapshot.users:
            errors.append(
                RowError(
                    row.line,
                    row.staff_id,
                    _("manager_staff_id %(manager)s is neither in this file nor an existing user")
                    % {"manager": manager},
                )
            )

    db_manager_of = {
        staff_id: snapshot.manager_staff_id(user) or None
        for staff_id, user in snapshot.users.items()
    }
    cycles = _manager_cycles(first_by_staff_id, db_manager_of)
    for row in unique_rows:
        if (cycle := cycles.get(row.staff_id)) is not None:
            start = cycle.index(row.staff_id)
            loop = [*cycle[start:], *cycle[:start], row.staff_id]
            errors.append(
                RowError(
                    row.line,
                    row.staff_id,
                    _("manager cycle: %(cycle)s") % {"cycle": " → ".join(loop)},
                )
            )
    return unique_rows


def _check_accounts(rows: list[StaffRow], errors: list[RowError], snapshot: _Snapshot) -> None:
    """A handle may be registered to one person only: not someone else's in the
    database, not given to two people in the file."""
    first_line: dict[tuple[str, str], StaffRow] = {}
    official = hooks.reserved_handles(
        {(platform, handle.lower()) for row in rows for platform, handle, _url in row.accounts}
    )
    for row in rows:
        user = snapshot.users.get(row.staff_id)
        for platform, handle, _url in row.accounts:
            key = (platform, handle.lower())
            if key in official:
                errors.append(
                    RowError(
                        row.line,
                        row.staff_id,
                        _("%(platform)s @%(handle)s is an official account of the organisation")
                        % {"platform": platform, "handle": handle},
                    )
                )
                continue
            if (first := first_line.get(key)) is not None:
                errors.append(
                    RowError(
                        row.line,
                        row.staff_id,
                        _("%(platform)s @%(handle)s is also on line %(line)s (%(staff_id)s)")
                        % {
                            "platform": platform,
                            "handle": handle,
                            "line": first.line,
                            "staff_id": first.staff_id,
                        },
                    )
                )
                continue
            first_line[key] = row
            holder = snapshot.account_holder.get(key)
            if holder is not None and (user is None or holder != user.id):
                owner = snapshot.staff_id_by_pk.get(holder, "?")
                errors.append(
                    RowError(
                        row.line,
                        row.staff_id,
                        _("%(platform)s @%(handle)s is already registered to %(owner)s")
                        % {"platform": platform, "handle": handle, "owner": owner},
                    )
                )


def _account_changes(row: StaffRow, user: _ExistingUser | None, snapshot: _Snapshot):
    changes = []
    for platform, handle, _url in row.accounts:
        current = snapshot.accounts.get((user.id, platform)) if user is not None else None
        old = current[1] if current is not None else ""
        if old.lower() != handle.lower():
            changes.append(FieldChange(platform, old, handle))
    return tuple(changes)


def _decide(row: StaffRow, snapshot: _Snapshot) -> PlannedChange:
    user = snapshot.users.get(row.staff_id)
    if user is None:
        return PlannedChange(row, Action.CREATE, _account_changes(row, None, snapshot))
    pairs = [
        ("full_name", user.full_name, row.full_name),
        ("email", user.email, row.email),
        ("unit", snapshot.unit_path(user), row.unit_path),
        ("manager_staff_id", snapshot.manager_staff_id(user), row.manager_staff_id),
        ("role", user.role, row.role),
        ("active", "yes" if user.is_active else "no", "yes" if row.is_active else "no"),
    ]
    changes = tuple(FieldChange(name, old, new) for name, old, new in pairs if old != new)
    changes += _account_changes(row, user, snapshot)
    if user.is_active and not row.is_active:
        return PlannedChange(row, Action.DEACTIVATE, changes)
    return PlannedChange(row, Action.UPDATE if changes else Action.UNCHANGED, changes)


def _check_actor(change: PlannedChange, actor: User, errors: list[RowError]) -> None:
    """HR must not lock themselves out by import."""
    row = change.row
    if change.action == Action.DEACTIVATE:
        errors.append(RowError(row.line, row.staff_id, _("you cannot deactivate yourself")))
    if actor.is_hr_admin and not actor.is_superuser and row.role != Role.HR_ADMIN:
        errors.append(
            RowError(row.line, row.staff_id, _("you cannot take away your own HR admin role"))
        )


def _refuse_control_characters(text: str) -> None:
    """A NUL (or another control character) in a cell cannot be stored and is never
    meant: the file is refused, naming the lines, before anything else reads it."""
    bad_lines = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r" for ch in line)
    ]
    if bad_lines:
        raise ImportRejected(
            _("The file contains control characters."),
            [
                RowError(number, "", _("contains a NUL or another control character"))
                for number in bad_lines[:100]
            ],
        )


def plan_import(
    *, content: bytes | str, actor: User | None = None, max_rows: int = MAX_ROWS
) -> ImportPlan:
    """Read and validate a staff CSV and decide what importing it would do.

    Never writes, and reads the database in two queries. Bad input is
    reported in ``plan.errors`` (one entry per problem, each with its file
    line), not raised. ``actor``, when given, may not deactivate their own
    account or take away their own HR role.
    """
    warnings: list[str] = []
    text = content if isinstance(content, str) else content.decode("utf-8", errors="replace")
    try:
        text = _decode(content, warnings)
        _refuse_control_characters(text)
        rows, errors, row_count = _read_rows(text, warnings)
        if row_count > max_rows:
            raise ImportRejected(
                _("The file has too many rows."),
                [
                    RowError(
                        1,
                        "",
                        _("%(rows)s rows is more than %(max)s; split the file")
                        % {"rows": row_count, "max": max_rows},
                    )
                ],
            )
    except ImportRejected as exc:  # the file as a whole cannot be read
        text = text.replace("\x00", "")  # the plan's text may reach the session table
        return _plan(text=text, warnings=warnings, errors=list(exc.errors))

    snapshot = _Snapshot.load()
    if any(row.accounts for row in rows):
        snapshot.load_accounts()
    unique_rows = _check_across_rows(rows, errors, snapshot)
    # Decide only for the good rows: the counts say what a corrected file
    # would do at least, and a bad row has no reliable values to compare.
    bad_lines = {error.line for error in errors}
    good_rows = [row for row in unique_rows if row.line not in bad_lines]
    changes = [_decide(row, snapshot) for row in good_rows]
    if actor is not None:
        for change in changes:
            if change.row.staff_id == actor.staff_id:
                _check_actor(change, actor, errors)

    needed_units = {prefix for row in good_rows for prefix in _unit_prefixes(row.unit_path)}
    new_unit_paths = sorted(
        (path for path in needed_units if path not in snapshot.unit_ids),
        key=lambda path: (path.count(UNIT_SEPARATOR), path),
    )
    return _plan(
        text=text,
        warnings=warnings,
        errors=errors,
        changes=changes,
        new_unit_paths=new_unit_paths,
        row_count=row_count,
        snapshot=snapshot,
    )


def _plan(
    *,
    text: str,
    warnings: list[str],
    errors: list[RowError],
    changes: Sequence[PlannedChange] = (),
    new_unit_paths: Sequence[str] = (),
    row_count: int = 0,
    snapshot: _Snapshot | None = None,
) -> ImportPlan:
    errors = sorted(errors, key=lambda error: error.line)
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass"))
    digest.update(repr((tuple(changes), tuple(errors), tuple(new_unit_paths))).encode())
    return ImportPlan(
        text=text,
        changes=tuple(changes),
        errors=tuple(errors),
        warnings=tuple(warnings),
        new_unit_paths=tuple(new_unit_paths),
        row_count=row_count,
        fingerprint=digest.hexdigest(),
        _snapshot=snapshot or _Snapshot(),
    )


# --- writing --------------------------------------------------------------------------------


def _chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create_units(paths: tuple[str, ...], unit_ids: dict[str, int]) -> int:
    """Create the missing units one tree level at a time (a parent's id is
    needed before its children can point at it)."""
    by_depth: dict[int, list[str]] = defaultdict(list)
    for path in paths:
        by_depth[path.count(UNIT_SEPARATOR)].append(path)
    for depth in sorted(by_depth):
        units = []
        for path in by_depth[depth]:
            parent_path, _, name = path.rpartition(UNIT_SEPARATOR)
            units.append(
                OrgUnit(
                    name=name,
                    path=path,
                    depth=depth,
                    parent_id=unit_ids[parent_path] if parent_path else None,
                )
            )
        OrgUnit.objects.bulk_create(units, batch_size=BATCH_SIZE)
        if all(unit.pk for unit in units):
            unit_ids.update((unit.path, unit.pk) for unit in units)
        else:  # a database that cannot return ids from a bulk insert
            for chunk in _chunks(by_depth[depth]):
                unit_ids.update(OrgUnit.objects.filter(path__in=chunk).values_list("path", "id"))
    return len(paths)


def _management_levels(rows: list[StaffRow]) -> list[list[StaffRow]]:
    """New users grouped so that each one's manager, if also new, sits in an
    earlier group; then every user is inserted with its manager already set.
    (The plan refused cycles, so the levels are finite.)"""
    new = {row.staff_id: row for row in rows}
    level: dict[str, int] = {}
    for row in rows:
        chain = []
        current: StaffRow | None = row
        while current is not None and current.staff_id not in level:
            chain.append(current)
            current = new.get(current.manager_staff_id)
            if len(chain) > len(rows):
                raise RuntimeError("manager cycle among new users")  # plan_import refuses these
        base = level[current.staff_id] + 1 if current is not None else 0
        for offset, member in enumerate(reversed(chain)):
            level[member.staff_id] = base + offset
    levels: list[list[StaffRow]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for row in rows:
        levels[level[row.staff_id]].append(row)
    return levels


def _create_users(
    rows: list[StaffRow],
    *,
    user_ids: dict[str, int],
    unit_ids: dict[str, int],
    password_hash: str | None,
) -> None:
    for level in _management_levels(rows):
        users = [
            User(
                staff_id=row.staff_id,
                full_name=row.full_name,
                email=row.email,
                unit_id=unit_ids[row.unit_path],
                manager_id=user_ids[row.manager_staff_id] if row.manager_staff_id else None,
                role=row.role,
                is_active=row.is_active,
                password=password_hash or make_password(None),
            )
            for row in level
        ]
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        if all(user.pk for user in users):
            user_ids.update((user.staff_id, user.pk) for user in users)
        else:  # a database that cannot return ids from a bulk insert
            for chunk in _chunks([row.staff_id for row in level]):
                user_ids.update(
                    User.objects.filter(staff_id__in=chunk).values_list("staff_id", "id")
                )


def _update_users(updates: list[tuple[int, dict[str, object]]]) -> None:
    """Write changed fields only. Unit, manager, role and active are shared by
    many people: one ``UPDATE … WHERE id IN (…)`` per distinct new value.
    Names and emails are per person: one bulk_update per field (Django's
    CASE WHEN), with only the rows where that field changed."""
    shared: dict[tuple[str, object], list[int]] = defaultdict(list)
    personal: dict[str, list[User]] = defaultdict(list)
    for pk, values in updates:
        for name, value in values.items():
            if name in ("full_name", "email"):
                personal[name].append(User(pk=pk, **{name: value}))
            else:
                shared[(name, value)].append(pk)
    for (name, value), pks in shared.items():
        for chunk in _chunks(pks):
            User.objects.filter(pk__in=chunk).update(**{name: value})
    for name, users in personal.items():
        User.objects.bulk_update(users, [name], batch_size=BATCH_SIZE)


@transaction.atomic
def apply_import(
    *, plan: ImportPlan, set_password: str | None = None, actor: User | None = None
) -> ImportResult:
    """Write what ``plan`` says, all or nothing.

    Raises ImportRejected if the plan has bad rows and StaleImportPlan if the
    database no longer matches the plan (someone changed staff since the
    preview). New users get ``set_password`` (hashed once and shared: hashing
    is deliberately slow) or else an unusable password, so they set their own
    through the password-reset link.
    """
    if not plan.is_valid:
        raise ImportRejected(
            ngettext(
                "The file has %(count)s bad row; nothing was written.",
                "The file has %(count)s bad rows; nothing was written.",
                plan.bad_line_count,
            )
            % {"count": plan.bad_line_count},
            plan.errors,
        )
    current = plan_import(content=plan.text, actor=actor)
    if current.fingerprint != plan.fingerprint:
        if not current.is_valid:
            raise ImportRejected(
                _("The file is no longer valid against current data."), current.errors
            )
        raise StaleImportPlan(_("Staff data changed since this import was planned; plan it again."))

    snapshot = current._snapshot
    unit_ids = dict(snapshot.unit_ids)
    units_created = _create_units(current.new_unit_paths, unit_ids)

    user_ids = {staff_id: user.id for staff_id, user in snapshot.users.items()}
    _create_users(
        [c.row for c in current.changes if c.action == Action.CREATE],
        user_ids=user_ids,
        unit_ids=unit_ids,
        password_hash=make_password(set_password) if set_password else None,
    )

    columns = {
        "full_name": lambda row: row.full_name,
        "email": lambda row: row.email,
        "unit": lambda row: unit_ids[row.unit_path],
        "manager_staff_id": lambda row: user_ids.get(row.manager_staff_id),
        "role": lambda row: row.role,
        "active": lambda row: row.is_active,
    }
    model_field = {"unit": "unit_id", "manager_staff_id": "manager_id", "active": "is_active"}
    _update_users(
        [
            (
                snapshot.users[c.staff_id].id,
                {
                    model_field.get(f.field, f.field): columns[f.field](c.row)
                    for f in c.changes
                    if f.field in columns
                },
            )
            for c in current.changes
            if c.action in (Action.UPDATE, Action.DEACTIVATE)
        ]
    )
    accounts_written = _write_accounts(current.changes, snapshot, user_ids, actor)

    result = ImportResult(
        counts=current.counts,
        errors=(),
        changes=current.changes,
        units_created=units_created,
    )
    if result.written:
        file_hash = hashlib.sha256(current.text.encode("utf-8")).hexdigest()
        audit.record(
            actor=actor,
            action="staff.imported",
            object_type="accounts.staffimport",
            object_id=file_hash,
            after={
                "counts": dict(result.counts),
                "units_created": units_created,
                "accounts_written": accounts_written,
                "file_sha256": file_hash,
                "via": "upload" if actor is not None else "command line",
            },
        )
        logger.info(
            "staff import by %s: %s, %d unit(s) created",
            actor.staff_id if actor is not None else "command line",
            ", ".join(f"{count} {action}" for action, count in result.counts.items()),
            units_created,
        )
    return result


def _write_accounts(
    changes: tuple[PlannedChange, ...],
    snapshot: _Snapshot,
    user_ids: dict[str, int],
    actor: User | None,
) -> int:
    """Register the accounts the file gives: new ones in one INSERT, replaced ones in
    one UPDATE per field (their proof starts again), one history row and one audit
    entry each (one INSERT each). Returns how many accounts were written."""
    new_accounts: list[SocialAccount] = []
    replaced: list[tuple[SocialAccount, str]] = []
    history: list[SocialAccountChange] = []
    for change in changes:
        changed = {f.field for f in change.changes if f.field in PLATFORM_COLUMNS}
        if not changed:
            continue
        user_id = user_ids[change.staff_id]
        for platform, handle, profile_url in change.row.accounts:
            if platform not in changed:
                continue
            current = snapshot.accounts.get((user_id, platform))
            if current is None:
                new_accounts.append(
                    SocialAccount(
                        user_id=user_id, platform=platform, handle=handle, profile_url=profile_url
                    )
                )
            else:
                account = SocialAccount(
                    pk=current[0],
                    user_id=user_id,
                    platform=platform,
                    handle=handle,
                    profile_url=profile_url,
                )
                replaced.append((account, current[1]))
    if not new_accounts and not replaced:
        return 0
    SocialAccount.objects.bulk_create(new_accounts, batch_size=BATCH_SIZE)
    if new_accounts and not all(account.pk for account in new_accounts):
        found = {}
        for chunk in _chunks([a.user_id for a in new_accounts]):
            found.update(
                ((user_id, platform), pk)
                for pk, user_id, platform in SocialAccount.objects.filter(
                    user_id__in=chunk
                ).values_list("id", "user_id", "platform")
            )
        for account in new_accounts:
            account.pk = found[(account.user_id, account.platform)]
    old_screenshots = []
    if replaced:
        pks = [account.pk for account, _old in replaced]
        for chunk in _chunks(pks):
            old_screenshots += list(
                SocialAccount.objects.filter(pk__in=chunk)
                .exclude(proof_screenshot="")
                .values_list("proof_screenshot", flat=True)
            )
            SocialAccount.objects.filter(pk__in=chunk).update(
                proof_status=ProofStatus.UNPROVEN,
                proof_reason="",
                proof_detail="",
                proof_checked_at=None,
                proof_requested_at=None,
                proof_needs_check=False,
                proof_screenshot="",
            )
        SocialAccount.objects.bulk_update(
            [account for account, _old in replaced],
            ["handle", "profile_url"],
            batch_size=BATCH_SIZE,
        )
    entries = []
    for account, old in [(a, "") for a in new_accounts] + replaced:
        kind = AccountChange.REPLACED if old else AccountChange.ADDED
        history.append(
            SocialAccountChange(
                user_id=account.user_id,
                platform=account.platform,
                change=kind,
                handle=account.handle,
                profile_url=account.profile_url,
                old_handle=old,
                account_id=account.pk,
                actor=actor,
                via="import",
            )
        )
        entries.append(
            {
                "actor": actor,
                "action": f"account.{kind}",
                "object_type": "accounts.socialaccount",
                "object_id": account.pk,
                "before": {"platform": account.platform, "handle": old} if old else None,
                "after": {
                    "platform": account.platform,
                    "handle": account.handle,
                    "profile_url": account.profile_url,
                    "via": "import",
                },
            }
        )
    SocialAccountChange.objects.bulk_create(history, batch_size=BATCH_SIZE)
    audit.record_many(entries)
    if old_screenshots:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: [default_storage.delete(n) for n in old_screenshots])
    return len(history)


def template_csv() -> str:
    """The header row HR can download and fill in (the platform columns are optional)."""
    return HEADER_LINE + "\r\n"
