"""The filters of the item lists, as query parameters (django-filter). A refused value answers 400 with
the parameter as `field`; text and department filters are the public site's own (publication.queries)."""

import django_filters
from django.db import connection
from drf_spectacular.utils import extend_schema_field

from catalog.columns import COLUMN, Part
from catalog.models import county_code_validator, township_code_validator
from catalog.synonyms import synonyms_of
from publication import queries
from publication.models import EditionItem

FLAG_CHOICES = [("true", "是"), ("false", "否")]


class EditionItemFilter(django_filters.FilterSet):
    """The filters of one edition's items."""

    part = django_filters.ChoiceFilter(choices=Part.choices, label=COLUMN["part"].label)
    category = django_filters.CharFilter(label="类别名称（如“党的建设”）")
    department = django_filters.CharFilter(
        method="filter_department", label="县级部门名称：作为主责部门或收回（承接）部门", max_length=50
    )
    is_safeguard = django_filters.ChoiceFilter(
        choices=FLAG_CHOICES, method="filter_safeguard", label=COLUMN["is_safeguard"].label
    )
    q = django_filters.CharFilter(
        method="filter_text",
        label="查找事项：空格分开的词须都出现（含同义词，如 低保→最低生活保障）",
        max_length=50,
    )

    class Meta:
        model = EditionItem
        fields = ["part", "category", "department", "is_safeguard", "q"]

    def filter_department(self, items, name, value):
        return queries.naming_department(items, value.strip())

    @extend_schema_field({"type": "string", "enum": [value for value, _ in FLAG_CHOICES]})
    def filter_safeguard(self, items, name, value):
        return items.filter(is_safeguard=value == "true")

    def filter_text(self, items, name, value):
        if not value.strip():
            return items
        # Every county's synonyms of these words: the filters are applied one by one, not knowing
        # the county here.
        synonyms = synonyms_of(None, words=value.split())
        return queries.matching(items, value.strip(), connection.vendor, synonyms)


class ItemFilter(EditionItemFilter):
    """The filters of the items in force of every township."""

    county = django_filters.CharFilter(
        field_name="edition__township__county__code",
        label="县级行政区划代码（6 位）",
        validators=[county_code_validator],
    )
    township = django_filters.CharFilter(
        field_name="edition__township__code",
        label="乡镇（街道）代码（9 位）",
        validators=[township_code_validator],
    )

    class Meta(EditionItemFilter.Meta):
        fields = ["county", "township", *EditionItemFilter.Meta.fields]
