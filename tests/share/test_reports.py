"""The PDF summary: what it says, how it looks, what it may fetch, how it is served."""

import io
import multiprocessing
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from pypdf import PdfReader

from app.advisor.words import verdict_label
from app.dates import day
from app.paths import resource_dir
from app.questionnaire.wording import answer_text
from app.reports.answers import answer_sections
from app.reports.fetcher import StaticOnlyFetcher
from app.reports.pdf import PdfRenderer, render_pdf
from tests.conftest import ROOT, require_tool
from tests.share import renderers
from tests.share.conftest import assert_shared_page_headers, example_answers, share_assessment

ARTIFACTS = ROOT / "test-artifacts"


def pdf_text(content: bytes) -> tuple[list[str], str]:
    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() for page in reader.pages]
    return pages, "\n".join(pages)


def flat(text: str) -> str:
    """Text with line breaks undone, to look for phrases the layout may have wrapped."""
    return " ".join(text.split())


def test_report_reads_as_a_document(client, shared):
    response = client.get(f"/e/{shared.edit_token}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(response.content)
    result = shared.assessment.recommendation
    first = flat(pages[0])
    assert "Support bot" in first
    assert verdict_label(result["verdict"]) in first
    assert f"{round(result['confidence'] * 100)}%" in first
    assert f"version {shared.assessment.questionnaire_version}" in first
    assert f"/v/{shared.view_token}" in first.replace(" ", "")
    body = flat(text)
    for heading in (
        "Why this recommendation",
        "What would change it",
        "Techniques to use",
        "Costs over time",
        "Risks and mitigations",
        "Next steps",
        "Appendix: answers and notes",
    ):
        assert heading in body
    assert flat(result["reasons"][0]["text"]) in body
    assert answer_text("task_type", "conversation") in body
    assert "Support can label 500 tickets by May." in body
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_the_pdf_embeds_its_fonts(client, shared):
    reader = PdfReader(io.BytesIO(client.get(f"/e/{shared.edit_token}/report.pdf").content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
            fonts.add(str(descriptor["/FontName"]))
    assert any("DejaVu" in name for name in fonts)


def test_page_one_as_png_for_a_person_to_look_at(client, session):
    shared = share_assessment(
        session,
        name="Contract clause extraction",
        notes={"labeled_examples": "Legal has 12,000 reviewed clauses."},
        answers={
            "task_type": "extraction",
            "accuracy_criticality": "high",
            "output_consistency_need": "high",
            "domain_specificity": "high",
            "knowledge_in_base_model": "partly",
            "labeled_examples": 12000,
            "data_quality": "high",
            "budget": "medium",
            "gpu_access": "cloud",
            "ml_expertise": "some",
            "time_to_deploy_weeks": 12,
            "monthly_requests": 400000,
            "avg_prompt_tokens_without_examples": 1500,
            "avg_output_tokens": 300,
            "requirements_change_frequency": "rare",
        },
    )
    response = client.get(f"/e/{shared.edit_token}/report.pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "report.pdf"
    pdf_path.write_bytes(response.content)
    pdftoppm = require_tool("pdftoppm")
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(ARTIFACTS / "report-page-1"),
        ],
        check=True,
    )
    png = ARTIFACTS / "report-page-1.png"
    assert png.stat().st_size > 20_000  # a page with text and a chart, not a blank one


def test_view_link_pdf_is_the_same_report_and_never_shows_the_edit_link(client, shared):
    response = client.get(f"/v/{shared.view_token}/report.pdf")
    assert response.status_code == 200
    _, text = pdf_text(response.content)
    assert "Support bot" in text
    assert shared.edit_token not in text.replace("\n", "").replace(" ", "")


def test_pdf_response_is_typed_named_and_not_cached_or_indexed(client, session):
    shared = share_assessment(session, name='Plan "B"\r\nX-Evil: 1 ü')
    response = client.get(f"/e/{shared.edit_token}/report.pdf")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"plan-b-x-evil-1-u.pdf\"; filename*=UTF-8''")
    assert "\r" not in disposition and "\n" not in disposition
    assert "x-evil" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert_shared_page_headers(response)


def test_comparison_pdf_puts_assessments_side_by_side(client, shared):
    other = shared.add("Support bot, with data", answers={"labeled_examples": 5000, "data_quality": "high"})
    path = f"/w/{shared.workspace_token}/compare/report.pdf"
    response = client.get(path, params=[("a", shared.assessment.id), ("a", other.id)])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(response.content)
    body = flat(text)
    assert "Comparison of 2 assessments" in body
    assert "Support bot" in body and "Support bot, with data" in body
    assert "Verdict" in body and answer_text("labeled_examples", 5000) in body
    assert "Page 1 of" in pages[0]


def test_comparison_pdf_shows_each_assessments_notes_in_its_column(client, shared):
    other = shared.add("Support bot, with data", answers={"labeled_examples": 5000},
                       notes={"labeled_examples": "Exported from Zendesk in March."})
    path = f"/w/{shared.workspace_token}/compare/report.pdf"
    response = client.get(path, params=[("a", shared.assessment.id), ("a", other.id)])
    assert response.status_code == 200
    body = flat(pdf_text(response.content)[1])
    assert "Note: Support can label 500 tickets by May." in body  # the shared assessment's note
    assert "Note: Exported from Zendesk in March." in body


def test_comparison_pdf_needs_two_to_four_of_the_workspaces_assessments(client, session, shared):
    path = f"/w/{shared.workspace_token}/compare/report.pdf"
    one = client.get(path, params={"a": shared.assessment.id}, follow_redirects=False)
    assert one.status_code == 303 and "/compare?" in one.headers["location"]
    stranger = share_assessment(session, name="Elsewhere")
    other = client.get(path, params=[("a", shared.assessment.id), ("a", stranger.assessment.id)])
    assert other.status_code == 404


# --- what a rendering may fetch ---------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Records every outgoing connection attempt and refuses it."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_fetcher_serves_static_files_and_refuses_everything_else(tmp_path, no_network):
    secret = tmp_path / "secret.css"
    secret.write_text("body::before { content: 'MARKER-SECRET-CSS'; }")
    image = tmp_path / "secret.png"
    image.write_bytes(b"MARKER-SECRET-PNG")
    html = f"""<html><head><link rel="stylesheet" href="css/report.css">
      <link rel="stylesheet" href="file://{secret}"></head><body>
      <p>Hello</p>
      <img src="http://127.0.0.1:9/x.png"><img src="https://example.com/y.png">
      <img src="file://{image}"><img src="file:///etc/passwd"><img src="../app/config.py">
      <img src="ftp://example.com/z"></body></html>"""
    fetcher = StaticOnlyFetcher(resource_dir("static"))
    pdf = render_pdf(html, fetcher)
    _, text = pdf_text(pdf)
    assert "Hello" in text and "MARKER" not in text
    assert no_network == []
    refused = "\n".join(fetcher.refused)
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.com/y.png",
        str(secret),
        str(image),
        "/etc/passwd",
        "app/config.py",
        "ftp://example.com/z",
    ):
        assert url in refused, url
    assert "report.css" not in refused


