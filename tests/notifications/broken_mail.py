"""A mail backend whose server is down (for tests)."""

from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("mail server down")

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")
