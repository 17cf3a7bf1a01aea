from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="Staff ID or email")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        from django.contrib.auth import authenticate

        user = authenticate(
            request=self.context.get("request"),
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
        return super().post(request, *args, **kwargs)


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
