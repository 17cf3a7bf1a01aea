"""Fixtures for campaign tests.

``fake_platform``: a local server playing the social platforms (see
tests/fakeplatform.py); ``fake_platform.serve("www.tiktok.com")`` points
campaigns.fetch at it for that host.
"""

from tests.fakeplatform import fake_platform

__all__ = ["fake_platform"]
