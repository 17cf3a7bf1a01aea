"""python manage.py seed_demo: a demo organisation you can log in to.

About 200 staff in three levels of units under "Ibu Pejabat", a manager for
every unit, one HR admin, one or two social accounts each. The staff list is
written as a staff CSV in memory and goes through the same import service as
HR's uploads, so running the command again changes nothing.

Other apps add their own demo data (campaigns, shares, scores) by providing a
``demo.py`` module with an idempotent ``seed(*, stdout)`` function; this
command calls each one in DEMO_CONTENT_MODULES order, if it exists.
"""

from __future__ import annotations

import csv
import importlib
import io
import random
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from accounts import imports
from accounts.models import Platform, Role, SocialAccount, User

DEMO_PASSWORD = "demo1234"
EMAIL_DOMAIN = "sharekpi.example"
DEMO_CONTENT_MODULES = (
    "campaigns.demo",
    "verification.demo",
    "scoring.demo",
    "dashboard.demo",
    "presence.growth_demo",
)

ROOT = "Ibu Pejabat"
DIVISIONS = [
    ("Bahagian Komunikasi Korporat", ["Media Digital", "Perhubungan Awam", "Penerbitan"]),
    ("Bahagian Sumber Manusia", ["Perjawatan", "Latihan dan Kompetensi"]),
    ("Bahagian Teknologi Maklumat", ["Pembangunan Aplikasi", "Infrastruktur", "Keselamatan Siber"]),
    ("Bahagian Operasi Negeri", ["Zon Utara", "Zon Tengah", "Zon Selatan"]),
]
STAFF_COUNT = 183  # + 16 managers + 1 HR admin = 200
HR_UNIT = f"{ROOT}/Bahagian Sumber Manusia/Perjawatan"

# (staff_id, full_name, email local part, role, what the login shows) — printed by the command.
DEMO_LOGINS = [
    ("hr001", "Nurul Huda binti Hassan", "nurulhuda.hassan", Role.HR_ADMIN, "imports staff"),
    ("mgr001", "Tan Chee Keong", "cheekeong.tan", Role.MANAGER, "heads Komunikasi Korporat"),
    ("stf001", "Ahmad Faizal bin Ismail", "ahmadfaizal.ismail", Role.STAFF, "Media Digital"),
    ("stf002", "Siti Aminah binti Yusof", "sitiaminah.yusof", Role.STAFF, "reads Bahasa Malaysia"),
    ("stf003", "Dewi Lestari", "dewi.lestari", Role.STAFF, "reads Bahasa Indonesia"),
]
# The demo users who read the app in another language than the organisation's default
# (set once: a language the person later chose with the switch is kept).
DEMO_LANGUAGES = {"stf002": "ms", "stf003": "id"}

MALAY_MEN = [
    "Ahmad Faizal", "Muhammad Hafiz", "Mohd Azman", "Khairul Anuar", "Amirul Hakim",
    "Syafiq", "Zulkifli", "Hisham", "Firdaus", "Iskandar", "Shahrul Nizam", "Nazri",
    "Roslan", "Aiman", "Danial", "Irfan", "Faris", "Hakimi", "Azlan", "Rizal",
]  # fmt: skip
MALAY_WOMEN = [
    "Nur Aisyah", "Siti Nurhaliza", "Nurul Huda", "Farah Hanim", "Aina", "Syazwani",
    "Zarina", "Rohani", "Norazlina", "Hidayah", "Liyana", "Amira", "Nadia", "Fatimah",
    "Haslinda", "Suraya", "Nur Izzati", "Atiqah", "Sharifah Nor", "Maisarah",
]  # fmt: skip
MALAY_FATHERS = [
    "Ismail", "Abdullah", "Rahman", "Hassan", "Ibrahim", "Yusof", "Osman", "Hamid",
    "Salleh", "Omar", "Ali", "Mohamad", "Jaafar", "Aziz", "Kassim", "Othman", "Sulaiman",
    "Zainal", "Rashid", "Mahmud",
]  # fmt: skip
CHINESE_SURNAMES = [
    "Tan", "Lim", "Lee", "Wong", "Ng", "Chong", "Chan", "Teh", "Ong", "Goh", "Yap",
    "Low", "Chin", "Leong", "Foo", "Khoo", "Koh", "Cheah",
]  # fmt: skip
CHINESE_GIVEN = [
    "Wei Ling", "Chee Keong", "Mei Yee", "Kah Wai", "Siew Lan", "Jia Hui", "Boon Huat",
    "Kok Leong", "Xin Yi", "Hui Min", "Wai Kit", "Zhi Hao", "Li Ying", "Soon Heng",
    "Pei Shan", "Yong Sheng", "Mun Yee", "Jun Wei",
]  # fmt: skip
INDIAN_MEN = [
    "Rajesh", "Suresh", "Kumaran", "Ganesh", "Arun", "Prakash", "Vinod", "Sathish",
    "Karthik", "Dinesh", "Muthu", "Ravi",
]  # fmt: skip
INDIAN_WOMEN = [
    "Kavitha", "Priya", "Devi", "Malar", "Shanti", "Revathi", "Lakshmi", "Anitha",
    "Thilaga", "Geetha", "Vani", "Nirmala",
]  # fmt: skip
INDIAN_FATHERS = [
    "Subramaniam", "Muniandy", "Krishnan", "Ramasamy", "Arumugam", "Rajendran",
    "Govindasamy", "Nair", "Pillai", "Raman", "Selvaraj", "Perumal",
]  # fmt: skip


