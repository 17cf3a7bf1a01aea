"""Campaign and share endpoints under /api/v1/.

``shares/<id>/`` and ``shares/<id>/review/`` live in verification.api_urls."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("campaigns", api.CampaignViewSet, basename="campaign")
router.register("shares", api.ShareViewSet, basename="share")

urlpatterns = router.urls
