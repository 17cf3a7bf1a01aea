"""The daily follower fetch through the platforms' official APIs, against the local
fake platform server: with a key, without one, and when the API says no."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.utils import timezone

from presence import followers_api, tasks
from presence.models import FollowerApiKey, FollowerSnapshot, SnapshotSource
from verification import fetch

pytestmark = pytest.mark.django_db

YT_KEY = "AIzaFAKE-youtube-key-123"
X_TOKEN = "AAAAFAKE-bearer-token-456"


@pytest.fixture
def apis(fake_platform):
    fake_platform.serve("www.googleapis.com", "api.x.com")
    # Allowed for the follower fetch only, not as platform hosts for every link.
    fake_platform.settings.SHAREKPI_FETCH_EXTRA_HOSTS = []
    fake_platform.youtube_api(YT_KEY, {"@provincetv": 12_345, "@hidden": None})
    fake_platform.x_api(X_TOKEN, {"governor": 8_582})
    return fake_platform


def snapshot_of(account):
    return FollowerSnapshot.objects.get(official_account=account, taken_on=timezone.localdate())


def test_without_a_key_nothing_is_fetched(apis, channel, governor):
    assert tasks.fetch_follower_counts() == {"fetched": 0, "stored": 0, "failed": 0}
    assert apis.requests == []
    assert not FollowerSnapshot.objects.exists()


def test_a_disabled_key_fetches_nothing(apis, channel):
    FollowerApiKey.objects.create(platform="youtube", secret=YT_KEY, enabled=False)
    followers_api.fetch_all()
    assert apis.requests == []


def test_youtube_subscribers_with_an_api_key(apis, channel):
    FollowerApiKey.objects.create(platform="youtube", secret=YT_KEY)
    assert tasks.fetch_follower_counts() == {"fetched": 1, "stored": 1, "failed": 0}
    snapshot = snapshot_of(channel)
    assert (snapshot.followers, snapshot.source) == (12_345, SnapshotSource.API)
    (request,) = apis.requests
    assert request.host == "www.googleapis.com"
    assert request.path.startswith("/youtube/v3/channels?")
    assert "part=statistics" in request.path and "forHandle=%40provincetv" in request.path
    key = FollowerApiKey.objects.get()
    assert key.last_fetch_at is not None and key.last_error == ""


def test_x_followers_with_a_bearer_token(apis, governor):
    FollowerApiKey.objects.create(platform="x", secret=X_TOKEN)
    followers_api.fetch_all()
    assert snapshot_of(governor).followers == 8_582
    (request,) = apis.requests
    assert request.host == "api.x.com"
    assert request.path == "/2/users/by/username/governor?user.fields=public_metrics"
    assert request.headers["Authorization"] == f"Bearer {X_TOKEN}"


def test_a_wrong_key_is_an_error_without_the_key_in_it(apis, channel, governor, caplog):
    FollowerApiKey.objects.create(platform="youtube", secret="wrong-key-789")
    FollowerApiKey.objects.create(platform="x", secret="wrong-token-000")
    with caplog.at_level(logging.INFO):
        outcome = tasks.fetch_follower_counts()
    assert outcome == {"fetched": 0, "stored": 0, "failed": 2}
    assert not FollowerSnapshot.objects.exists()
    errors = dict(FollowerApiKey.objects.values_list("platform", "last_error"))
    assert "refused the key" in errors["youtube"] and "refused the key" in errors["x"]
    for secret in ("wrong-key-789", "wrong-token-000"):
        assert secret not in caplog.text
        assert all(secret not in e for e in errors.values())


def test_unknown_account_and_hidden_count_are_errors(apis, governor, channel):
    governor.handle = "nobody"
    governor.save()
    channel.handle = "hidden"
    channel.save()
    FollowerApiKey.objects.create(platform="x", secret=X_TOKEN)
    FollowerApiKey.objects.create(platform="youtube", secret=YT_KEY)
    outcomes = {o.official_account.platform: o for o in followers_api.fetch_all()}
    assert "no user" in outcomes["x"].error
    assert "hides" in outcomes["youtube"].error
    assert not FollowerSnapshot.objects.exists()


def test_rate_limit_and_server_errors_are_temporary(apis, governor):
    apis.too_many_requests("api.x.com", "/2/users/by/username/*")
    with pytest.raises(followers_api.FollowerApiError) as caught:
        followers_api.x_followers("governor", X_TOKEN)
    assert caught.value.temporary
    apis.route("api.x.com", "/2/users/by/username/*", status=503, json={"title": "down"})
    with pytest.raises(followers_api.FollowerApiError) as caught:
        followers_api.x_followers("governor", X_TOKEN)
    assert caught.value.temporary


def test_not_json_is_an_error(apis):
    apis.route("api.x.com", "/2/users/by/username/*", body=b"<html>hi</html>")
    with pytest.raises(followers_api.FollowerApiError, match="without JSON"):
        followers_api.x_followers("governor", X_TOKEN)


def test_a_count_hr_entered_today_is_kept(apis, governor, hr):
    FollowerSnapshot.objects.create(
        official_account=governor, taken_on=timezone.localdate(), followers=8_000, entered_by=hr
    )
    FollowerApiKey.objects.create(platform="x", secret=X_TOKEN)
    assert tasks.fetch_follower_counts()["stored"] == 0
    assert snapshot_of(governor).followers == 8_000


def test_a_second_run_the_same_day_replaces_the_api_count(apis, governor):
    FollowerApiKey.objects.create(platform="x", secret=X_TOKEN)
    followers_api.fetch_all()
    apis.x_api(X_TOKEN, {"governor": 8_600})
    followers_api.fetch_all()
    assert FollowerSnapshot.objects.count() == 1
    assert snapshot_of(governor).followers == 8_600


def test_api_hosts_come_from_the_setting(apis, governor, settings):
    settings.SHAREKPI_FOLLOWER_API_HOSTS = []
    FollowerApiKey.objects.create(platform="x", secret=X_TOKEN)
    (outcome,) = followers_api.fetch_all()
    assert "not a platform host" in outcome.error
    assert apis.requests == []


def test_api_hosts_are_not_open_to_other_fetches(apis):
    """A link a person pastes never reaches the API hosts: they are allowed for the
    follower fetch alone."""
    with pytest.raises(fetch.BlockedUrl):
        fetch.fetch("https://api.x.com/2/users/by/username/governor")


def test_the_bearer_token_does_not_follow_a_redirect(fake_platform):
    fake_platform.serve("api.x.com", "www.googleapis.com")
    fake_platform.redirect("api.x.com", "/start", "https://www.googleapis.com/next")
    fake_platform.route("www.googleapis.com", "/next", json={})
    fetch.fetch(
        "https://api.x.com/start",
        headers={"Authorization": "Bearer secret"},
        extra_hosts=("api.x.com",),
    )
    first, second = fake_platform.requests
    assert first.headers["Authorization"] == "Bearer secret"
    assert second.headers.get("Authorization") is None


def test_network_off_fetches_nothing(apis, governor, settings):
    settings.SHAREKPI_VERIFY_NETWORK = False
    FollowerApiKey.objects.create(platform="x", secret=X_TOKEN)
    assert followers_api.fetch_all() == []
    assert apis.requests == []


def test_beat_runs_the_fetch_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["presence-fetch-follower-counts"]
    assert entry["task"] == "presence.tasks.fetch_follower_counts"
    assert entry["schedule"] == datetime.timedelta(days=1).total_seconds()
