"""Checks of API answers against the tenant host's OpenAPI document: an answer must have the
shape its documented schema describes (types, required and known properties, enums)."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def conforms(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str = "$") -> None:
    """Fail unless ``value`` has the shape ``node`` (an OpenAPI schema object) describes:
    types, required and known properties, enums, recursively."""
    node = _resolve(schema, node)
    if value is None:
        assert node.get("nullable"), f"{where}: null is not allowed"
        return
    if "enum" in node:
        assert value in node["enum"], f"{where}: {value!r} not in {node['enum']}"
    kind = node.get("type", "object" if "properties" in node else None)
    if "allOf" in node:
        for part in node["allOf"]:
            conforms(schema, part, value, where)
    elif "oneOf" in node:
        failures = []
        for part in node["oneOf"]:
            try:
                conforms(schema, part, value, where)
            except AssertionError as failure:
                failures.append(str(failure))
        assert len(failures) < len(node["oneOf"]), "; ".join(failures)
    elif kind == "object":
        assert isinstance(value, dict), f"{where}: an object expected"
        properties = node.get("properties", {})
        missing = set(node.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {sorted(missing)}"
        if properties and not node.get("additionalProperties"):
            unknown = set(value) - set(properties)
            assert not unknown, f"{where}: undocumented {sorted(unknown)}"
        for name, item in value.items():
            if name in properties:
                conforms(schema, properties[name], item, f"{where}.{name}")
    elif kind == "array":
        assert isinstance(value, list), f"{where}: an array expected"
        for index, item in enumerate(value):
            conforms(schema, node["items"], item, f"{where}[{index}]")
    elif kind is not None:
        python = {"string": str, "integer": int, "number": (int, float), "boolean": bool}[kind]
        assert isinstance(value, python), f"{where}: {kind} expected, got {value!r}"


def tenant_openapi(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return dict(response.json())


def documented(schema: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The JSON body schema of a documented answer (fails when the answer is undocumented)."""
    responses = schema["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} {status} undocumented"
    return dict(responses[str(status)]["content"]["application/json"]["schema"])
