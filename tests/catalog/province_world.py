"""A province's reference catalogue above the cast's county, shared by the province catalogue tests."""

from dataclasses import dataclass

from catalog.models import Catalogue, CatalogueEntry, Category, County, Department, Part
from tests.conftest import make_category, make_county, make_department


def province_entry(catalogue: Catalogue, name: str, part: str = Part.BASIC, **fields) -> CatalogueEntry:
    defaults = {"category_name": "民生服务", "basis": "《社会救助暂行办法》"}
    if part == Part.BASIC:
        defaults["content"] = "受理、初审"
    if part == Part.COORDINATED:
        defaults |= {
            "lead_department_names": "县民政局",
            "department_duties": "负责",
            "township_duties": "配合",
        }
    if part == Part.RECLAIMED:
        defaults |= {"receiving_department_name": "县民政局", "reclaim_reason": "由县民政局直接实施"}
    return CatalogueEntry.objects.create(catalogue=catalogue, name=name, part=part, **(defaults | fields))


@dataclass
class ProvinceWorld:
    county: County
    catalogue: Catalogue  # the province's
    template: Catalogue  # the county's 县级标准模板
    category: Category
    department: Department
    basic: CatalogueEntry
    coordinated: CatalogueEntry


def province_world(duty_list) -> ProvinceWorld:
    """The cast's county (its province's editors in the cast) with its template, a category and a
    department the province names, and a province catalogue of a basic and a coordinated entry."""
    county = duty_list.township.county
    catalogue = Catalogue.objects.create(
        province=county.city.province, name="省级参考目录", kind=Catalogue.Kind.OTHER
    )
    return ProvinceWorld(
        county=county,
        catalogue=catalogue,
        template=Catalogue.objects.create(county=county, name="县级标准模板", kind=Catalogue.Kind.TEMPLATE),
        category=make_category(county, "民生服务"),
        department=make_department(county, "县民政局"),
        basic=province_entry(catalogue, "农村低保审核"),
        coordinated=province_entry(catalogue, "殡葬管理", Part.COORDINATED),
    )


def more_counties(county: County, other_city) -> tuple[County, County]:
    """A second county in the cast county's city, and one in another city of the same province."""
    return make_county("东县", city=county.city), make_county("西县", city=other_city)
