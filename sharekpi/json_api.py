"""The API's JSON renderer and parser on orjson: the same bytes as DRF's own
(compact, UTF-8, U+2028/U+2029 escaped, datetimes and the rest through DRF's
encoder), in a fraction of the time. Whatever orjson will not take (integers
beyond 64 bits, indented output for the browsable API, a charset other than
UTF-8, or input it refuses) goes to DRF's stdlib implementation, so every answer
and every parse error reads as before.
"""

from __future__ import annotations

import io
import re

import orjson
from rest_framework import parsers, renderers
from rest_framework.utils import encoders

# orjson reads an integer beyond 64 bits as a float; Python's json keeps it exact. A
# number token of 19 digits or more goes to DRF's parser (so may a string that looks
# like one: only slower, never different).
_LONG_NUMBER = re.compile(rb"(?:^|[:,\[\s])\s*-?[0-9]{19,}")
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_encoder = encoders.JSONEncoder()


def _default(obj):
    return _encoder.default(obj)


class ORJSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if (
            self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            ret = orjson.dumps(data, default=_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            # Too big an integer, a key that is not a string, …: DRF's own answer
            # (or its own error).
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in ret or b"\xe2\x80\xa9" in ret:
            ret = ret.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return ret


class ORJSONParser(parsers.JSONParser):
    renderer_class = ORJSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        if encoding.lower().replace("_", "-") != "utf-8" or not self.strict:
            return super().parse(stream, media_type, parser_context)
        body = stream.read()
        if _LONG_NUMBER.search(body):
            return super().parse(io.BytesIO(body), media_type, parser_context)
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            # DRF's parser says what is wrong, in its own words (or takes what orjson
            # does not: lone surrogates).
            return super().parse(io.BytesIO(body), media_type, parser_context)
