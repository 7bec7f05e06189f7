"""The result page: verdict, charts, reasons, flips, techniques, costs with assumptions, and the rest."""

import re
from html.parser import HTMLParser

from sqlmodel import select

from app.models import Assessment
from tests.web.conftest import HTMX


def stored(session, name="Support bot") -> Assessment:
    session.expire_all()
    return session.exec(select(Assessment).where(Assessment.name == name)).one()


def test_result_page_explains_the_recommendation(team, client, session):
    token = team.complete()
    result = stored(session).recommendation
    html = client.get(f"/e/{token}/result").text
    assert "Our recommendation" in html
    assert re.search(r"(High|Moderate|Low) confidence \(\d+%\)", html)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert "<title id=\"score-chart-title\">" in html
    # The cost chart comes drawn for phones, tablets and desktops; CSS shows one.
    for layout in ("narrow", "medium", "wide"):
        assert f'<title id="cost-chart-{layout}-title">' in html
    assert "What would change this" in html
    for technique in result["techniques"]:
        assert technique["name"] in html
    for step in result["next_steps"]:
        assert step.replace("'", "&#39;").replace('"', "&#34;") in html
    assert "Costs over 24 months" in html
    assert "Revisit this assessment by" in html


def test_flips_are_sentences_with_question_and_choice_labels(team, client, session):
    token = team.complete()
    flips = stored(session).recommendation["flips"]
    html = client.get(f"/e/{token}/result").text
    if not flips:
        assert "No single change of one answer would change the verdict" in html
        return
    assert re.search(r"If “[^”]+” were [^,]+, the advice would be ", html)
    assert flips[0]["question"] not in re.findall(r"If “([^”]+)”", html)  # labels, not field ids


def test_notes_appear_on_the_result(team, client):
    token = team.complete()
    section = team.sections[1]
    question = section.questions[0]
    form = {q.id: "" for q in section.questions} | {f"note-{question.id}": "Ask the data team"}
    team.post_step(token, section, form)
    html = client.get(f"/e/{token}/result").text
    assert "Your notes" in html and "Ask the data team" in html and question.label in html


def test_htmx_request_for_the_result_gets_the_fragment(team, client):
    token = team.complete()
    response = client.get(f"/e/{token}/result", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and "Our recommendation" in response.text
    assert response.headers["vary"] == "HX-Request"


def test_changed_assumptions_recompute_costs_without_saving(team, client, session):
    token = team.complete()
    before = stored(session)
    saved_costs, version = before.recommendation["costs"], before.version
    response = client.get(f"/e/{token}/result", params={"costs": "1", "examples_in_prompt": "40",
                                                          "tokens_per_example": "500", "epochs": "2",
                                                          "prompt_caching": "on"})
    assert response.status_code == 200
    assert "These costs use the assumptions you set below" in response.text
    assert 'value="40"' in response.text
    after = stored(session)
    assert after.version == version and after.recommendation["costs"] == saved_costs
    assert "40 examples in each prompt (as you set it)" in response.text


def test_the_gpu_planning_figures_can_be_set_on_the_result_page(team, client):
    token = team.complete()
    params = {"costs": "1", "prompt_caching": "on", "gpu_prefill_tokens_per_second": "9,000",
              "gpu_decode_tokens_per_second": "1200", "peak_percent_of_average": "300"}
    response = client.get(f"/e/{token}/result", params=params)
    assert response.status_code == 200
    # The GPU-hour options say how they were sized, with the figures as set.
    assert "Sized for the busy hour at 300% of the average traffic" in response.text
    assert "at 9,000 and 1,200 tokens a second per L4" in response.text
    low = client.get(f"/e/{token}/result", params={**params, "peak_percent_of_average": "50"})
    assert low.status_code == 422 and "Enter a whole number from 100 to 10,000." in low.text


def test_a_bad_assumption_is_named_and_kept(team, client):
    token = team.complete()
    bad = {"costs": "1", "epochs": "1000", "tokens_per_example": "x"}
    response = client.get(f"/e/{token}/result", params=bad)
    assert response.status_code == 422
    assert 'value="1000"' in response.text and 'value="x"' in response.text
    assert "Enter a whole number from 1 to 100." in response.text
    assert 'id="assume-epochs-error"' in response.text


def test_result_links_back_into_the_wizard(team, client):
    token = team.complete()
    html = client.get(f"/e/{token}/result").text
    assert f'href="/e/{token}/step/{team.sections[0].id}"' in html


def test_the_result_escapes_the_name(team, client):
    team.start(name="<img src=x onerror=alert(1)>")
    token = team.complete()
    html = client.get(f"/e/{token}/result").text
    assert "<img src=x" not in html


def test_unknown_edit_token_is_404(client):
    assert client.get("/e/" + "B" * 43 + "/result").status_code == 404


def test_out_of_range_values_are_named_as_not_used(team, client):
    token = team.complete()
    bad = {"costs": "1", "examples_in_prompt": "2000000", "retrains_per_year": "-3", "epochs": "2"}
    response = client.get(f"/e/{token}/result", params=bad)
    assert response.status_code == 422
    html = response.text
    assert "These costs use the assumptions you set below" not in html
    assert re.search(r"Not used, because[^<]*Examples in each prompt, Retrains a year", html)
    assert "Enter a whole number from 0 to 1,000." in html
    assert "Enter a whole number from 0 to 365, or leave it empty." in html  # not "for example 3"
    assert "x 2 epochs" in html  # the good value is still used


def test_data_preparation_cost_can_be_set_in_the_form(team, client):
    token = team.complete()
    html = client.get(f"/e/{token}/result").text
    assert 'name="data_preparation_cost" value=""' in html  # empty: scaled with the number of examples
    response = client.get(f"/e/{token}/result", params={"costs": "1", "data_preparation_cost": "20,000"})
    assert response.status_code == 200
    assert "Data preparation: $20,000 once (as you set it)" in response.text


def test_the_cost_caption_names_retraining_when_it_kills_break_even(team, client):
    token = team.complete(requirements_change_frequency="weekly")
    html = client.get(f"/e/{token}/result").text
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html[html.index('id="costs"'):], re.S).group(1)
    assert "Retraining 52 times a year costs" in caption
    assert "saving per request is too small" not in html


