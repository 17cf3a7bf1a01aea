"""Placeholder replaced by the verification work (issue 4)."""


def run(*, share_id: int, task_id: str = "") -> None:
    raise NotImplementedError
