"""System checks for settings that can be wrong in a way tests would not show."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_fake_platform_map(app_configs, **kwargs):
    """The fake-platform host map sends platform traffic to loopback: tests only."""
    if settings.SHAREKPI_FETCH_TEST_HOST_MAP and not settings.DEBUG:
        return [
            Warning(
                "SHAREKPI_FETCH_TEST_HOST_MAP is set: verification requests go to a local "
                "fake server instead of the platforms.",
                hint="Unset SHAREKPI_FETCH_TEST_HOST_MAP outside the test suite.",
                id="verification.W001",
            )
        ]
    return []
