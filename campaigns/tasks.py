from celery import shared_task

from . import verification


@shared_task(bind=True, acks_late=True, ignore_result=True)
def verify_share(self, share_id: int) -> None:
    verification.run(share_id=share_id, task_id=self.request.id or "")
