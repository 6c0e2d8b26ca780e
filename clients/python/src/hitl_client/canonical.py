"""RFC 8785 (JCS) canonical JSON: the bytes the contract signs and hashes.

Implemented for what JSON parsing in Python yields (``json.loads``): ``dict`` with ``str``
names, ``list`` (and ``tuple``), ``str``, ``int``, ``float``, ``bool`` and ``None``.

- Members are sorted by their names' UTF-16 code units (not by code points: U+1F600 sorts
  before U+FB33, as its first code unit is 0xD83D), with no whitespace.
- Strings are escaped as ECMAScript's ``JSON.stringify`` escapes them: ``"``, ``\\``,
  ``\\b \\f \\n \\r \\t``, other controls below U+0020 as ``\\u00xx``, lone UTF-16 surrogates
  as ``\\udxxx``; everything else as it is (UTF-8 in the bytes).
- Numbers as ECMAScript's ``Number::toString`` prints them (RFC 8785, section 3.2.2.3):
  integers below 2**53 as they are; other numbers through their shortest round-trip digits
  (Python's ``repr`` picks the same digits), in exponent form from 1e21 up and below 1e-6.
  ``-0`` prints as ``0``. An integer of 2**53 or more prints as the double it is closest
  to, which is what JavaScript makes of it when it parses the same JSON.

NaN, infinities and integers beyond a double have no JSON form the contract admits and are
refused (``ValueError``), as is anything that is not a JSON value (``TypeError``).

The TypeScript services use the ``canonicalize`` package; tests/vectors/vectors.json holds
its output for awkward values, and the tests compare this implementation with it.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["canonical_json", "canonical_bytes", "ecmascript_number"]

_SAFE_INTEGER = 2**53

# What JSON.stringify escapes: the quote, the backslash, controls and lone surrogates.
_ESCAPED = re.compile('["\\\\\x00-\x1f\ud800-\udfff]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _SHORT.get(char) or f"\\u{ord(char):04x}"


def _string(text: str) -> str:
    # A high surrogate followed by a low one (possible in a Python str built by hand) is one
    # character in JavaScript: pair them first, so that only lone surrogates are escaped.
    if any("\ud800" <= char <= "\udfff" for char in text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return '"' + _ESCAPED.sub(_escape, text) + '"'


def _utf16_units(name: str) -> bytes:
    return name.encode("utf-16-be", "surrogatepass")


def ecmascript_number(value: int | float) -> str:
    """A number as ECMAScript's Number::toString prints it (RFC 8785, section 3.2.2.3)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int) and abs(value) < _SAFE_INTEGER:
        return str(value)
    try:
        x = float(value)
    except OverflowError:
        raise ValueError("an integer beyond a double has no JSON form here") from None
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and infinities have no JSON form")
    if x == 0:
        return "0"  # -0 too
    sign = "-" if x < 0 else ""
    # repr: the shortest digits that read back as the same double, as ECMAScript picks them.
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exponent or 0) - len(fraction)  # value = int(whole + fraction) * 10**scale
    stripped = digits.rstrip("0")
    scale += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    n = scale + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return sign + text


def canonical_json(value: Any) -> str:
    """The RFC 8785 (JCS) canonical form of a parsed JSON value, as text."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (int, float)):
        return ecmascript_number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        for name in value:
            if not isinstance(name, str):
                raise TypeError(f"not a JSON value: a member name {name!r} is not a string")
        names = sorted(value, key=_utf16_units)
        return "{" + ",".join(_string(name) + ":" + canonical_json(value[name]) for name in names) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical_bytes(value: Any) -> bytes:
    """The canonical form as the UTF-8 bytes that are signed and hashed."""
    return canonical_json(value).encode("utf-8")
