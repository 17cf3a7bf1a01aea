"""The platform URL rules, as campaigns has always imported them.

The rules themselves live in :mod:`sharekpi.platforms` (pure functions, no
Django, no I/O), so that accounts, which sits below campaigns, can parse
profile links too. Every name of that module, public or not, is reachable
here: ``from campaigns import platforms`` and ``from campaigns.platforms
import parse`` keep working unchanged.
"""

from sharekpi import platforms as _rules
from sharekpi.platforms import *  # noqa: F403 - the re-export is the point
from sharekpi.platforms import __all__  # noqa: F401


def __getattr__(name: str):
    """Module constants that are not in ``__all__`` (CANONICAL_HOSTS, HANDLE_PATTERNS, ...)."""
    return getattr(_rules, name)
