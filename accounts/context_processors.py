"""Navigation by role: only links to pages that exist and the user may open."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, who may see it). Entries whose URL is not (yet) routed are skipped.
# On a phone the header shows each role's PHONE_PRIMARY links and puts the rest in a
# menu, so it fits in two rows.
NAV_ITEMS = [
    ("home", _("Home"), {"staff", "manager", "hr_admin"}),
    # Campaigns: HR manage them there; everyone else sees what to share now.
    ("campaigns:campaign_list", _("Campaigns"), {"staff", "manager", "hr_admin"}),
    ("campaigns:my_shares", _("My shares"), {"staff", "manager", "hr_admin"}),
    ("scoring:my_kpi", _("My KPI"), {"staff", "manager", "hr_admin"}),
    ("me:my_accounts", _("My accounts"), {"staff", "manager", "hr_admin"}),
    ("review:review_queue", _("Review"), {"hr_admin"}),
    ("dashboard:dashboard", _("Dashboard"), {"manager", "hr_admin"}),
    ("compliance:report", _("Presence"), {"manager", "hr_admin"}),
    ("scoring:kpi_report", _("KPI report"), {"manager", "hr_admin"}),
    ("scoring:scheme_current", _("Bands"), {"hr_admin"}),
    ("scoring:year_list", _("KPI years"), {"hr_admin"}),
    ("presence:required_platforms", _("Required platforms"), {"hr_admin"}),
    ("presence:must_follow", _("Must-follow accounts"), {"hr_admin"}),
    ("presence:spot_checks", _("Spot checks"), {"hr_admin"}),
    ("accounts:staff_import", _("Import staff"), {"hr_admin"}),
    ("audit:audit_log", _("Audit log"), {"hr_admin"}),
    ("campaigns:bookmarklet", _("Bookmarklet"), {"staff", "manager", "hr_admin"}),
]


PHONE_PRIMARY = {
    "staff": {"campaigns:campaign_list", "campaigns:my_shares"},
    "manager": {"campaigns:campaign_list", "dashboard:dashboard"},
    "hr_admin": {"review:review_queue", "dashboard:dashboard"},
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = "hr_admin" if user.is_hr_admin else user.role
    items = []
    primary = PHONE_PRIMARY.get(role, set())
    for name, label, roles in NAV_ITEMS:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "url": url,
                "label": label,
                "active": request.path == url,
                "primary": name in primary,
            }
        )
    return {"nav_items": items, "show_admin_link": user.is_staff}
