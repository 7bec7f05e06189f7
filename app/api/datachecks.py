"""POST /api/v1/data-checks: a training-data sample in (multipart), its report out; nothing stored."""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import Field

from app.advisor.datacheck import DataCheckError, DataReport, FileTooLarge
from app.api.problems import ProblemDetails, ValidationProblem, problem
from app.security.route_limits import limit
from app.uploads import ChecksBusy, read_upload

router = APIRouter(tags=["data checks"])
# Seconds a client is asked to wait when every check slot is taken: about one 20 MB check.
RETRY_AFTER = "6"



class FileTooLargeProblem(ProblemDetails):
    max_bytes: int = Field(description="The largest file accepted, in bytes (ADVISOR_DATA_CHECK_MAX_BYTES).")


class UnreadableSample(ValidationProblem):
    line: int | None = Field(description="The line where reading stopped, when one is to blame.")

# Shown in the OpenAPI docs: the report of a 14-line chat JSONL with a repeat, a near repeat and two
# broken lines (tests/datacheck/samples.py: broken_sample, which a test sends).
REPORT_EXAMPLE = {
    "filename": "tickets.jsonl", "format": "chat_jsonl", "bytes": 1917, "lines": 14, "examples": 12,
    "tokens": {"encoding": "cl100k_base", "note": "Tokens counted with OpenAI's cl100k_base encoding "
               "(tiktoken). Other vendors' models split text differently: for them these counts are an "
               "estimate, usually within a few tens of percent.",
               "total": 315, "min": 26, "median": 26, "p95": 29, "max": 29},
    "duplicates": {"exact": 1, "near": 1, "first_lines": [4, 7],
                   "examples": ["line 4 repeats line 2",
                                "line 7 nearly repeats line 3 "
                                "(differs only in case, spacing or punctuation)"]},
    "problems": [
        {"kind": "bad_json", "count": 1, "first_lines": [9],
         "example": "line 9: not valid JSON (Expecting ',' delimiter at column 48)"},
        {"kind": "empty_output", "count": 1, "first_lines": [14],
         "example": "line 14: the assistant's reply is empty"},
    ],
    "labels": {"counts": {"question": 6, "bug": 6}, "most_to_least": 1.0, "skewed": False},
    "long_examples": 0, "long_example_tokens": 16384,
    "personal_data": {"emails": 0, "phone_numbers": 0, "card_numbers": 0, "examples_with_any": 0},
    "training_costs": [{"model": "fireworks-gpt-oss-20b", "name": "gpt-oss-20b on Fireworks",
                        "price_per_million": 3.0, "epochs": 3, "usd": 0.0028, "default": True,
                        "source": "docs.fireworks.ai/serverless/pricing, 2026-10-07"}],
    "suggestion": {"labeled_examples": 10, "data_quality": "low",
                   "reasons": ["10 usable examples: 12 read without a format problem, less 2 exact or near "
                               "duplicates.", "2 of 14 lines (14%) have format problems, over 5%.",
                               "17% of the examples repeat others, over 10%.",
                               "A file cannot show whether the outputs are correct: lower this if nobody has "
                               "reviewed them."]},
}


@router.post(
    "/data-checks",
    dependencies=[limit(body="upload")],
    response_model=DataReport,
    operation_id="createDataCheck",
    summary="Check a sample of training data",
    description=(
        "Upload JSONL (chat `messages` or `prompt`/`completion`, one object a line) or CSV with a header "
        "row, as `multipart/form-data` in the field `file`. The file is read as it streams, never "
        "executed and never stored. The report gives the number of examples; tokens per example (min, "
        "median, p95, max) and in total, counted with OpenAI's cl100k_base encoding (an estimate for "
        "other vendors' models); exact and near duplicates; format problems with their first line "
        "numbers; label balance for classification-like data; very long examples; counts of likely "
        "personal data (never the data itself); one training run's cost at each tuning price of the "
        "price table; and the suggested `labeled_examples` and `data_quality` answers with reasons. "
        "No token is needed."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "A .jsonl or .csv file, UTF-8, up to ADVISOR_DATA_CHECK_MAX_BYTES."}}},
    }}}},
    responses={
        200: {"content": {"application/json": {"example": REPORT_EXAMPLE}}},
        413: {"description": "The file is over the limit; `detail` names it.", "model": FileTooLargeProblem},
        503: {"description": "As many checks as ADVISOR_DATA_CHECK_MAX_CONCURRENCY allows are running; "
                             "retry after the seconds in Retry-After.", "model": ProblemDetails},
        422: {"description": "The file cannot be read as examples (binary, an archive, not UTF-8, empty): "
                             "`detail` says why and `line` where.", "model": UnreadableSample},
    },
)
async def create_data_check(request: Request):
    limit = request.app.state.settings.data_check_max_bytes
    try:
        upload = await read_upload(request, max_bytes=limit, as_of=date.today())
    except FileTooLarge as too_large:
        return problem(413, too_large.message, max_bytes=too_large.max_bytes)
    except ChecksBusy as busy:
        return problem(503, busy.message, headers={"Retry-After": RETRY_AFTER})
    except DataCheckError as refused:
        return problem(422, refused.message, line=refused.line)
    return upload.report
