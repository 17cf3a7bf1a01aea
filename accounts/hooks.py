"""What the apps standing on accounts add to its pages, without accounts importing
them (accounts sits at the bottom: audit ← accounts ← campaigns ← … ← presence).

* **Page panels.** An app may add a panel to "My accounts" (``MY_ACCOUNTS``) or to
  the home page (``HOME``): ``add_panel(page, provider)`` in its ``AppConfig.ready``.
  ``provider(request)`` returns ``None`` (nothing to show) or a dict with a
  ``template`` (rendered with the page's context plus ``panel``, the dict itself).
  presence adds which platforms a person must have an account on and which
  official accounts they are asked to follow, with the "I follow" buttons.
* **Reserved handles.** The organisation's official accounts (campaigns) are nobody's
  own account: ``add_reserved_handles(provider)``, where ``provider(pairs)`` returns
  which of the (platform, lower-case handle) pairs are official, in one query.
"""

from __future__ import annotations

from collections.abc import Callable

MY_ACCOUNTS = "my_accounts"
HOME = "home"

_panels: dict[str, list[Callable]] = {MY_ACCOUNTS: [], HOME: []}


def add_panel(page: str, provider: Callable) -> None:
    providers = _panels[page]
    if provider not in providers:
        providers.append(provider)


_reserved_handle_providers: list[Callable] = []


def add_reserved_handles(provider: Callable) -> None:
    if provider not in _reserved_handle_providers:
        _reserved_handle_providers.append(provider)


def reserved_handles(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (platform, lower-case handle) ``pairs`` nobody may register."""
    reserved: set[tuple[str, str]] = set()
    if pairs:
        for provider in _reserved_handle_providers:
            reserved |= provider(pairs)
    return reserved


def panels(page: str, request) -> list[dict]:
    """The panels the registered apps give for ``page`` and this request, in order."""
    found = []
    for provider in _panels[page]:
        panel = provider(request)
        if panel:
            found.append(panel)
    return found
