"""The API's orjson renderer and parser give DRF's own bytes and errors (issue 15)."""

import datetime
import decimal
import io
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from sharekpi.json_api import ORJSONParser, ORJSONRenderer

SAMPLES = [
    None,
    {"ok": True, "n": 1, "f": 1.5, "none": None, "list": [1, "a", {"b": []}]},
    {"when": datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)},
    {"when": datetime.datetime(2026, 1, 2, 3, 4, 5)},
    {"day": datetime.date(2026, 1, 2), "time": datetime.time(3, 4, 5, 600)},
    {"lazy": gettext_lazy("Invalid token."), "decimal": decimal.Decimal("1.25")},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"text": "Malaysia \u2028 line \u2029 para, ünïcode, emoji \U0001f600"},
    {"big": 2**70, "tuple": (1, 2)},
    [{"a": 1}, {"a": 2}],
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_renderer_writes_drfs_bytes(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indented_output_is_drfs():
    media = "application/json; indent=4"
    data = {"a": [1, 2]}
    assert ORJSONRenderer().render(data, media, {}) == JSONRenderer().render(data, media, {})


@pytest.mark.parametrize(
    "body",
    [
        b'{"campaign": 1, "url": "https://x.com/a/status/1"}',
        b'{"big": 123456789012345678901234567890}',
        '{"lone": "\\ud800", "text": "\u00fc"}'.encode(),
        b"[1, 2.5, null, true]",
    ],
)
def test_the_parser_reads_what_drfs_reads(body):
    assert ORJSONParser().parse(io.BytesIO(body)) == JSONParser().parse(io.BytesIO(body))


@pytest.mark.parametrize("body", [b"", b"{", b"NaN", b'{"a": Infinity}', b"\xff", b"{'a': 1}"])
def test_a_bad_body_gets_drfs_parse_error(body):
    with pytest.raises(ParseError) as drf:
        JSONParser().parse(io.BytesIO(body))
    with pytest.raises(ParseError) as ours:
        ORJSONParser().parse(io.BytesIO(body))
    assert str(ours.value.detail) == str(drf.value.detail)


def test_a_long_number_inside_a_string_is_read_all_the_same():
    body = (
        b'{"url": "https://x.com/a/status/1800000000000000000001", "n": [1, 12345678901234567890]}'
    )
    assert ORJSONParser().parse(io.BytesIO(body)) == JSONParser().parse(io.BytesIO(body))
