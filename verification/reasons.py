"""The catalogue of reason codes: why a share has its status, in plain words.

Every status reason a member of staff sees comes from here; HR's own words in a
review or appeal decision are a parameter (``note``), shown as written inside the
reader's language. Each code has a message for
the person — what happened and what to do next — and a detail for HR; the share
stores the code and its parameters, never English text, so the message follows the
reader's language and can be improved without touching stored rows. The details of
each verification attempt (HTTP status, what the platform said) stay on the attempt
for HR.

``coded(code, **params)`` is what the verifier hands to campaigns' status-changing
services; it refuses an unknown code or a missing parameter at once, so a typo
fails in the tests and never reaches a person. Parameters are JSON values:
``platform`` is a platform code (shown by its name), the rest strings or numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from campaigns import platforms
from campaigns.reasons import Coded, Described

SCREENSHOT = "screenshot"
ACCOUNTS = "accounts"
APPEAL = "appeal"


@dataclass(frozen=True)
class Reason:
    staff: str  # lazy translation; %(name)s placeholders
    hr: str
    action: str = ""  # what the person can do: "", SCREENSHOT, ACCOUNTS or APPEAL


CATALOGUE: dict[str, Reason] = {
    # --- verified -------------------------------------------------------------------
    "verified.evidence": Reason(
        _("Verified: %(platform)s shows the post, by your registered account."),
        _("%(platform)s confirms the post and its author, the registered account."),
    ),
    "verified.checks": Reason(
        _("Verified: the link is %(a_platform)s post."),
        _("Structural checks passed and the share was not drawn for review."),
    ),
    # --- in review: nothing wrong, HR looks ---------------------------------------------
    "review.policy": Reason(
        _("HR checks every %(platform)s share. Nothing to do: HR will look at it soon."),
        _("The %(platform)s policy sends every share to review."),
        SCREENSHOT,
    ),
    "review.sampled": Reason(
        _(
            "Picked at random for a check by HR, as a share of all %(platform)s shares are. "
            "Nothing to do: HR will look at it soon."
        ),
        _("Structural checks passed; drawn for review by the %(platform)s sample policy."),
        SCREENSHOT,
    ),
    "review.not_checked": Reason(
        _(
            "%(platform)s could not be checked automatically, so HR will look at the share. "
            "You may attach a screenshot of your post to help."
        ),
        _("Network checks are off: the %(platform)s policy needs evidence from %(platform)s."),
        SCREENSHOT,
    ),
    "review.not_visible": Reason(
        _(
            "%(platform)s did not let us see the post (it asked for a login or limited our "
            "checks), so HR will look at it. You may attach a screenshot of your post to help."
        ),
        _("%(platform)s showed no conclusive answer (login wall, captcha, block or refusal)."),
        SCREENSHOT,
    ),
    "review.unreachable": Reason(
        _(
            "%(platform)s could not be reached after %(tries)s tries, so HR will look at the "
            "share. You may attach a screenshot of your post to help."
        ),
        _("%(platform)s could not be reached after %(tries)s tries."),
        SCREENSHOT,
    ),
    "review.author_unchecked": Reason(
        _(
            "%(platform)s shows that the post exists but not who wrote it, so HR will look "
            "at it. You may attach a screenshot that shows your account on the post."
        ),
        _("The post exists; its author could not be compared with the registered account."),
        SCREENSHOT,
    ),
    "review.short_link": Reason(
        _(
            "The short link could not be opened automatically, so HR will look at it. "
            "You may attach a screenshot of your post to help."
        ),
        _("The %(platform)s short link could not be expanded to a post."),
        SCREENSHOT,
    ),
    "review.short_link_elsewhere": Reason(
        _("This %(platform)s short link leads to %(an_other)s post, so HR will look at it."),
        _("The %(platform)s short link leads to %(an_other)s post."),
    ),
    # --- in review: something the person can put right -------------------------------
    "review.no_account": Reason(
        _(
            "You have no %(platform)s account registered, so nobody can tell yet that the "
            "post is yours. Add your account in My accounts; HR will look at the share."
        ),
        _("The post is by @%(author)s; the person has no registered %(platform)s account."),
        ACCOUNTS,
    ),
    "review.author_not_yours": Reason(
        _(
            "The link shows the post is by @%(author)s, but your registered %(platform)s "
            "account is @%(handle)s. HR will look at it; if @%(author)s is yours, update "
            "My accounts."
        ),
        _(
            "The link names the author @%(author)s; the registered %(platform)s account is "
            "@%(handle)s."
        ),
        ACCOUNTS,
    ),
    # --- rejected --------------------------------------------------------------------
    "rejected.invalid": Reason(
        _("This link is not a post that can count: %(error)s"),
        _("Structural check failed: %(error)s"),
    ),
    "rejected.duplicate": Reason(
        _(
            "This post was already logged (by you or by someone else). Log the link of your "
            "own share instead; if you think this is a mistake, appeal."
        ),
        _("The short link leads to a post already logged as another share."),
        APPEAL,
    ),
    "rejected.official_post": Reason(
        _(
            "The link leads to the official post, not to your share. Share it from your own "
            "account, then log the link of your share."
        ),
        _("The short link leads to an official post of a campaign."),
    ),
    "rejected.gone": Reason(
        _(
            "%(platform)s says the post does not exist (deleted, private or a wrong link). "
            "If your post is public, appeal with a screenshot."
        ),
        _("%(platform)s says the post does not exist."),
        APPEAL,
    ),
    "rejected.link_gone": Reason(
        _(
            "The short link leads nowhere. Log the full link of your post instead; if you "
            "think this is a mistake, appeal."
        ),
        _("The %(platform)s short link answered that it leads nowhere."),
        APPEAL,
    ),
    "rejected.author": Reason(
        _(
            "%(platform)s shows the post is by @%(author)s, not by your registered account "
            "%(handles)s. If @%(author)s is yours, update My accounts and appeal."
        ),
        _("%(platform)s names the author @%(author)s, not the registered %(handles)s."),
        APPEAL,
    ),
    # --- decided by HR: their words ride along as ``note`` ---------------------------
    "reviewed.approved": Reason(
        _("Approved by HR in review."),
        _("Approved in review."),
    ),
    "reviewed.approved_note": Reason(
        _("Approved by HR in review: %(note)s"),
        _("Approved in review: %(note)s"),
    ),
    "reviewed.rejected": Reason(
        _("Rejected by HR in review: %(note)s"),
        _("Rejected in review: %(note)s"),
        APPEAL,
    ),
    "appeal.verified": Reason(
        _("Verified on appeal: %(note)s"),
        _("Verified on appeal: %(note)s"),
    ),
    # --- removed ---------------------------------------------------------------------
    "removed.gone": Reason(
        _(
            "Your post was no longer on %(platform)s at a later check. If it is still there, "
            "appeal with a screenshot."
        ),
        _("A re-check found the post gone from %(platform)s."),
        APPEAL,
    ),
}


def _arguments(params: Mapping[str, object]) -> dict[str, object]:
    """Stored parameters as the texts show them: platform codes become names, and
    ``a_platform`` / ``an_other`` the name with its article ("an X (Twitter) post")."""
    arguments = dict(params)
    if "platform" in arguments:
        arguments["a_platform"] = platforms.with_article(str(arguments["platform"]))
    if "other" in arguments:
        arguments["an_other"] = platforms.with_article(str(arguments["other"]))
    if "platform" in arguments:
        arguments["platform"] = platforms.PLATFORM_LABELS.get(
            str(arguments["platform"]), arguments["platform"]
        )
    if "other" in arguments:
        arguments["other"] = platforms.PLATFORM_LABELS.get(
            str(arguments["other"]), arguments["other"]
        )
    return arguments


def coded(code: str, **params: object) -> Coded:
    """A reason for campaigns' services; ValueError for an unknown code or parameter."""
    reason = CATALOGUE.get(code)
    if reason is None:
        raise ValueError(f"unknown reason code {code!r}")
    arguments = _arguments(params)
    try:
        str(reason.staff) % arguments
        str(reason.hr) % arguments
    except KeyError as exc:
        raise ValueError(f"reason {code!r} needs the parameter {exc.args[0]}") from None
    return Coded(code, params)


def describe(code: str, params: Mapping[str, object]) -> Described:
    """How a stored code reads now, in the active language. A code no longer in the
    catalogue (an older release's) reads as a neutral line rather than an error."""
    reason = CATALOGUE.get(code)
    if reason is None:
        return Described(str(_("Status changed by an automatic check.")), code)
    arguments = _arguments(params)
    try:
        return Described(str(reason.staff) % arguments, str(reason.hr) % arguments, reason.action)
    except (KeyError, TypeError, ValueError):  # parameters of an older release
        return Described(str(_("Status changed by an automatic check.")), code, reason.action)
