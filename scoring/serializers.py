from rest_framework import serializers

from .bands import Band


class BandSerializer(serializers.Serializer):
    # No min_value here: scoring.bands.validate explains negative numbers in words.
    min_shares = serializers.IntegerField()
    max_shares = serializers.IntegerField(
        allow_null=True, help_text="null = open-ended (the top band)."
    )
    points = serializers.IntegerField()

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return Band(values["min_shares"], values["max_shares"], values["points"])


class ScoringSchemeSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    closed = serializers.BooleanField(read_only=True)
    bands = BandSerializer(many=True, allow_empty=True)


class ScoreRowSerializer(serializers.Serializer):
    staff_id = serializers.CharField()
    full_name = serializers.CharField()
    unit = serializers.CharField(allow_null=True, help_text="Unit path, e.g. HQ/Comms.")
    verified_shares = serializers.IntegerField()
    points = serializers.IntegerField()


class MyScoreSerializer(serializers.Serializer):
    staff_id = serializers.CharField()
    full_name = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    verified_shares = serializers.IntegerField(
        help_text="Distinct campaigns with a verified share in the KPI year and campaign window."
    )
    points = serializers.IntegerField()
    scheme_version = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    year_closed = serializers.BooleanField()
    band = BandSerializer(help_text="The band the count falls in.")
    shares_to_next_band = serializers.IntegerField(
        allow_null=True, help_text="More verified shares needed for more points; null at the top."
    )
    next_band_points = serializers.IntegerField(allow_null=True)
