from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="Staff ID or email")
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
                "Unable to log in with those credentials.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class ObtainToken(ObtainAuthToken):
    """POST {username, password} → {token}; then send ``Authorization: Token …``."""

    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
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

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        """Log out the token: the caller's token is deleted (send it in Authorization)."""
        from rest_framework.authtoken.models import Token

        if not request.user.is_authenticated:
            return Response(status=401)
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