@dataclass
class DemoPerson:
    staff_id: str
    full_name: str
    email_local: str
    handle_base: str
    unit: str
    manager_staff_id: str
    role: str


def _random_name(rng: random.Random) -> tuple[str, str, str]:
    """(full name, email local part, handle base), Malaysian-style."""
    roll = rng.random()
    if roll < 0.6:
        woman = rng.random() < 0.5
        given = rng.choice(MALAY_WOMEN if woman else MALAY_MEN)
        father = rng.choice(MALAY_FATHERS)
        full = f"{given} {'binti' if woman else 'bin'} {father}"
        return full, f"{given}.{father}", given.split()[-1]
    if roll < 0.85:
        surname, given = rng.choice(CHINESE_SURNAMES), rng.choice(CHINESE_GIVEN)
        return f"{surname} {given}", f"{given}.{surname}", given.replace(" ", "")
    woman = rng.random() < 0.5
    given = rng.choice(INDIAN_WOMEN if woman else INDIAN_MEN)
    father = rng.choice(INDIAN_FATHERS)
    return f"{given} {'a/p' if woman else 'a/l'} {father}", f"{given}.{father}", given


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == ".")


def demo_people() -> list[DemoPerson]:
    """The demo organisation, the same on every run."""
    rng = random.Random(20250101)
    fixed = {staff_id: (name, email) for staff_id, name, email, _role, _note in DEMO_LOGINS}
    people: list[DemoPerson] = []

    def person(staff_id, unit, manager, role) -> DemoPerson:
        if staff_id in fixed:
            if staff_id in DEMO_LANGUAGES:
                # They were drawn at random before they became demo logins: draw as
                # then, so everyone after them keeps the name an existing demo has.
                _random_name(rng)
            full, email_local = fixed[staff_id]
            handle = email_local.split(".")[0]
        else:
            full, email_local, handle = _random_name(rng)
        made = DemoPerson(staff_id, full, email_local, handle, unit, manager, role)
        people.append(made)
        return made

    sections: list[tuple[str, str]] = []  # (path, head's staff_id)
    # (unit path, the unit above it): mgr001 heads the first division, the
    # top of the tree comes last.
    heads: list[tuple[str, str]] = []
    for division, section_names in DIVISIONS:
        heads.append((f"{ROOT}/{division}", ROOT))
        heads += [(f"{ROOT}/{division}/{name}", f"{ROOT}/{division}") for name in section_names]
    heads.append((ROOT, ""))
    head_of = {path: f"mgr{number:03d}" for number, (path, _) in enumerate(heads, start=1)}
    for path, above in heads:
        person(head_of[path], path, head_of.get(above, ""), Role.MANAGER)
        if path.count("/") == 2:
            sections.append((path, head_of[path]))

    person("hr001", HR_UNIT, head_of[HR_UNIT], Role.HR_ADMIN)
    per_section, extra = divmod(STAFF_COUNT, len(sections))
    number = 0
    for index, (path, head) in enumerate(sections):
        for _ in range(per_section + (1 if index < extra else 0)):
            number += 1
            person(f"stf{number:03d}", path, head, Role.STAFF)
    return people


