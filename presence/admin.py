"""Admin of presence. Follower growth's registrations live in growth_admin."""

from . import growth_admin  # noqa: F401
