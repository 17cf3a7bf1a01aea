from django.contrib import admin

from sharekpi.readonly_admin import ReadOnlyAdmin

from .models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Written by the workers themselves (health checks read it): look, never edit."""

    list_display = ["worker", "seen_at"]
    search_fields = ["worker"]
