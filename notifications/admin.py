from django.contrib import admin

from .models import NotificationOptOut, NotificationSent


@admin.register(NotificationOptOut)
class NotificationOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__staff_id", "user__full_name")
    raw_id_fields = ("user",)


@admin.register(NotificationSent)
class NotificationSentAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "key", "sent_at")
    list_filter = ("kind",)
    search_fields = ("user__staff_id", "key")
    raw_id_fields = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