def test_the_verdict_sentence_comes_from_the_reasons(team, client, session):
    from app.advisor.summary import verdict_summary

    token = team.complete()
    html = client.get(f"/e/{token}/result").text
    assert "the data, the need for consistency and the scale that make training pay off" not in html
    summary = verdict_summary(stored(session).recommendation)
    assert summary.replace("'", "&#39;") in html


def test_assumed_volume_is_shown_above_the_cost_figures(team, client):
    token = team.complete(monthly_requests="")
    html = client.get(f"/e/{token}/result").text
    headline = re.search(r'<p class="assumed-volume">(.*?)</p>', html, re.S)
    assumed = "10,000 requests a month (assumed, not answered yet; range 1,000-1,000,000)"
    assert headline and assumed in headline.group(1)
    assert html.index('class="assumed-volume"') < html.index('class="grid cost-figures"')


class _SectionText(HTMLParser):
    """Text inside each element carrying one of the watched classes (nested tags included)."""

    def __init__(self, classes: set[str]):
        super().__init__()
        self.classes, self.text, self._open = classes, {c: "" for c in classes}, []

    def handle_starttag(self, tag, attrs):
        names = set((dict(attrs).get("class") or "").split())
        self._open.append((tag, names & self.classes))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, watched in self._open:
            for name in watched:
                self.text[name] += data


def _texts(html: str, *classes: str) -> dict[str, str]:
    parser = _SectionText(set(classes))
    parser.feed(html)
    return {name: " ".join(text.split()) for name, text in parser.text.items()}


def test_each_side_lists_what_pushed_it_and_the_plan_says_how_to_test(team, client, session):
    # Engine 2.0.0: monthly change and private facts push toward prompting even when tuning wins overall.
    token = team.complete(output_consistency_need="high", labeled_examples="5000", data_quality="high",
                          requirements_change_frequency="monthly", needs_fresh_or_private_knowledge="yes",
                          time_to_deploy_weeks="12", use_case_breadth="narrow", budget="high",
                          ml_expertise="strong", model_access="both", gpu_access="cloud",
                          knowledge_in_base_model="partly", domain_specificity="high",
                          monthly_requests="100000")
    result = stored(session).recommendation
    assert result["verdict"] == "hybrid"
    html = client.get(f"/e/{token}/result").text
    text = _texts(html, "reasons-prompt_engineering", "evaluation-plan", "confidence-explained")
    prompting = text["reasons-prompt_engineering"]
    assert "Requirements change monthly" in prompting and "not scored" in prompting
    assert "Nothing in your answers points this way" not in prompting
    assert "Hold out 1,000 of your 5,000 examples" in text["evaluation-plan"]  # review F16 wording
    assert f"What {round(result['confidence'] * 100)}% means" in text["confidence-explained"]


class _CostRows(HTMLParser):
    """The rows of the cost options table: (row id, classes, text)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "cost-options" in (attrs.get("class") or ""):
            self._inside = True
        elif tag == "tr" and self._inside and (attrs.get("id") or "").startswith("cost-option-"):
            self.rows.append([attrs["id"].removeprefix("cost-option-"), attrs.get("class") or "", ""])

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False

    def handle_data(self, data):
        if self._inside and self.rows:
            self.rows[-1][2] += data


def test_the_result_page_shows_every_priced_option_and_marks_the_recommended_one(team, client, session):
    token = team.complete()
    costs = stored(session).recommendation["costs"]
    parser = _CostRows()
    parser.feed(client.get(f"/e/{token}/result").text)
    assert [row[0] for row in parser.rows] == [option["id"] for option in costs["options"]]
    marked = [row for row in parser.rows if "recommended" in row[1]]
    assert [row[0] for row in marked] == [costs["recommended_option"]]
    assert "Recommended" in marked[0][2]


def test_the_planning_figures_of_the_cost_model_can_be_set_in_the_form(team, client):
    token = team.complete(needs_fresh_or_private_knowledge=True)
    response = client.get(f"/e/{token}/result", params={"costs": "1", "retrieval_service_monthly": "900",
                                                          "static_share_percent": "80"})
    assert response.status_code == 200
    assert "$900.00 a month for the retrieval service" in response.text
    assert 'name="static_share_percent" value="80"' in response.text
    assert "These costs use the assumptions you set below" in response.text  # both accepted


def test_an_on_device_team_sees_the_on_device_option_not_hosted_per_token_figures(team, client):
    # Review finding F4: the v1 pair priced GPT-6 Luna and a Fireworks deployment for a team whose model
    # runs on the device.
    token = team.complete(deployment="on_device")
    html = client.get(f"/e/{token}/result").text
    section = _SectionText({"on-device-cost", "assumptions"})
    section.feed(html)
    assert "not priced per token or per GPU-hour" in section.text["on-device-cost"]
    assert 'class="grid cost-figures"' not in html
    assert "GPT-6 Luna at" not in section.text["assumptions"]
    assert "On the device: no per-token or GPU-hour cost" in section.text["assumptions"]
