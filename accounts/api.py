from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import OrgUnit
from .serializers import (
    OrgUnitSerializer,
    ProofStatusSerializer,
    SocialAccountRequestSerializer,
    SocialAccountSerializer,
)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text=gettext_lazy("Staff ID or email"))
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        from django.contrib.auth import authenticate

        request = self.context.get("request")
        # The Django request, so that django-axes marks a lock-out where its
        # middleware sees it (and answers 429 JSON, accounts/lockout.py).
        user = authenticate(
            request=getattr(request, "_request", request),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                _("Unable to log in with those credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class ObtainToken(ObtainAuthToken):
    """POST {username, password} → {token}; then send ``Authorization: Token …``."""

    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            429: OpenApiResponse(
                inline_serializer("LockedOut", {"detail": serializers.CharField()}),
                description="Too many failed log-ins for this account or from this address: "
                "locked for a while (HR can unlock).",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        from rest_framework.authtoken.models import Token

        from .authentication import token_expired

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):  # an expired token is replaced, never handed out again
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={
            204: None,
            401: OpenApiResponse(
                inline_serializer("NoToken", {"detail": serializers.CharField()}),
                description="No valid token in Authorization.",
            ),
        },
    )
    def delete(self, request, *args, **kwargs):
        """Log out the token: the caller's token is deleted (send it in Authorization)."""
        from rest_framework.authtoken.models import Token

        if not request.user.is_authenticated:
            return Response(
                {"detail": _("Send the token to log out in Authorization.")}, status=401
            )
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)

    def get_authenticators(self):
        from .authentication import TokenAuthentication

        return [TokenAuthentication()]


class MyDataView(APIView):
    """``GET /api/v1/me/data/``: one JSON document of everything held about the caller."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Everything ShareKPI holds about me, as one JSON document",
        responses={
            (200, "application/json"): OpenApiResponse(
                description="`{format, generated_at, profile, accounts, shares, scores, "
                "audit_entries, …}`, streamed, as a file download."
            )
        },
    )
    def get(self, request):
        from .views import personal_data_response

        return personal_data_response(request.user)


# --- my accounts --------------------------------------------------------------------------


def _serialize(request, accounts, *, many: bool):
    code = services.proof_code_for(request.user).code
    return SocialAccountSerializer(accounts, many=many, context={"proof_code": code}).data


class MyAccountList(APIView):
    """GET: my accounts; POST {platform, handle}: register one (a handle or a profile link).

    201 with the account (added, or replacing my account on that platform; 200 when it
    was already mine); 400 ``{handle: [...]}`` when it is not a profile (a post or a
    hashtag link says so); 409 ``{detail}`` when someone else holds it.
    """

    @extend_schema(responses=SocialAccountSerializer(many=True))
    def get(self, request):
        return Response(_serialize(request, selectors.accounts_of(request.user), many=True))

    @extend_schema(
        request=SocialAccountRequestSerializer,
        responses={201: SocialAccountSerializer, 200: SocialAccountSerializer},
    )
    def post(self, request):
        given = SocialAccountRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            account, change = services.set_account(
                user=request.user,
                platform=given.validated_data["platform"],
                handle=given.validated_data["handle"],
                actor=request.user,
            )
        except services.AccountRefused as exc:
            if exc.taken:
                return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
            return Response({exc.field: [exc.message]}, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if change else status.HTTP_200_OK
        return Response(_serialize(request, account, many=False), status=code)


def _my_account(request, pk: int):
    return get_object_or_404(selectors.accounts_of(request.user), pk=pk)


class MyAccountDetail(APIView):
    """GET: one of my accounts; DELETE: remove it (204; the history keeps it)."""

    @extend_schema(responses=SocialAccountSerializer)
    def get(self, request, pk: int):
        return Response(_serialize(request, _my_account(request, pk), many=False))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.remove_account(account=_my_account(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAccountProve(APIView):
    """POST: queue the bio-code check of my account; 202 ``{proof_status}``
    (503 when the queue cannot be reached: try again later)."""

    @extend_schema(request=None, responses={202: ProofStatusSerializer})
    def post(self, request, pk: int):
        account = _my_account(request, pk)
        if not services.request_proof(account=account):
            return Response(
                {"detail": _("The check could not be queued just now; try again in a minute.")},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"proof_status": account.proof_status}, status=status.HTTP_202_ACCEPTED)


# --- the org tree -------------------------------------------------------------------------


class UnitList(generics.ListAPIView):
    """``GET /api/v1/units/``: the org tree, in path order, paginated; ``?under=`` (a
    unit's id or path) narrows it to that unit and everything below it."""

    serializer_class = OrgUnitSerializer
    permission_classes = [IsAuthenticated]
    queryset = OrgUnit.objects.none()  # for the schema; get_queryset reads the tree

    @extend_schema(
        summary="The org tree",
        parameters=[
            OpenApiParameter(
                "under",
                str,
                description="A unit's id or path: that unit and the units below it.",
            )
        ],
        responses={
            200: OrgUnitSerializer(many=True),
            400: OpenApiResponse(description="`{under: [...]}`: no such unit."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        try:
            return selectors.org_tree(under=self.request.query_params.get("under"))
        except selectors.UnknownUnit as exc:
            raise serializers.ValidationError(
                {"under": [_("No unit has the id or path %(unit)s.") % {"unit": str(exc)[:200]}]}
            ) from exc
