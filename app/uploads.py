"""A training-data sample uploaded as multipart/form-data, checked while it streams in.

Starlette's `request.form()` spools an uploaded file to a temporary file on disk; the checker must
never store what it is sent (issue 15), so the API and the wizard read the body here instead: each
chunk of the `file` part goes straight into `DataCheck.feed` (in a worker thread: counting tokens of
a 20 MB sample takes seconds of CPU that must not stall the event loop) and is then dropped. Small text
fields sent beside it (the CSRF token, the wizard step's answers) are kept, up to a bound.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.advisor.datacheck import DataCheck, DataCheckError, DataReport, FileTooLarge

FILE_FIELD = "file"
# Room for the multipart framing and the form fields sent beside the file (a wizard step's answers).
FORM_BYTES = 64 * 1024
# Text fields beside the file: a wizard step has a few short answers and notes; more is not a form of ours.
MAX_FIELD_BYTES = 48 * 1024
MAX_FIELDS = 100
# How long an upload waits for a free check slot before it is asked to retry: about two 20 MB checks.
SLOT_WAIT_SECONDS = 12.0


class UploadError(DataCheckError):
    """The request is not an upload the checker can read (not multipart, no file part)."""


class ChecksBusy(DataCheckError):
    """As many checks as the settings allow are running: a 20 MB sample holds a CPU for about 6 s."""

    def __init__(self) -> None:
        super().__init__("Other data checks are running right now; try again in a few seconds.")


def fields_before(error: DataCheckError) -> dict[str, str]:
    """The text fields read before the upload was refused (the wizard shows them again)."""
    return getattr(error, "fields", {})


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    report: DataReport | None = None
    filename: str = ""


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    is_checked: bool = False


async def read_upload(request: Request, *, max_bytes: int, as_of: date) -> Upload:
    """Fields and the checker's report of the `file` part. Raises DataCheckError (UploadError,
    FileTooLarge) with a message for the person who sent it."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    slots = _slots(request)
    try:
        return await _read_upload(request, content_type, boundary, slots, max_bytes=max_bytes, as_of=as_of)
    finally:
        if getattr(request.state, "data_check_slot", False):
            slots.release()


def _slots(request: Request) -> asyncio.Semaphore:
    # Made on first use, on the event loop (one thread: no race), one per app.
    state = request.app.state
    if getattr(state, "data_check_slots", None) is None:
        state.data_check_slots = asyncio.Semaphore(state.settings.data_check_max_concurrency)
    return state.data_check_slots


async def _take_slot(request: Request, slots: asyncio.Semaphore) -> None:
    """Wait a little for a free check slot, then refuse: the fields read so far go with the refusal."""
    try:
        await asyncio.wait_for(slots.acquire(), SLOT_WAIT_SECONDS)
    except TimeoutError:
        raise ChecksBusy() from None
    request.state.data_check_slot = True


async def _read_upload(request: Request, content_type: bytes, boundary: bytes | None,
                       slots: asyncio.Semaphore, *, max_bytes: int, as_of: date) -> Upload:
    if content_type == b"application/x-www-form-urlencoded":
        raise await _form_without_file(request)
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadError("Send the file as multipart/form-data, in a field named \"file\".")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + FORM_BYTES:
        raise FileTooLarge(max_bytes)  # answered before a byte of the body is read
    events: list[tuple[str, bytes]] = []
    header: dict[str, bytearray] = {"field": bytearray(), "value": bytearray()}
    headers: dict[bytes, bytes] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def on_header_end() -> None:
        headers[bytes(header["field"]).lower()] = bytes(header["value"])
        header["field"], header["value"] = bytearray(), bytearray()

    callbacks = {
        "on_part_begin": lambda: (headers.clear(), events.append(("begin", b""))),
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": lambda: events.append(("headers", headers.get(b"content-disposition", b""))),
        "on_part_data": lambda data, start, end: events.append(("data", data[start:end])),
        "on_part_end": lambda: events.append(("end", b"")),
    }
    parser = MultipartParser(boundary, callbacks)
    upload = Upload()
    try:
        return await _read(request, parser, events, upload, slots, max_bytes=max_bytes, as_of=as_of)
    except DataCheckError as error:
        error.fields = upload.fields
        raise


async def _form_without_file(request: Request) -> UploadError:
    """A plain form post (no file): its fields are read, bounded, so the CSRF token and what was typed
    are not lost, and the answer says a file is missing."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FIELD_BYTES:
            return UploadError("The form sent beside the file is too large.")
    error = UploadError("Choose a file to check: the form was sent without one.")
    error.fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return error


async def _read(request: Request, parser: MultipartParser, events: list, upload: Upload,
                slots: asyncio.Semaphore, *, max_bytes: int, as_of: date) -> Upload:
    checker: DataCheck | None = None
    part = _Part()
    field_bytes = 0
    async for chunk in request.stream():
        try:
            parser.write(chunk)
        except MultipartParseError:
            raise UploadError("The upload is not well-formed multipart/form-data.") from None
        batch, events[:] = list(events), []
        for kind, data in batch:
            if kind == "begin":
                part = _Part()
            elif kind == "headers":
                _, options = parse_options_header(data)
                part.name = options.get(b"name", b"").decode("utf-8", "replace")
                filename = options.get(b"filename")
                part.filename = None if filename is None else filename.decode("utf-8", "replace")
                # A browser sends an empty part with filename="" when no file was chosen.
                if part.name == FILE_FIELD and part.filename and checker is None:
                    await _take_slot(request, slots)  # only the file's checking needs a CPU
                    upload.filename = part.filename
                    checker = DataCheck(part.filename, max_bytes=max_bytes, as_of=as_of)
                    part.is_checked = True
            elif kind == "data" and part.is_checked:
                # Straight to the checker, then dropped: the file is never kept whole.
                await run_in_threadpool(checker.feed, data)
            elif kind == "data" and part.filename is None:
                field_bytes += len(data)
                if field_bytes > MAX_FIELD_BYTES or len(upload.fields) >= MAX_FIELDS:
                    raise UploadError("The form sent beside the file is too large.")
                part.data += data
            elif kind == "end" and part.filename is None:
                upload.fields[part.name] = part.data.decode("utf-8", "replace")
    try:
        parser.finalize()
    except MultipartParseError:
        raise UploadError("The upload is not well-formed multipart/form-data.") from None
    if checker is None:
        raise UploadError("Choose a file to check: no file was sent in the field named \"file\".")
    upload.report = await run_in_threadpool(checker.finish)
    return upload
