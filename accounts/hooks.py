"""What the apps standing on accounts add to its pages, without accounts importing
them (accounts sits at the bottom: audit ← accounts ← campaigns ← … ← presence).

* **Page panels.** An app may add a panel to "My accounts" (``MY_ACCOUNTS``) or to
  the home page (``HOME``): ``add_panel(page, provider)`` in its ``AppConfig.ready``.
  ``provider(request)`` returns ``None`` (nothing to show) or a dict with a
  ``template`` (rendered with the page's context plus ``panel``, the dict itself).
  presence adds which platforms a person must have an account on and which
  official accounts they are asked to follow, with the "I follow" buttons.
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


def panels(page: str, request) -> list[dict]:
    """The panels the registered apps give for ``page`` and this request, in order."""
    found = []
    for provider in _panels[page]:
        panel = provider(request)
        if panel:
            found.append(panel)
    return found
