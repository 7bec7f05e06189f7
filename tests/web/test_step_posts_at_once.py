"""No more than STEP_POSTS_AT_ONCE wizard step posts do their database work at once in a process; the
rest wait on the event loop, first come first served, and every one of them is answered."""

import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import anyio
import anyio.to_thread
from fastapi.responses import Response

from app.web import loop_saves, wizard

POSTS = 2 * wizard.STEP_POSTS_AT_ONCE


def test_step_posts_beyond_the_limit_wait_for_a_turn_and_all_are_answered(monkeypatch):
    working, most, released = 0, 0, threading.Event()
    changed = threading.Condition()
    order = []

    def work(_request, edit_token, _section_id, _form):  # stands for the look-up, save and render
        nonlocal working, most
        with changed:
            working += 1
            most = max(most, working)
            order.append(edit_token)
            changed.notify_all()
        released.wait()
        with changed:
            working -= 1
        return Response(edit_token)

    async def no_form(_request):
        return {}

    async def left_to_a_thread(*_args):  # as the posts the event loop leaves to the usual way
        return None

    monkeypatch.setattr(wizard, "_save_step_in_session", work)
    monkeypatch.setattr(loop_saves, "save_on_loop", left_to_a_thread)
    monkeypatch.setattr(wizard, "posted_form", no_form)
    # PostgreSQL's usual way: each post's work goes to a worker thread (SQLite's is done on the event loop).
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(is_sqlite=False)))
    request = SimpleNamespace(app=app)  # what the test reads the limiter from
    answers = {}

    async def post(number: int) -> None:
        path = {"edit_token": f"post-{number}", "section_id": "section"}
        posted = SimpleNamespace(app=app, path_params=path)
        response = await wizard.save_step(posted)
        answers[number] = response.body.decode()

    def limit_reached() -> bool:
        with changed:
            return changed.wait_for(lambda: working == wizard.STEP_POSTS_AT_ONCE, timeout=10)

    async def all_posts() -> None:
        async with anyio.create_task_group() as posts:
            for number in range(POSTS):
                posts.start_soon(post, number)
            try:
                assert await anyio.to_thread.run_sync(limit_reached)  # waits on the condition, in a thread
                statistics = request.app.state.step_posts.statistics()
                assert statistics.borrowed_tokens == wizard.STEP_POSTS_AT_ONCE
                assert statistics.tasks_waiting == POSTS - wizard.STEP_POSTS_AT_ONCE
            finally:
                released.set()

    # An event loop of its own, on a thread of its own: a browser test before this one in the same
    # process leaves Playwright's loop running on the main thread.
    with ThreadPoolExecutor(1) as loop_thread:
        loop_thread.submit(anyio.run, all_posts).result(timeout=30)
    assert most == wizard.STEP_POSTS_AT_ONCE
    assert answers == {number: f"post-{number}" for number in range(POSTS)}
    # First come, first served: the first posts were the first let in.
    assert set(order[:wizard.STEP_POSTS_AT_ONCE]) == {f"post-{n}" for n in range(wizard.STEP_POSTS_AT_ONCE)}
