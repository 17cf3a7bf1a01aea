from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import OrgUnit, SocialAccount, User


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 0


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
        ("Person", {"fields": ["full_name", "email", "unit", "manager", "role", "is_active"]}),
        ("Permissions", {"fields": ["is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
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


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "platform", "handle", "created_at"]
    list_filter = ["platform"]
    search_fields = ["handle", "user__staff_id", "user__full_name"]
    autocomplete_fields = ["user"]


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
