"""Dashboard tests use the scoring tests' organisation and helpers (see
tests/scoring/conftest.py)."""

from tests.scoring.conftest import (
    KL,
    local,
    make_campaign,
    org,
    organisation_settings,
    set_status,
)

__all__ = ["KL", "local", "make_campaign", "org", "organisation_settings", "set_status"]
