from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("me/notifications/", views.notification_preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
