#!/usr/bin/env python3
"""Writes src/hitl_client/types.py: TypedDicts from the contract's exported JSON Schemas.

    python3 clients/python/scripts/generate_types.py          # write it
    python3 clients/python/scripts/generate_types.py --check  # exit 1 when it is stale

The schemas are libs/contracts/generated/json-schema/*.v1.json (``npm run contracts:export``
writes them from the zod contract). tests/test_types.py checks the committed output is current.
"""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "src" / "hitl_client"
OUTPUT = PACKAGE / "types.py"
SCHEMAS = HERE.parents[2] / "libs" / "contracts" / "generated" / "json-schema"
EVENTS = ("hitl.decision.proposed.v1", "hitl.approval.resolved.v1")


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_") if part)


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


class Generator:
    def __init__(self) -> None:
        self.classes: list[str] = []
        self.names: set[str] = set()
        self.done: dict[int, str] = {}  # a schema already written (the envelope's data): its type

    def type_of(self, schema: dict[str, Any], hint: str, prefix: str) -> str:
        if "const" in schema:
            return f"Literal[{json.dumps(schema['const'])}]"
        if "enum" in schema:
            return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
        if "anyOf" in schema:
            return " | ".join(self.type_of(option, hint, prefix) for option in schema["anyOf"])
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(self.type_of({**schema, "type": k}, hint, prefix) for k in kind)
        if kind == "string":
            return "str"
        if kind == "number":
            return "float"
        if kind == "integer":
            return "int"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            return f"list[{self.type_of(schema.get('items', {}), singular(hint), prefix)}]"
        if kind == "object":
            if schema.get("properties"):
                return self.typed_dict(schema, hint, prefix)
            return "dict[str, Any]"
        return "Any"

    def typed_dict(self, schema: dict[str, Any], name: str, prefix: str, doc: str | None = None) -> str:
        if id(schema) in self.done:
            return self.done[id(schema)]
        self.done[id(schema)] = name
        if name in self.names:
            raise SystemExit(f"two types named {name}")
        self.names.add(name)
        required = set(schema.get("required", []))
        fields = []
        for prop, sub in schema["properties"].items():
            # The envelope's data and its members are named after the event; deeper ones after their parent.
            child = prefix + camel(prop) if name in (prefix + "Event", prefix + "Data") else name + camel(prop)
            annotation = self.type_of(sub, child, prefix)
            if prop not in required:
                annotation = f"NotRequired[{annotation}]"
            fields.append((prop, annotation, constraints(sub)))
        lines = []
        plain = all(prop.isidentifier() and not keyword.iskeyword(prop) for prop, _, _ in fields)
        text = doc or f"{name}: {', '.join(sorted(required)) or 'no member'} required."
        if schema.get("additionalProperties") not in (None, False):
            text += " Other members may be present (the schema admits them)."
        if plain:
            lines.append(f"class {name}(TypedDict):")
            lines.append(f'    """{text}"""')
            lines.append("")
            for prop, annotation, note in fields:
                lines.append(f"    {prop}: {annotation}" + (f"  # {note}" if note else ""))
        else:
            lines.append(f"{name} = TypedDict(")
            lines.append(f'    "{name}",')
            lines.append("    {")
            for prop, annotation, note in fields:
                lines.append(f"        {json.dumps(prop)}: {annotation}," + (f"  # {note}" if note else ""))
            lines.append("    },")
            lines.append(")")
            lines.append(f'{name}.__doc__ = """{text}"""')
        self.classes.append("\n".join(lines))
        return name


def constraints(schema: dict[str, Any]) -> str:
    notes = []
    if "format" in schema:
        notes.append(schema["format"])
    elif "pattern" in schema and "date-time" not in schema.get("format", ""):
        notes.append(f"pattern {schema['pattern']}")
    if "minLength" in schema and schema["minLength"] > 0:
        notes.append(f"at least {schema['minLength']} character" + ("s" if schema["minLength"] > 1 else ""))
    if "minimum" in schema and "maximum" in schema:
        notes.append(f"{schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        notes.append(f"at least {schema['minimum']}")
    if "minItems" in schema:
        notes.append(f"at least {schema['minItems']} item" + ("s" if schema["minItems"] > 1 else ""))
    return ", ".join(notes)


def render(schemas_dir: Path = SCHEMAS) -> str:
    generator = Generator()
    for event in EVENTS:
        schema = json.loads((schemas_dir / f"{event}.json").read_text(encoding="utf-8"))
        prefix = camel(event.removeprefix("hitl.").removesuffix(".v1").replace(".", "_"))
        data = schema["properties"]["data"]
        generator.typed_dict(data, prefix + "Data", prefix, f"The data of {event}.")
        generator.typed_dict(schema, prefix + "Event", prefix, f"{event}, the whole event as it is on the wire: {schema['description']}")
    header = [
        "# Generated by clients/python/scripts/generate_types.py from",
        "# libs/contracts/generated/json-schema/{" + ",".join(f"{e}.json" for e in EVENTS) + "}:",
        "# do not edit; run the script again when the contract changes.",
        '"""The contract\'s events as TypedDicts, from its exported JSON Schemas.',
        "",
        "Types for static checkers: at run time an event is the dict ``json.loads`` makes. Members",
        "the schemas admit beyond those named (``additionalProperties``) may be present too.",
        '"""',
        "",
        "from typing import Any, Literal, NotRequired, TypedDict",
        "",
        "__all__ = [",
        *(f"    {json.dumps(n)}," for n in sorted(generator.names)),
        "]",
    ]
    return "\n".join(header) + "\n\n\n" + "\n\n\n".join(generator.classes) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--check"]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run python3 {Path(__file__).relative_to(HERE.parents[2])}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
