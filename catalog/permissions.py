"""Who may do what with reference data and drafts: every rule once, here.

Views, back-office querysets and the API all call these functions. A user's
memberships are read once per user object and kept on it, so checking many
rows costs no further queries.

- A county editor (县委编办) manages everything in their county: reference
  data, catalogues and every list until it is approved.
- A township official sees and edits their own township's list, and edits it
  only while it is with the township (起草, 一下, 二下).
- A department reviewer, the county leader and a consultee see the drafts of
  their county and never edit a list.
- A province or city editor (省级、市级编办) reads every county below them — its drafts,
  boards and comparisons — and changes none of them (`supervised_county_ids`). The province's
  editors keep the province's reference catalogue, which its city editors and every county role
  below read; a county's editors claim its entries for the county (`catalog.claims`).
- Nobody else sees another county's drafts. Superusers are system administrators.
"""

from django.db.models import Q, QuerySet

from .models import (
    Catalogue,
    City,
    County,
    Department,
    DutyItem,
    DutyList,
    Job,
    Membership,
    Province,
    RegionMembership,
)

Role = Membership.Role


def memberships_of(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("county", "township", "department"))
        user._memberships_cache = cached
    return cached


def region_memberships_of(user) -> list[RegionMembership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_region_memberships_cache", None)
    if cached is None:
        cached = list(RegionMembership.objects.filter(user=user).select_related("province", "city"))
        user._region_memberships_cache = cached
    return cached


def supervised_county_ids(user) -> set[int]:
    """Counties a province or city editor reads from above (one query per user object, then kept)."""
    cached = getattr(user, "_supervised_counties_cache", None)
    if cached is None:
        regions = region_memberships_of(user)
        provinces = [m.province_id for m in regions if m.province_id]
        cities = [m.city_id for m in regions if m.city_id]
        cached = set()
        if regions:
            cached = set(
                County.objects.filter(Q(city__province__in=provinces) | Q(city__in=cities)).values_list(
                    "pk", flat=True
                )
            )
        if user.is_authenticated:
            user._supervised_counties_cache = cached
    return cached


def can_supervise_county(user, county: County | int) -> bool:
    """Read the county from above: its drafts, board, comparison and statistics, never a change."""
    county_id = county if isinstance(county, int) else county.pk
    return user.is_superuser or county_id in supervised_county_ids(user)


def can_edit_province_catalogue(user, province: Province | int) -> bool:
    """Keep the province's reference catalogues (省级参考目录): the one write a province editor has."""
    province_id = province if isinstance(province, int) else province.pk
    return user.is_superuser or any(
        m.role == RegionMembership.Role.PROVINCE_EDITOR and m.province_id == province_id
        for m in region_memberships_of(user)
    )


def can_see_region(user, region: Province | City) -> bool:
    """A province's or city's supervising pages: the editors of that province, or of that city or
    the province above it (no query beyond the user's region memberships)."""
    if user.is_superuser:
        return True
    if isinstance(region, Province):
        return any(m.province_id == region.pk for m in region_memberships_of(user))
    return any(
        m.city_id == region.pk or (m.province_id and m.province_id == region.province_id)
        for m in region_memberships_of(user)
    )


def can_read_province_catalogue(user, province: Province | int) -> bool:
    """Read the province's reference catalogues: its editors, its cities' editors and every county
    role of a county in it."""
    province_id = province if isinstance(province, int) else province.pk
    if can_edit_province_catalogue(user, province_id):
        return True
    if any(m.city_id and m.city.province_id == province_id for m in region_memberships_of(user)):
        return True
    counties = {m.county_id for m in memberships_of(user)}
    return bool(counties) and County.objects.filter(pk__in=counties, city__province_id=province_id).exists()


def can_edit_catalogue(user, catalogue: Catalogue) -> bool:
    """Change a catalogue's entries, by hand or from a workbook: a county's catalogue its editors, a
    province's the province's editors."""
    if catalogue.is_provincial:
        return can_edit_province_catalogue(user, catalogue.province_id)
    return can_manage_county(user, catalogue.county_id)


def can_read_catalogue(user, catalogue: Catalogue) -> bool:
    """Download a catalogue: a county's its editors (who keep it), a province's whoever reads it."""
    if catalogue.is_provincial:
        return can_read_province_catalogue(user, catalogue.province_id)
    return can_manage_county(user, catalogue.county_id)


def can_claim_for(user, county: County | int) -> bool:
    """Claim entries of the province's catalogue into the county's, or drop them: the county's
    editors only — never a province or city editor for the county."""
    return can_manage_county(user, county)


def regions_of(user) -> list[Province | City]:
    """The provinces and cities a user supervises from (for 我的工作's links)."""
    return [m.province or m.city for m in region_memberships_of(user)]


def edited_county_ids(user) -> set[int]:
    """Counties whose reference data and drafts the user manages as county editor."""
    return {m.county_id for m in memberships_of(user) if m.role == Role.COUNTY_EDITOR}


def is_county_editor(user) -> bool:
    return user.is_superuser or bool(edited_county_ids(user))


def can_manage_county(user, county: County | int) -> bool:
    """Edit the county's reference data: townships, offices, departments, categories, catalogues."""
    county_id = county if isinstance(county, int) else county.pk
    return user.is_superuser or county_id in edited_county_ids(user)


def can_create_reference_data(user, county: County | int) -> bool:
    """Add departments, categories and offices (an import naming new ones included): the county editor's."""
    return can_manage_county(user, county)


def can_start_list(user, township=None) -> bool:
    """Create a township's list (any township of the user's counties when `township` is None)."""
    if township is None:
        return is_county_editor(user)
    return can_manage_county(user, township.county_id)


def can_see_county_drafts(user, county: County) -> bool:
    """Every draft of a county at once (its download, 交叉比对 of its drafts): whoever sees all of them."""
    if user.is_superuser:
        return True
    return any(
        m.county_id == county.pk and m.role != Role.TOWNSHIP_OFFICIAL for m in memberships_of(user)
    ) or can_supervise_county(user, county)


def can_export_county(user, county: County) -> bool:
    """Download every draft of a county at once."""
    return can_see_county_drafts(user, county)


def can_see_ledger(user, department: Department) -> bool:
    """A department's ledger (部门事项台账): its own reviewers, and the editors of its county."""
    if can_manage_county(user, department.county_id):
        return True
    return any(
        m.role == Role.DEPARTMENT_REVIEWER and m.department_id == department.pk for m in memberships_of(user)
    )


def ledgers_of(user, county: County) -> list[Department]:
    """The departments of the county whose ledger the user may see, in the county's order."""
    departments = Department.objects.filter(county=county).order_by("order", "name")
    if can_manage_county(user, county.pk):
        return list(departments)
    own = {m.department_id for m in memberships_of(user) if m.role == Role.DEPARTMENT_REVIEWER}
    return list(departments.filter(pk__in=own))


def is_official_of(user, township) -> bool:
    return any(
        m.role == Role.TOWNSHIP_OFFICIAL and m.township_id == township.pk for m in memberships_of(user)
    )


def can_see_township(user, township) -> bool:
    """Whether the township's drafts are any of the user's business (else it answers 404)."""
    if user.is_superuser or is_official_of(user, township):
        return True
    return any(
        m.county_id == township.county_id and m.role != Role.TOWNSHIP_OFFICIAL for m in memberships_of(user)
    ) or can_supervise_county(user, township.county_id)


def can_import_into(user, township, duty_list: DutyList | None) -> bool:
    """Import a workbook into the township's draft; without one, the import starts it."""
    if duty_list is None:
        return can_start_list(user, township) or is_official_of(user, township)
    return can_edit_list(user, duty_list)


def can_view_list(user, duty_list: DutyList) -> bool:
    if user.is_superuser:
        return True
    township = duty_list.township
    for membership in memberships_of(user):
        if membership.role == Role.TOWNSHIP_OFFICIAL:
            if membership.township_id == township.pk:
                return True
        elif membership.county_id == township.county_id:
            return True
    return can_supervise_county(user, township.county_id)


def can_edit_list(user, duty_list: DutyList) -> bool:
    if duty_list.stage in DutyList.LOCKED_STAGES:
        return False
    if can_manage_county(user, duty_list.township.county_id):
        return True
    return duty_list.stage in DutyList.TOWNSHIP_EDIT_STAGES and any(
        m.role == Role.TOWNSHIP_OFFICIAL and m.township_id == duty_list.township_id
        for m in memberships_of(user)
    )


def notes_are_open(duty_list: DutyList) -> bool:
    """批注 are for the rounds of correction while the draft is with the township."""
    return duty_list.stage in DutyList.TOWNSHIP_EDIT_STAGES


def can_take_part_in_notes(user, duty_list: DutyList) -> bool:
    """The township's own officials and the county's editors write notes on its draft to each other."""
    return is_official_of(user, duty_list.township) or can_manage_county(user, duty_list.township.county_id)


def can_edit_item(user, item: DutyItem) -> bool:
    """A decided item stays as the county leader decided it for the rest of the cycle."""
    return not item.is_decided and can_edit_list(user, item.duty_list)


def visible_lists(user) -> QuerySet[DutyList]:
    """The lists `can_view_list` lets the user see, as one query."""
    lists = DutyList.objects.all()
    if user.is_superuser:
        return lists
    if not user.is_authenticated:
        return lists.none()
    memberships = memberships_of(user)
    townships = [m.township_id for m in memberships if m.role == Role.TOWNSHIP_OFFICIAL]
    counties = [m.county_id for m in memberships if m.role != Role.TOWNSHIP_OFFICIAL]
    # The supervised counties as a subquery, not one more query on every list page.
    regions = RegionMembership.objects.filter(user=user)
    supervised = Q(township__county__city__province__in=regions.values("province")) | Q(
        township__county__city__in=regions.values("city")
    )
    return lists.filter(Q(township__in=townships) | Q(township__county__in=counties) | supervised)


def can_see_job(user, job: Job) -> bool:
    """A public download is anyone's; a county's drafts only whoever may export them (the requester is one)."""
    if job.kind == Job.Kind.COUNTY_DOWNLOAD:
        return True
    return user.is_authenticated and can_export_county(user, job.county)
