"""The CLI and the JSON API give exactly what recommend() gives; bad input names each bad field."""

import io
import json

import pytest

from app import cli
from app.advisor import Answers, recommend
from app.api.recommendations import ANSWER_EXAMPLES
from tests.advisor.conftest import EXAMPLE_FILES, load_example

BAD_ANSWERS = {"labeled_examples": -5, "budget": "huge", "favourite_colour": "blue"}


def _cli_json(capsys, *args) -> dict:
    assert cli.main(["recommend", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_cli_api_and_engine_agree(path, capsys, client):
    answers = load_example(path)["answers"]
    expected = recommend(answers).model_dump(mode="json")
    assert _cli_json(capsys, str(path)) == expected  # the example file wraps its answers
    response = client.post("/api/v1/recommendations", json=answers)
    assert response.status_code == 200
    assert response.json() == expected


def test_cli_reads_standard_input(capsys, monkeypatch, make_answers):
    answers = make_answers()
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(answers)))
    assert _cli_json(capsys, "-") == recommend(answers).model_dump(mode="json")


def test_cli_text_summary_is_readable(capsys, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(load_example(EXAMPLE_FILES[0])["answers"]))
    assert cli.main(["recommend", str(path), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Verdict: Both: fine-tuning with prompt engineering")  # the pages' words
    for heading in ("Why:", "Techniques:", "Risks:", "Next steps:", "Costs (USD):", "Break-even:"):
        assert heading in out


def test_cli_names_each_bad_field_and_exits_2(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(BAD_ANSWERS))
    assert cli.main(["recommend", str(path)]) == 2
    err = capsys.readouterr().err
    for field in BAD_ANSWERS:
        assert f"advisor: {field}:" in err


def test_cli_refuses_broken_json(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert cli.main(["recommend", str(path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_api_names_each_bad_field_with_its_path(client):
    response = client.post("/api/v1/recommendations", json=BAD_ANSWERS)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problems = {tuple(e["loc"]): e["msg"] for e in response.json()["errors"]}
    assert problems[("body", "labeled_examples")] == "Input should be greater than or equal to 0"
    assert "'low', 'medium' or 'high'" in problems[("body", "budget")]
    assert ("body", "favourite_colour") in problems


def test_api_refuses_a_non_object_body(client):
    assert client.post("/api/v1/recommendations", json=[1, 2]).status_code == 422


def test_openapi_documents_valid_examples(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/recommendations"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == set(ANSWER_EXAMPLES)
    for example in examples.values():
        Answers.model_validate(example["value"])
    assert "422" in operation["responses"]


def test_the_verdict_summary_names_only_the_reasons_that_weighed(make_answers):
    from app.advisor.summary import verdict_summary

    # A strict format at volume, but modest volume savings: the summary must not claim scale or data.
    tuned = recommend(make_answers(output_consistency_need="high", domain_specificity="high",
                                   labeled_examples=300, monthly_requests=30000))
    assert tuned.verdict == "fine_tuning"
    text = verdict_summary(tuned)
    assert "a strict format, style or tone" in text and "specialised language" in text
    assert "volume" not in text and "plenty of good examples" not in text
    assert verdict_summary(tuned.model_dump(mode="json")) == text  # stored results are plain dicts
    rushed = recommend(make_answers(output_consistency_need="high", labeled_examples=5000,
                                    time_to_deploy_weeks=2))
    assert "a deadline too close for a tuning cycle" in verdict_summary(rushed)
    assert "do not yet make a clear case" in verdict_summary(recommend({}))
