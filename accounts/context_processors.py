"""Navigation by role: only links to pages that exist and the user may open."""

from django.urls import NoReverseMatch, reverse

# (url name, label, who may see it). Entries whose URL is not (yet) routed are skipped.
NAV_ITEMS = [
    ("home", "Home", {"staff", "manager", "hr_admin"}),
    # Campaigns: HR manage them there; everyone else sees what to share now.
    ("campaigns:campaign_list", "Campaigns", {"staff", "manager", "hr_admin"}),
    ("campaigns:my_shares", "My shares", {"staff", "manager", "hr_admin"}),
    ("scoring:my_kpi", "My KPI", {"staff", "manager", "hr_admin"}),
    ("me:my_accounts", "My accounts", {"staff", "manager", "hr_admin"}),
    ("review:review_queue", "Review", {"hr_admin"}),
    ("dashboard:dashboard", "Dashboard", {"manager", "hr_admin"}),
    ("scoring:kpi_report", "KPI report", {"manager", "hr_admin"}),
    ("scoring:scheme_current", "Bands", {"hr_admin"}),
    ("scoring:year_list", "KPI years", {"hr_admin"}),
    ("accounts:staff_import", "Import staff", {"hr_admin"}),
    ("audit:audit_log", "Audit log", {"hr_admin"}),
    ("campaigns:bookmarklet", "Bookmarklet", {"staff", "manager", "hr_admin"}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = "hr_admin" if user.is_hr_admin else user.role
    items = []
    for name, label, roles in NAV_ITEMS:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    return {"nav_items": items, "show_admin_link": user.is_staff}
