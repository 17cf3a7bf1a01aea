"""What campaigns announces to the apps that stand on it.

``share_status_changed`` is sent once per status change, after the change is
saved, with ``share``, ``old_status`` and ``new_status``. scoring listens to it;
campaigns never imports scoring.
"""

from django.dispatch import Signal

share_status_changed = Signal()
