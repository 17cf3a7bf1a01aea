"""Why a share has its status, as the person and HR read it.

A share's reason is either a **code** from the catalogue of reason codes (with its
parameters: ``Share.status_code`` and ``Share.status_params``), written by the
verifier, or **HR's own words** (``Share.status_reason``), kept as written.

The catalogue lives with the rules that choose the codes, in verification.reasons.
campaigns sits below verification and must not import it, so verification
registers its catalogue here when Django starts (``register``) and campaigns'
pages ask this module how a share's reason reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple


class Coded(NamedTuple):
    """A reason code and its parameters (JSON: strings and numbers)."""

    code: str
    params: Mapping[str, object] = {}


class Described(NamedTuple):
    """How one reason reads: for the person (what happened, what to do next), for HR
    (the detail), and what the person can do about it: "" (nothing), "screenshot",
    "accounts" (register an account) or "appeal"."""

    staff: str
    hr: str
    action: str = ""


# A reason as the status-changing services take it: HR's words, or a code.
Reason = str | Coded

_describe: Callable[[str, Mapping[str, object]], Described] | None = None


def register(describe: Callable[[str, Mapping[str, object]], Described]) -> None:
    """Install the catalogue (verification's AppConfig.ready)."""
    global _describe
    _describe = describe


def describe(share) -> Described:
    """How the reason of a Share reads; HR's words read the same for everyone. (The
    share is not annotated: models imports this module.)"""
    if share.status_code and _describe is not None:
        return _describe(share.status_code, share.status_params or {})
    return Described(share.status_reason, share.status_reason)


def fields(reason: Reason) -> tuple[str, str, dict]:
    """``(status_reason, status_code, status_params)`` for a reason."""
    if isinstance(reason, Coded):
        return "", reason.code, dict(reason.params)
    return reason, "", {}
