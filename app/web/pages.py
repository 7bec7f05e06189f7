"""The home page."""

from fastapi import APIRouter, Request

from app.web.render import render

router = APIRouter()


@router.get("/", name="home")
def home(request: Request):
    return render(request, "home.html")