class InProcessRenderer:
    """The route's own render_pdf, run in the test process so that spies and the network guard see it."""

    async def render(self, html: str) -> bytes:
        return render_pdf(html)

    def close(self) -> None:
        pass


def test_user_text_with_markup_renders_as_text_and_fetches_nothing(client, app, session, monkeypatch,
                                                                     no_network):
    app.state.pdf_renderer = InProcessRenderer()
    asked = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    name = '<img src="http://127.0.0.1:9/x.png"><link rel=stylesheet href="file:///etc/passwd">'
    shared = share_assessment(
        session, name=name[:200], notes={"budget": '<img src="file:///etc/passwd"> <script>alert(1)</script>'}
    )
    response = client.get(f"/e/{shared.edit_token}/report.pdf")
    assert response.status_code == 200
    _, text = pdf_text(response.content)
    unwrapped = text.replace("\n", "")  # long markup-like words wrap anywhere
    assert '<img src="http://127.0.0.1:9/x.png">' in unwrapped
    assert "<script>alert(1)</script>" in unwrapped
    assert "root:" not in text
    assert any(url.endswith("css/report.css") for url in asked), asked  # the route's fetcher was used
    assert all(Path(url.removeprefix("file://")).is_relative_to(resource_dir("static")) for url in asked), (
        asked
    )
    assert no_network == []


