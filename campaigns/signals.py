"""What campaigns announces to the apps that stand on it.

``share_status_changed`` is sent once per status change, after the change is
saved and inside its transaction, with ``share``, ``old_status`` and
``new_status``. A new share announces itself with ``old_status=None`` and
``new_status="pending"``. scoring listens to it;
campaigns never imports scoring.
"""

from django.dispatch import Signal

share_status_changed = Signal()
