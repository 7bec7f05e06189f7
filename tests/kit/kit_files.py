"""Reading a starter kit back the way a team would: unzip it, parse its CSV, JSONL and fenced JSON."""

import csv
import io
import json
import zipfile


def unzip(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None  # every member's CRC checks out
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def jsonl(text: str) -> list[dict]:
    lines = text.splitlines()
    assert lines, "an empty JSONL file"
    return [json.loads(line) for line in lines]


def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, read line by line as a Markdown reader does."""
    blocks, language, body = [], None, []
    for line in markdown.splitlines():
        if language is None and line.startswith("```"):
            language, body = line[3:].strip(), []
        elif language is not None and line == "```":
            blocks.append((language, "\n".join(body)))
            language = None
        elif language is not None:
            body.append(line)
    assert language is None, "an unclosed fenced block"
    return blocks


def sections(markdown: str) -> dict[str, str]:
    """Level-2 headings and the text under each."""
    out, heading = {}, None
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            out[heading] = ""
        elif heading is not None:
            out[heading] += line + "\n"
    return out
