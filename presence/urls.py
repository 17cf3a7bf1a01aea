"""presence's pages. (presence-core: required platforms, must-follow accounts, "I follow",
spot checks; the compliance report and follower growth add theirs below.)"""

from django.urls import path

from . import views

app_name = "presence"

urlpatterns = [
    path("presence/required-platforms/", views.required_platforms, name="required_platforms"),
    path("presence/must-follow/", views.must_follow, name="must_follow"),
    path("presence/must-follow/<int:pk>/edit/", views.must_follow_edit, name="must_follow_edit"),
    path("me/follows/<int:pk>/", views.follow, name="follow"),
    path(
        "presence/follows/<int:pk>/screenshot/",
        views.follow_screenshot,
        name="follow_screenshot",
    ),
    path("presence/spot-checks/", views.spot_checks, name="spot_checks"),
    path("presence/spot-checks/draw/", views.spot_check_draw, name="spot_check_draw"),
    path("presence/spot-checks/<int:pk>/mark/", views.spot_check_mark, name="spot_check_mark"),
    path(
        "presence/spot-checks/proofs/<int:pk>/decide/",
        views.proof_decide,
        name="proof_decide",
    ),
]
