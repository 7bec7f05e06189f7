"""Errors of the JSON API as `application/problem+json` (RFC 9457), in one place for every /api/ route.

Every refusal under /api/ (a handler's HTTPException, a store's NotFound, a request FastAPI could not
validate, a protective layer's refusal, a database outage) is answered by `problem(...)`, and the OpenAPI
document is rewritten once by `install(app)` so that every 4xx and 5xx of every /api/ operation declares
this media type with a schema: routers added later under /api/ get both without doing anything.

`type` stays "about:blank" (RFC 9457, 4.2.1): the status code says what kind of problem it is, `title` is
its HTTP phrase and `detail` says, in a sentence for a person, what to change.
"""

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.security.route_limits import is_api

MEDIA_TYPE = "application/problem+json"
# FastAPI's own 422 schemas, replaced by ValidationProblem in the API's OpenAPI document.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


class ProblemDetails(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(
        "about:blank",
        description="A URI naming the kind of problem; `about:blank` means the status code says it all.",
    )
    title: str = Field(description="The HTTP status phrase, e.g. `Not Found`.")
    status: int = Field(description="The HTTP status code, repeated for clients that lose it.")
    detail: str = Field(description="What went wrong and what to do, for a person to read.")


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="Where the bad value is: `body`, `query`, `path` or `header`, "
        "then the field names and list positions down to it."
    )
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="A machine-readable error code, e.g. `missing` or `literal_error`.")


class ValidationProblem(ProblemDetails):
    """A request the API could not accept as sent (422): one entry in `errors` per bad field."""

    errors: list[FieldError] = Field(
        description="Each bad field with its location; empty when the "
        "problem is the request as a whole (e.g. a reused Idempotency-Key)."
    )


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    detail: Any,
    *,
    headers: Mapping[str, str] | None = None,
    errors: Iterable[Mapping[str, Any]] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    """The problem+json response for `status`; a 422 always carries `errors` (empty if none is known)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title_of(status),
        "status": status,
        "detail": detail if isinstance(detail, str) else _sentence(detail),
    }
    if status == 422:
        body["errors"] = [_field_error(error) for error in errors or ()]
    return ProblemResponse(body | extensions, status_code=status, headers=dict(headers) if headers else None)


def validation_problem(errors: Iterable[Mapping[str, Any]]) -> ProblemResponse:
    errors = list(errors)
    where = ", ".join(".".join(str(part) for part in error.get("loc", ())) for error in errors[:5])
    count = f"{len(errors)} invalid field{'s' if len(errors) != 1 else ''}"
    return problem(
        422,
        f"The request has {count}: {where}. See `errors`."
        if errors
        else "The request could not be validated.",
        errors=errors,
    )


def _field_error(error: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }


def _sentence(detail: Any) -> str:
    return str(detail) if detail is not None else ""


def wants_problem(path: str) -> bool:
    return is_api(path)


# --- the OpenAPI document ---------------------------------------------------------------------------


def problem_doc(description: str) -> dict[str, Any]:
    """A 4xx entry for a route's `responses=`; `install` gives it the problem+json schema."""
    return {"model": ProblemDetails, "description": description}


def _problem_schema(status: str, response: dict) -> dict:
    """The schema a route named for this status (a ProblemDetails subclass with more members), else the
    plain one."""
    for content in response.get("content", {}).values():
        ref = content.get("schema", {}).get("$ref", "")
        named = ref.rsplit("/", 1)[-1]
        if (
            ref
            and named not in FASTAPI_VALIDATION_SCHEMAS
            and not (status == "422" and named == "ProblemDetails")
        ):
            return {"$ref": ref}
    return {"$ref": f"#/components/schemas/{'ValidationProblem' if status == '422' else 'ProblemDetails'}"}


def install(app: FastAPI) -> None:
    """Describe every error of every /api/ operation as problem+json, with a schema (call after any other
    wrapper of `app.openapi`, so the statuses they add are rewritten too)."""
    build = app.openapi
    described: list[dict] = []  # the document, once rewritten

    def openapi() -> dict:
        if not described:
            schema = build()
            describe_problems(schema)
            app.openapi_schema = schema
            described.append(schema)
        return described[0]

    app.openapi = openapi


def describe_problems(schema: dict) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ProblemDetails, FieldError, ValidationProblem):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, nested in definition.pop("$defs", {}).items():
            components.setdefault(name, nested)
        components[model.__name__] = definition
    for path, operations in schema.get("paths", {}).items():
        if not wants_problem(path):
            continue
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] not in ("4", "5"):
                    continue
                response["content"] = {MEDIA_TYPE: {"schema": _problem_schema(status, response)}}
    # FastAPI's 422 schemas go when no page still refers to them (HTTPValidationError refers to the other).
    for name in FASTAPI_VALIDATION_SCHEMAS:
        others = {key: value for key, value in components.items() if key != name}
        if f"#/components/schemas/{name}'" not in repr((schema.get("paths", {}), others)):
            components.pop(name, None)
