"""Function-calling schemas lose pydantic's noise and keep everything a model needs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from holmes.tools import default_registry
from holmes.tools.schemas import compact_schema


class Example(BaseModel):
    """Arguments."""

    name: str = Field(description="Pod name.")
    title: str | None = Field(None, description="A property called title stays.")
    verdict: Literal["DROPPED", "FORWARDED"] | None = None
    limit: int = Field(30, ge=1, le=500)


def test_titles_and_nullable_optionals_are_compacted():
    schema = compact_schema(Example.model_json_schema())
    assert "title" not in schema
    assert schema["required"] == ["name"]
    assert schema["properties"]["title"] == {
        "type": "string",
        "description": "A property called title stays.",
    }
    assert schema["properties"]["verdict"] == {"enum": ["DROPPED", "FORWARDED"], "type": "string"}
    assert schema["properties"]["limit"] == {
        "default": 30,
        "maximum": 500,
        "minimum": 1,
        "type": "integer",
    }


def test_no_tool_schema_carries_titles_or_null_unions():
    text = str(default_registry().schemas())
    assert "'title':" not in text
    assert "{'type': 'null'}" not in text
