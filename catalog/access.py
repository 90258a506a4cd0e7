"""What a signed-in user reaches by address, for the workbench's pages and the API alike.

A list or an item the user may not see answers 404, so other counties' and other townships' drafts
stay unseen; an item the user sees but may not change is refused by the item service's own check
(`services.check_can_edit`: a decided item, a list at a stage the user does not edit), so a page and
the API answer the same status and message.
"""

from django.http import Http404

from . import permissions, queries, services
from .models import DutyItem, DutyList, Township
from .refusals import Forbidden

LIST_MISSING = "清单不存在。"
ITEM_MISSING = "事项不存在。"


def visible_list(user, list_id: int) -> DutyList:
    """The list with its part counts, if the user may see it."""
    try:
        duty_list = queries.list_for_editor(list_id)
    except DutyList.DoesNotExist:
        raise Http404(LIST_MISSING) from None
    if not permissions.can_view_list(user, duty_list):
        raise Http404(LIST_MISSING)
    return duty_list


def editable_list(user, list_id: int) -> DutyList:
    """The list, if the user may see it and add items to it now."""
    duty_list = visible_list(user, list_id)
    if not permissions.can_edit_list(user, duty_list):
        raise Forbidden(
            f"清单“{duty_list}”处于“{duty_list.get_stage_display()}”阶段，您不能修改。",
            code="cannot_edit_list",
        )
    return duty_list


def visible_item(user, item_id: int, *, edit: bool = True) -> DutyItem:
    """The item, if the user may see its list; with `edit`, refused unless the user may change it."""
    item = (
        DutyItem.objects.select_related("duty_list__township__county", "category", "responsible_office")
        .filter(pk=item_id)
        .first()
    )
    if item is None or not permissions.can_view_list(user, item.duty_list):
        raise Http404(ITEM_MISSING)
    if edit:
        services.check_can_edit(user, item)
    return item


def township_for_import(user, code: str) -> tuple[Township, DutyList | None]:
    """A township whose draft the user may import a workbook into, and that draft (None: the import
    starts one)."""
    township = Township.objects.select_related("county").filter(code=code).first()
    if township is None or not permissions.can_see_township(user, township):
        raise Http404("乡镇（街道）不存在。")
    duty_list = queries.current_draft(township)
    if not permissions.can_import_into(user, township, duty_list):
        raise Forbidden("您不能向该乡镇（街道）的清单导入。", code="cannot_edit_list")
    return township, duty_list
