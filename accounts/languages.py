"""Each person's language: chosen with the switch in the header, saved on the user,
applied on every device they log in from. Anonymous pages follow the browser
(Django's LocaleMiddleware, Accept-Language), then LANGUAGE_CODE."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import services

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def remember_language(response, language: str) -> None:
    """The language cookie, as Django's own switch sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """/i18n/setlang/: Django's switch (cookie, safe ``next`` redirect), and for a
    logged-in person the choice saved on the user too."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        isinstance(response, HttpResponseRedirect)
        and language in LANGUAGE_CODES
        and user.is_authenticated
    ):
        services.set_language(user=user, language=language)
    return response


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a logged-in person's saved language wins over
    the cookie and the browser, and the cookie follows it (so the login page's
    redirect already carries it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _saved_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        language = _saved_language(request)  # the view may have logged someone in
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            remember_language(response, language)
        return response


def apply_language_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the rest of this request speaks the saved language
    (the middleware then sets the cookie on its response)."""
    if request is not None and user.language in LANGUAGE_CODES:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language


def _saved_language(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    language = user.language
    return language if language in LANGUAGE_CODES else ""
