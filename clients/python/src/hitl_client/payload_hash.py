"""The contract's payload_hash: what a reviewer's consent is bound to.

``sha256:`` followed by the lowercase hex SHA-256 of the RFC 8785 canonical JSON of
``{"action": action, "parameters": parameters}`` (libs/contracts/src/payload-hash.ts).
An executor recomputes it and refuses to run on a mismatch.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Any, Mapping

from .canonical import canonical_bytes

__all__ = ["payload_hash"]


def payload_hash(action: str, parameters: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``{action, parameters}``."""
    if not isinstance(action, str):
        raise TypeError("action must be a string")
    if not isinstance(parameters, Mapping):
        raise TypeError("parameters must be a JSON object")
    return "sha256:" + sha256(canonical_bytes({"action": action, "parameters": dict(parameters)})).hexdigest()
