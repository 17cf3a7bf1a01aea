"""Verification tests use the campaign tests' world: org, campaign, status_changes and
the local fake platform server (see tests/campaigns/conftest.py)."""

from tests.campaigns.conftest import campaign, fake_platform, org, status_changes

__all__ = ["campaign", "fake_platform", "org", "status_changes"]
