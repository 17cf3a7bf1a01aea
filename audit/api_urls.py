"""Audit endpoints under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("audit/", api.AuditEntryList.as_view(), name="audit-list"),
]
