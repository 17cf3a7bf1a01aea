from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

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
