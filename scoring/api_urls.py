from django.urls import path

from . import api

urlpatterns = [
    path("scores/", api.ScoreList.as_view(), name="score-list"),
    path("scores/me/", api.MyScore.as_view(), name="score-me"),
    path(
        "scoring-schemes/<int:year>/",
        api.ScoringSchemeDetail.as_view(),
        name="scoring-scheme-detail",
    ),
]
