"""The home page."""

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.web.render import render, route_path
from app.web.workspace_cookie import remembered_workspace

router = APIRouter()


@router.get("/", name="home")
def home(request: Request, session: SessionDep):
    # A browser that remembers a workspace starts the next assessment there and sees the way back to it.
    token = remembered_workspace(request, session=session)
    context = {"workspace": None}
    if token:
        context["workspace"] = {
            "url": route_path(request, "workspace", workspace_token=token),
            "new_url": route_path(request, "new_in_workspace", workspace_token=token),
        }
    # The page may hold a secret link, and differs per browser: no cache may keep it.
    return render(request, "home.html", context, headers={"Cache-Control": "no-store"})
