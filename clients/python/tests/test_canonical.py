"""RFC 8785 canonical JSON, byte for byte against the TypeScript implementation (canonicalize)."""

import json

import pytest

from conftest import VECTORS
from hitl_client import canonical_bytes, canonical_json, ecmascript_number


@pytest.mark.parametrize("case", VECTORS["canonical"], ids=lambda case: case["name"])
def test_canonical_json_is_the_typescript_implementations(case):
    assert canonical_json(json.loads(case["json"])) == case["canonical"]


def test_the_vectors_cover_what_is_awkward():
    names = {case["name"] for case in VECTORS["canonical"]}
    assert {"escapes", "lone surrogates stay escaped", "negative zero", "member names by UTF-16 code units", "exponent boundaries"} <= names
    texts = " ".join(case["json"] for case in VECTORS["canonical"])
    for needle in ("1e21", "1e-7", "-0", "0.30000000000000004", "9007199254740991", "😀", "\\u001f"):
        assert needle in texts


def test_canonical_bytes_are_utf8_and_lone_surrogates_are_escaped():
    assert canonical_bytes({"é": "😀"}) == '{"é":"😀"}'.encode("utf-8")
    assert canonical_bytes(["\ud800"]) == b'["\\ud800"]'


def test_a_surrogate_pair_built_by_hand_is_one_character():
    assert canonical_json("\ud83d\ude00") == '"😀"'
    assert canonical_json({"\ud83d\ude00": 1, "\ufb33": 2}) == "{\"\U0001f600\":1,\"\ufb33\":2}"


@pytest.mark.parametrize(
    "value, text",
    [
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (2**53 - 1, "9007199254740991"),
        (2**53 + 1, "9007199254740992"),
        (20.0, "20"),
        (1e20, "100000000000000000000"),
        (0.000001, "0.000001"),
        (5e-324, "5e-324"),
        (-1.5e-7, "-1.5e-7"),
        (123e-20, "1.23e-18"),
    ],
)
def test_numbers_print_as_ecmascript_prints_them(value, text):
    assert ecmascript_number(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**400])
def test_nan_and_infinities_are_refused(value):
    with pytest.raises(ValueError):
        canonical_json([value])


@pytest.mark.parametrize("value", [{1: "x"}, {"a": {1, 2}}, b"bytes", object()])
def test_what_is_not_json_is_refused(value):
    with pytest.raises(TypeError):
        canonical_json(value)


def test_booleans_are_not_numbers():
    assert canonical_json([True, False, 1, 0]) == "[true,false,1,0]"
    with pytest.raises(TypeError):
        ecmascript_number(True)
