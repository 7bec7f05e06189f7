"""The training-data checker: what a team learns about a sample file, one case per row."""

import gzip
import io
import json
import zipfile
from datetime import date

import pytest

from app.advisor import datacheck
from app.advisor.datacheck import DataCheck, DataCheckError, FileTooLarge, check_bytes

AS_OF = date(2026, 12, 6)


def chat(user: str, reply: str, system: str | None = None) -> str:
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return json.dumps({"messages": messages})


def jsonl(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def tickets(count: int) -> list[str]:
    return [chat(f"Ticket {i}: the export of report {i * 7} fails after upgrade {i}.",
                 "bug" if i % 2 else "question") for i in range(count)]


def check(data: bytes, name: str = "sample.jsonl", **kwargs):
    return check_bytes(data, name, as_of=AS_OF, **kwargs)


def test_a_jsonl_with_duplicates_and_two_broken_lines_names_them():
    lines = tickets(10)
    lines.insert(3, lines[1])                                      # line 4 repeats line 2
    lines.insert(6, lines[2].replace("Ticket", "TICKET  "))       # line 7 nearly repeats line 3
    lines.insert(8, '{"messages": [{"role": "user", "content": "hi"}')  # line 9: bad JSON
    lines.append(chat("What is 2+2?", "  "))                       # line 14: empty reply
    report = check(jsonl(*lines))
    assert report.examples == 12
    assert (report.duplicates.exact, report.duplicates.near) == (1, 1)
    assert report.duplicates.first_lines == [4, 7]
    assert report.duplicates.examples[0] == "line 4 repeats line 2"
    problems = {problem.kind: problem for problem in report.problems}
    assert problems["bad_json"].first_lines == [9]
    assert problems["bad_json"].example.startswith("line 9: not valid JSON")
    assert problems["empty_output"].first_lines == [14]
    assert report.suggestion.labeled_examples == 10


@pytest.mark.parametrize(("line", "kind", "words"), [
    ('{"messages": "hello"}', "wrong_type", '"messages" must be a non-empty list'),
    ('[1, 2]', "wrong_type", "a JSON list where an object was expected"),
    ('{"text": "no known keys"}', "wrong_type", 'neither "messages"'),
    ('{"messages": [{"role": "user", "content": "hi"}]}', "missing_role", "no assistant message"),
    ('{"messages": [{"role": "assistant", "content": "hi"}]}', "missing_role", "no user message"),
    ('{"messages": [{"content": "hi"}, {"role": "assistant", "content": "x"}]}', "missing_role",
     "message 1 has no known role"),
    ('{"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "x"}]}',
     "wrong_type", "message 1's content is not text"),
    ('{"prompt": "2+2", "completion": 4}', "wrong_type", "must both be strings"),
    ('{"prompt": "2+2", "completion": ""}', "empty_output", "the completion is empty"),
    ('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]}',
     "empty_output", "the assistant's reply is empty"),
    ("{not json", "bad_json", "not valid JSON"),
])
def test_each_format_problem_is_named_with_its_line(line, kind, words):
    report = check(jsonl(chat("a question", "an answer"), line))
    [problem] = report.problems
    assert (problem.kind, problem.first_lines) == (kind, [2])
    assert words in problem.example and problem.example.startswith("line 2: ")


def test_only_the_first_few_line_numbers_of_a_problem_are_listed_but_all_are_counted():
    report = check(jsonl(*tickets(3), *["{bad"] * 12))
    [problem] = report.problems
    assert problem.count == 12
    assert problem.first_lines == [4, 5, 6, 7, 8]


@pytest.mark.parametrize(("data", "name", "words"), [
    (gzip.compress(jsonl(*tickets(3))), "data.jsonl.gz", "gzip file"),
    (b"PK\x03\x04" + b"\x00" * 30, "data.zip", "zip archive"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.jsonl", "NUL bytes"),
    (jsonl(*tickets(2)) + b"\xff\xfe broken", "latin.csv", "not UTF-8"),
    (b"", "empty.jsonl", "no examples"),
    (b"\n\n  \n", "blank.jsonl", "no examples"),
    (b"only_one_column\nvalue\n", "one.csv", "input and an output column"),
])
def test_files_that_are_not_examples_are_refused_with_one_clear_message(data, name, words):
    with pytest.raises(DataCheckError) as refused:
        check(data, name)
    assert words in refused.value.message


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.jsonl", b"0" * 50_000_000)  # 50 MB of zeros packs to about 50 KB
    with pytest.raises(DataCheckError, match="zip archive"):
        check(buffer.getvalue(), "data.jsonl")


def test_a_file_over_the_limit_stops_as_soon_as_the_limit_is_crossed():
    checker = DataCheck("big.jsonl", max_bytes=4096, as_of=AS_OF)
    checker.feed(b" " * 4000)
    with pytest.raises(FileTooLarge) as refused:
        checker.feed(b"x" * 200)
    assert refused.value.max_bytes == 4096
    assert "4 KB" in refused.value.message


def test_a_nul_byte_is_refused_naming_its_line():
    with pytest.raises(DataCheckError) as refused:
        check(jsonl(*tickets(3)) + b'{"prompt": "\x00"}\n', chunk_size=10)
    assert refused.value.line == 4


def test_the_bad_utf8_message_names_the_line():
    with pytest.raises(DataCheckError) as refused:
        check(jsonl(*tickets(3)) + b'{"prompt": "\xc3\x28"}\n')
    assert refused.value.line == 4


def test_tokens_are_counted_with_cl100k_base_and_called_an_estimate_for_other_vendors():
    report = check(jsonl(chat("hello world", "hi"), chat("hello world, how are you today?", "fine")))
    # cl100k_base: "hello world" = 2 tokens, "hi" = 1, plus 3 per message and 3 for the reply's priming.
    assert report.tokens.min == 2 + 1 + 2 * 3 + 3
    assert report.tokens.encoding == "cl100k_base"
    assert "estimate" in report.tokens.note
    assert report.tokens.total == sum([report.tokens.min, report.tokens.max])


def test_token_statistics_are_min_median_p95_and_max():
    lines = [json.dumps({"prompt": " ".join(["word"] * n), "completion": "x"}) for n in range(1, 101)]
    stats = check(jsonl(*lines)).tokens
    assert (stats.min, stats.median, stats.p95, stats.max) == (2, 51, 96, 101)


def test_a_chat_example_counts_text_parts_and_ignores_a_typed_special_token():
    line = json.dumps({"messages": [
        {"role": "user", "content": [{"type": "text", "text": "<|endoftext|>"}]},
        {"role": "assistant", "content": "ok"}]})
    report = check(jsonl(line))
    assert report.examples == 1 and not report.problems


def test_csv_with_a_quoted_multiline_field_is_one_example_and_a_short_row_is_named():
    data = b'text,label\n"first line\nsecond line",spam\nhello,ham\nonly one field\nbye,ham\nyo,\n'
    report = check(data, "labels.csv")
    assert report.format == "csv"
    assert report.examples == 3
    problems = {problem.kind: problem.first_lines for problem in report.problems}
    assert problems == {"bad_row": [5], "empty_output": [7]}


def test_classification_labels_are_counted_and_a_skew_is_flagged():
    lines = [chat(f"message {i} about things", "ham") for i in range(40)]
    lines += [chat(f"win money {i} now", "spam") for i in range(3)]
    report = check(jsonl(*lines))
    assert report.labels.counts == {"ham": 40, "spam": 3}
    assert report.labels.skewed
    assert report.suggestion.data_quality == "low"


def test_free_text_outputs_are_not_treated_as_labels():
    lines = [chat(f"Summarise note {i}", f"The note {i} says that the release moves to week {i}.")
             for i in range(10)]
    assert check(jsonl(*lines)).labels is None


def test_personal_data_is_counted_never_shown():
    lines = [chat("Mail ann@example.com or call +44 20 7946 0958", "ok"),
             chat("Card 4111 1111 1111 1111 expires soon", "ok"),
             chat("Order 1234 5678 9012 3456 shipped on 2026-11-02", "ok")]  # not Luhn-valid: no card
    report = check(jsonl(*lines))
    personal = report.personal_data
    assert (personal.emails, personal.phone_numbers, personal.card_numbers) == (1, 1, 1)
    assert personal.examples_with_any == 2
    shown = report.model_dump_json()
    assert "ann@example.com" not in shown and "4111" not in shown


def test_very_long_examples_are_counted():
    long_line = json.dumps({"prompt": "word " * (datacheck.LONG_EXAMPLE_TOKENS + 10), "completion": "x"})
    report = check(jsonl(long_line, *tickets(2)))
    assert report.long_examples == 1


def test_training_cost_is_tokens_times_epochs_times_each_tuning_price():
    report = check(jsonl(*tickets(50)))
    tokens = report.tokens.total
    assert report.training_costs, "the price table has token-billed tuning prices"
    for cost in report.training_costs:
        assert cost.usd == round(tokens * cost.epochs * cost.price_per_million / 1_000_000, 4)
    assert [cost.usd for cost in report.training_costs] == sorted(cost.usd for cost in report.training_costs)
    assert sum(cost.default for cost in report.training_costs) == 1


def test_retired_models_are_not_priced():
    later = check_bytes(jsonl(*tickets(3)), "t.jsonl", as_of=date(2027, 6, 1))
    assert not any(cost.model.startswith("openai-gpt-4") for cost in later.training_costs)


@pytest.mark.parametrize(("lines", "quality"), [
    (tickets(40), "high"),
    (tickets(40) + ["{bad"], "medium"),
    (tickets(40) + tickets(1), "medium"),
    (tickets(40) + ["{bad"] * 5, "low"),
    (tickets(20) + tickets(5), "low"),
    (tickets(40) + [chat("write to bob@example.org", "bug")], "medium"),
])
def test_the_suggested_data_quality_follows_errors_duplicates_and_personal_data(lines, quality):
    suggestion = check(jsonl(*lines)).suggestion
    assert suggestion.data_quality == quality
    assert suggestion.reasons[-1].startswith("A file cannot show whether the outputs are correct")


def test_chunk_boundaries_do_not_change_the_report():
    data = jsonl(*tickets(30), "{bad", chat("héllo wörld ✓", "ok"))
    whole = check(data)
    for size in (1, 7, 100):
        assert check(data, chunk_size=size) == whole


def test_the_encoding_file_is_checked_against_tiktokens_pinned_hash():
    datacheck.encoding.cache_clear()
    assert datacheck.encoding().name == "cl100k_base"
    assert datacheck.ENCODING_SHA256 == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def test_the_report_as_notes_holds_figures_and_line_numbers_never_a_lines_text():
    lines = tickets(4) + [chat("mail ann@example.com please", "bug"), "{broken"]
    notes = datacheck.report_notes(check(jsonl(*lines)), AS_OF)
    assert notes["labeled_examples"].startswith("Checked sample.jsonl on 2026-12-06: 5 examples read")
    assert "1 lines with format problems (lines 6)" in notes["labeled_examples"]
    assert notes["data_quality"].startswith("Suggested ")
    assert "ann@example.com" not in str(notes) and "broken" not in str(notes)
