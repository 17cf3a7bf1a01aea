from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from sharekpi.readonly_admin import ReadOnlyAdmin

from . import services
from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import OrgUnit, SocialAccount, SocialAccountChange, User

PROOF_FIELDS = [
    "proof_status",
    "proof_reason",
    "proof_detail",
    "proof_checked_at",
    "proof_requested_at",
    "proof_screenshot",
    "proof_needs_check",
]


class SocialAccountInline(admin.TabularInline):
    """Seen here; added, changed and removed on the Social accounts page, which keeps
    the history and the audit log."""

    model = SocialAccount
    extra = 0
    fields = ["platform", "handle", "profile_url", "proof_status", "proof_needs_check"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["staff_id"]
    list_display = ["staff_id", "full_name", "email", "unit", "role", "is_active"]
    list_filter = ["role", "is_active", "unit__depth"]
    search_fields = ["staff_id", "full_name", "email", "unit__path"]
    autocomplete_fields = ["unit", "manager"]
    inlines = [SocialAccountInline]
    fieldsets = [
        (None, {"fields": ["staff_id", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "unit", "manager", "role", "is_active"]}),
        (_("Permissions"), {"fields": ["is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "fields": [
                    "staff_id",
                    "full_name",
                    "email",
                    "unit",
                    "role",
                    "password1",
                    "password2",
                ]
            },
        )
    ]
    filter_horizontal = ["groups", "user_permissions"]

    # Privileges only a superuser may grant or take away. An HR admin (admin access
    # through their role, not is_superuser) sees these fields read-only, for anyone,
    # themselves included, and may not change their own role or active flag, nor
    # edit or delete a superuser's account.
    PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")
    OWN_FIELDS = ("role", "is_active")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += self.PRIVILEGE_FIELDS
            if obj is not None and obj.pk == request.user.pk:
                readonly += self.OWN_FIELDS
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Groups carry permissions: only a superuser edits them."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["path", "name", "depth"]
    list_filter = ["depth"]
    search_fields = ["path", "name"]
    autocomplete_fields = ["parent"]


class SocialAccountAdminForm(forms.ModelForm):
    """Handles go through the same rules as on "My accounts" (a handle or a profile
    link, one account per platform, nobody else's)."""

    handle = forms.CharField(
        max_length=500, help_text=_("A handle (like @name) or a profile link.")
    )

    class Meta:
        model = SocialAccount
        fields = ["user", "platform", "handle"]

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        platform = cleaned.get("platform") or self.instance.platform
        if user is None or not platform or not cleaned.get("handle"):
            return cleaned
        try:
            handle, _url = services.parse_account(platform=platform, handle=cleaned["handle"])
        except services.AccountRefused as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
            return cleaned
        taken = (
            SocialAccount.objects.filter(platform=platform, handle__iexact=handle)
            .exclude(user=user)
            .exists()
        )
        if taken:
            self.add_error(
                "handle", _("This handle is registered to someone else on that platform.")
            )
        # Let the service, not the model form, decide add vs replace (one per platform).
        self.instance.platform, self.instance.handle = platform, handle
        return cleaned

    def validate_unique(self):
        pass  # set_account replaces the person's account on that platform


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    """Adds, replacements and removals go through accounts.services (history + audit)."""

    form = SocialAccountAdminForm
    list_display = ["user", "platform", "handle", "proof_status", "proof_needs_check", "created_at"]
    list_filter = ["platform", "proof_status", "proof_needs_check"]
    search_fields = ["handle", "user__staff_id", "user__full_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["profile_url", *PROOF_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["user", "platform"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        account, _change = services.set_account(
            user=obj.user,
            platform=obj.platform,
            handle=form.cleaned_data["handle"],
            actor=request.user,
            via="admin",
        )
        obj.pk = account.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.remove_account(account=obj, actor=request.user, via="admin")

    def delete_queryset(self, request, queryset):
        for account in queryset:
            services.remove_account(account=account, actor=request.user, via="admin")


@admin.register(SocialAccountChange)
class SocialAccountChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "platform", "change", "old_handle", "handle", "via", "actor"]
    list_filter = ["platform", "change", "via"]
    search_fields = ["handle", "old_handle", "user__staff_id", "user__full_name"]
    list_select_related = ["user", "actor"]


# API tokens: the admin shows whose token it is and when it was issued, never the key
# (deleting one revokes it).
try:
    from rest_framework.authtoken.admin import TokenAdmin as DrfTokenAdmin
    from rest_framework.authtoken.models import TokenProxy

    admin.site.unregister(TokenProxy)

    @admin.register(TokenProxy)
    class TokenAdmin(DrfTokenAdmin):
        list_display = ("user", "created")
        fields = ("user",)
        search_fields = ("user__staff_id", "user__full_name")

        def has_change_permission(self, request, obj=None):
            return False
except admin.sites.NotRegistered:  # pragma: no cover
    pass
