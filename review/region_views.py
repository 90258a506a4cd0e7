"""The province's or city's board (省级、市级看板): read-only, for the editors of that province or
city and system administrators; any other code answers 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from catalog.regions import region_in_view

from .region_queries import region_board


@login_required
def board(request, code: str):
    region = region_in_view(request.user, code)
    return render(request, "review/region_board.html", {"board": region_board(region)})
