"""The OpenAPI 3 description of the REST API, generated from the saved queries' headers (as
grlc does): one operation per saved query, its parameters from ``#+ param:`` lines."""

from __future__ import annotations

from kg import __version__
from kg.use.questions import MAX_CHARACTERS
from kg.use.savedquery import SavedQuery, with_defaults

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}, "hint": {"type": "string"}},
        }
    },
}
_ROWS = {
    "type": "object",
    "required": ["query", "title", "parameters", "variables", "rows"],
    "properties": {
        "query": {"type": "string"},
        "title": {"type": "string"},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        "variables": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}
_ERRORS = {
    str(code): {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for code, text in (
        (400, "a parameter is malformed, unknown, or given twice"),
        (404, "an entity parameter names nothing in the graph"),
        (422, "the result is over the server's row limit"),
        (503, "every query worker is busy"),
        (504, "the query ran over the server's time limit"),
    )
}


_ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$"


def _parameter(param) -> dict:  # type: ignore[no-untyped-def,type-arg]
    # a string holds no control character, line break or bidi control (kg.use.params refuses them)
    schema: dict[str, object] = {"type": "integer"} if param.type in ("integer", "year") else {"type": "string", "pattern": _ONE_LINE}
    if param.type == "year":
        schema.update(minimum=-9999, maximum=9999)
    if param.default is not None:
        schema["default"] = int(param.default) if param.type in ("integer", "year") else param.default
    return {
        "name": param.name,
        "in": "query",
        "required": param.default is None,
        "description": f"{param.doc} ({param.type}{': an id, IRI, label or alternative label' if param.type == 'entity' else ''})",
        "schema": schema,
    }


def document(queries: list[SavedQuery], server_url: str = "/") -> dict:  # type: ignore[type-arg]
    """The OpenAPI 3.0 document of the API."""
    paths: dict[str, object] = {}
    for query in queries:
        paths[f"/api/queries/{query.name}"] = {
            "get": {
                "operationId": query.name.replace("-", "_"),
                "summary": query.title,
                "description": query.description,
                "tags": list(query.tags) or ["queries"],
                "parameters": [
                    *(_parameter(p) for p in query.params),
                    {"name": "format", "in": "query", "required": False, "description": "json (default) or csv",
                     "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
                ],
                "responses": {
                    "200": {
                        "description": "the rows of the query",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Rows"}}, "text/csv": {"schema": {"type": "string"}}},
                    },
                    **_ERRORS,
                },
            }
        }
    paths["/api/ask"] = {
        "get": {
            "operationId": "ask",
            "summary": "Answer a question in plain English, with the evidence (kg ask)",
            "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CHARACTERS}}],
            "responses": {
                "200": {"description": "the answer, or why there is none", "content": {"application/json": {"schema": {"type": "object", "required": ["question", "abstained", "answers"]}}}},
                **_ERRORS,
            },
        }
    }
    paths["/api/queries"] = {
        "get": {
            "operationId": "list_queries",
            "summary": "The saved queries, with their parameters and SPARQL",
            "responses": {"200": {"description": "the saved queries", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "aigov-kg",
            "version": __version__,
            "description": "A knowledge graph of AI governance, each fact with its evidence: the saved queries as a REST API. "
            "The SPARQL 1.1 endpoint is at /sparql.",
            "license": {"name": "CC BY 4.0 (data)", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR, "Rows": _ROWS}},
    }


def listing(queries: list[SavedQuery]) -> list[dict]:  # type: ignore[type-arg]
    """The saved queries as ``GET /api/queries`` lists them: each with its parameters and its
    SPARQL, the defaults bound, ready to paste into any endpoint."""
    return [
        {"name": q.name, "title": q.title, "description": q.description,
         "params": [{"name": p.name, "type": p.type, "default": p.default, "doc": p.doc} for p in q.params],
         "phrasings": list(q.phrasings), "network_required": q.network_required, "sparql": with_defaults(q)}
        for q in queries
    ]