def test_a_stuck_rendering_is_stopped_with_503_while_the_app_keeps_answering(client, shared, app):
    app.state.pdf_renderer = PdfRenderer(1, 1.0, render=renderers.stuck)
    before = set(multiprocessing.active_children())
    try:
        started = time.monotonic()
        slow = ThreadPoolExecutor(1).submit(client.get, f"/e/{shared.edit_token}/report.pdf")
        workers = set()
        while not slow.done():  # the app answers other requests while the rendering is stuck
            assert client.get("/healthz").status_code == 200
            workers |= set(multiprocessing.active_children()) - before
            time.sleep(0.1)
        response = slow.result()
        assert response.status_code == 503 and response.headers["retry-after"]
        assert "try again" in response.text
        assert time.monotonic() - started < 1.0 + 5
        # An abandoned thread would run on for two minutes; the worker process is gone.
        assert workers and not any(worker.is_alive() for worker in workers)
    finally:
        app.state.pdf_renderer.close()


def test_renderings_beyond_the_limit_wait_their_turn(tmp_path):
    renderer = PdfRenderer(1, 30, render=renderers.logged)
    log = tmp_path / "renderings.log"

    async def three_at_once():
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(renderer.render, str(log))

    try:  # in a thread of its own: the session's Playwright browser may hold this thread's event loop
        ThreadPoolExecutor(1).submit(anyio.run, three_at_once).result()
    finally:
        renderer.close()
    assert log.read_text().split() == ["start", "end"] * 3  # one at a time, never overlapping


def test_a_real_report_renders_in_a_worker_process(client, shared, app):
    response = client.get(f"/e/{shared.edit_token}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert multiprocessing.active_children(), "no worker process rendered it"


def test_the_report_words_open_answers_dates_risks_and_draws_one_cost_chart(client, session):
    answers = example_answers("legal-assistant") | {"avg_output_tokens": None}
    shared = share_assessment(session, answers=answers)
    shared.assessment.status = "complete"
    session.add(shared.assessment)
    session.flush()
    _, text = pdf_text(client.get(f"/e/{shared.edit_token}/report.pdf").content)
    body = flat(text)
    appendix = body.split("Appendix: answers and notes", 1)[1]
    assert "Not sure yet" in appendix and "Not answered" not in appendix
    assert day(shared.assessment.updated_at) in body  # "3 Dec 2026", as on the pages
    assert body.count("Months from launch") == 1  # one of the chart's drawings, the one drawn for paper
    risk = shared.assessment.recommendation["risks"][0]["text"]
    name, _, detail = risk.partition(": ")
    assert name in body and detail[1:] in body


def test_answer_sections_say_not_sure_yet_only_for_steps_the_team_went_past():
    answers = {"task_type": "conversation", "labeled_examples": 0}
    rows = {row.question_id: row.value for section in answer_sections(answers, status="quality")
            for row in section.rows}
    assert rows["use_case_breadth"] == "Not sure yet"  # on the first step, which the team left
    assert rows["accuracy_criticality"] == "Not answered"  # the step they are on
    assert "data_quality" not in rows  # ruled out by no examples: never asked
    finished = answer_sections(answers, status="complete")
    assert all(row.value != "Not answered" for section in finished for row in section.rows)


def test_an_on_device_report_shows_the_on_device_option_not_the_hosted_pair(client, session):
    # Review finding F4: the PDF priced a hosted prompt and a Fireworks deployment for an on-device team.
    answers = example_answers("legal-assistant") | {"deployment": "on_device", "model_access": "open_weights"}
    shared = share_assessment(session, answers=answers)
    shared.assessment.status = "complete"
    session.add(shared.assessment)
    session.flush()
    _, text = pdf_text(client.get(f"/e/{shared.edit_token}/report.pdf").content)
    body = flat(text)
    costs = body.split("4. Costs over time", 1)[1].split("5. Risks and mitigations", 1)[0]
    assert "not priced per token or per GPU-hour" in costs
    assert "Prompt engineering, per month" not in costs and "GPT-6 Luna at" not in costs