def demo_csv(people: list[DemoPerson]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(imports.COLUMNS)
    used: set[str] = set()
    for p in people:
        local = _slug(p.email_local)
        email, n = f"{local}@{EMAIL_DOMAIN}", 1
        while email in used:
            n += 1
            email = f"{local}{n}@{EMAIL_DOMAIN}"
        used.add(email)
        writer.writerow([p.staff_id, p.full_name, email, p.unit, p.manager_staff_id, p.role, "yes"])
    return out.getvalue()


PROFILE_URLS = {
    Platform.FACEBOOK: "https://www.facebook.com/{handle}",
    Platform.INSTAGRAM: "https://www.instagram.com/{handle}/",
    Platform.TIKTOK: "https://www.tiktok.com/@{handle}",
    Platform.X: "https://x.com/{handle}",
}


def demo_social_accounts(people: list[DemoPerson]) -> list[SocialAccount]:
    """One or two accounts each; handles fit X's 15 characters and are unique."""
    user_ids = dict(
        User.objects.filter(staff_id__in=[p.staff_id for p in people]).values_list("staff_id", "id")
    )
    have_accounts = set(
        SocialAccount.objects.filter(user_id__in=user_ids.values()).values_list(
            "user_id", flat=True
        )
    )
    accounts = []
    for p in people:
        user_id = user_ids.get(p.staff_id)
        if user_id is None or user_id in have_accounts:
            continue
        rng = random.Random(p.staff_id)
        platforms = [Platform.FACEBOOK if rng.random() < 0.7 else Platform.INSTAGRAM]
        if rng.random() < 0.5:
            platforms.append(rng.choice([Platform.TIKTOK, Platform.X, Platform.INSTAGRAM]))
        handle = f"{_slug(p.handle_base).replace('.', '')[:8]}_{p.staff_id}"
        for platform in dict.fromkeys(platforms):
            accounts.append(
                SocialAccount(
                    user_id=user_id,
                    platform=platform,
                    handle=handle,
                    profile_url=PROFILE_URLS[platform].format(handle=handle),
                )
            )
    return accounts


class Command(BaseCommand):
    help = (
        "Create (or leave as is) a demo organisation of about 200 staff with demo logins "
        "hr001, mgr001, stf001, stf002 (Bahasa Malaysia) and stf003 (Bahasa Indonesia) "
        f"(password {DEMO_PASSWORD})."
    )

    def handle(self, *args, **options):
        people = demo_people()
        plan = imports.plan_import(content=demo_csv(people))
        if not plan.is_valid:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError("The demo staff list clashes with existing data; nothing written.")
        result = imports.apply_import(plan=plan, set_password=DEMO_PASSWORD)
        counts = result.counts
        for staff_id, language in DEMO_LANGUAGES.items():
            User.objects.filter(staff_id=staff_id, language="").update(language=language)
        accounts = demo_social_accounts(people)
        SocialAccount.objects.bulk_create(accounts, ignore_conflicts=True)

        self.stdout.write(
            f"Demo organisation: {len(people)} staff under {ROOT!r} "
            f"({counts['create']} created, {counts['update'] + counts['deactivate']} updated, "
            f"{counts['unchanged']} unchanged; {result.units_created} new units; "
            f"{len(accounts)} social accounts added)."
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}; staff ID or email):")
        emails = dict(
            User.objects.filter(staff_id__in=[s for s, *_ in DEMO_LOGINS]).values_list(
                "staff_id", "email"
            )
        )
        for staff_id, name, _email, role, note in DEMO_LOGINS:
            self.stdout.write(
                f"  {staff_id:<7} {Role(role).label:<9} {name} <{emails.get(staff_id, '')}>, {note}"
            )
        if counts["create"] == 0:
            self.stdout.write(
                "  (existing users keep their passwords; reset them in the admin if changed)"
            )

        for module_name in DEMO_CONTENT_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name in (module_name, module_name.rpartition(".")[0]):
                    continue  # that app has no demo content (yet)
                raise
            seed = getattr(module, "seed", None)
            if callable(seed):
                seed(stdout=self.stdout)
