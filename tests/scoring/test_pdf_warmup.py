"""A web process warms WeasyPrint and its fonts when it starts (sharekpi/wsgi.py),
so the first report PDF is no slower than the next; other processes (management
commands, Celery, tests) do not pay for it."""

import os
import subprocess
import sys
from pathlib import Path

from scoring import reports

ROOT = Path(__file__).resolve().parents[2]


def python(code: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sharekpi.settings", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_warm_pdf_renders_without_error(caplog):
    assert reports.warm_pdf() > 0
    assert "PDF warm-up failed" not in caplog.text


def test_only_the_web_process_warms_weasyprint():
    setup_only = "import sys, django; django.setup(); print('weasyprint' in sys.modules)"
    assert python(setup_only) == "False"
    web = "import sys, sharekpi.wsgi; print('weasyprint' in sys.modules)"
    assert python(web) == "True"
