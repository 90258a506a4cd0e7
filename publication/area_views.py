"""The public site's levels: the index (provinces), a province (its cities), a city (its counties), a
county (its townships) and the counties not yet placed under a city. Anonymous, no script needed;
each page a fixed number of queries (`publication.areas`). An area with nothing published has no
page, as a township without an edition has none."""

from django.http import Http404
from django.shortcuts import render

from catalog.models import County, Province

from . import areas

EMPTY = "该地区还没有公布的清单。"
CITIES = "市（地区、州、盟）"
COUNTIES = "县（市、区）"


def index(request):
    context = {"provinces": areas.provinces_in_force(), "unplaced": areas.unplaced_in_force()}
    return render(request, "publication/index.html", context)


def area_page(request, code: str):
    place = areas.area(code)
    if isinstance(place, County):
        return county_page(request, place)
    if isinstance(place, Province):
        rows, child = areas.cities_in_force(place), CITIES
    else:
        rows, child = areas.counties_in_force(place), COUNTIES
    return children_page(request, place.name, place.code, areas.trail(place), rows, child)


def unplaced_counties(request):
    rows = areas.counties_in_force(None)
    trail = areas.trail(None)
    return children_page(request, areas.UNPLACED_NAME, "", trail, rows, COUNTIES)


def children_page(request, name: str, code: str, trail, rows, child: str):
    if not rows:
        raise Http404(EMPTY)
    context = {
        "name": name,
        "code": code,
        "trail": trail,
        "rows": rows,
        "child": child,
        "counts_counties": child == CITIES,  # a county row is one county
    }
    return render(request, "publication/area.html", context)


def county_page(request, county: County):
    editions = areas.townships_in_force(county)
    if not editions:
        raise Http404(EMPTY)
    context = {"county": county, "editions": editions, "trail": areas.trail(county)}
    return render(request, "publication/area_county.html", context)
