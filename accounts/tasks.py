from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_set_password_links(staff_ids: list[str], base_url: str) -> None:
    users = services.new_staff_without_password(staff_ids)
    services.send_set_password_links(users=users, base_url=base_url)
