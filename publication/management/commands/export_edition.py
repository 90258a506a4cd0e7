"""Export a published edition of a township's list in the printed layout."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import exports
from catalog.models import FROZEN_ORDER, Township
from publication.models import Edition
from publication.services import current_edition


class Command(BaseCommand):
    help = "导出乡镇（街道）已公布的清单为 Excel：--edition 指定版次，不指定则为现行版本。"

    def add_arguments(self, parser):
        parser.add_argument("--township", required=True, help="乡镇（街道）代码")
        parser.add_argument("--edition", type=int, help="版次（默认现行版本）")
        parser.add_argument("--output", required=True, help="输出文件路径")

    def handle(self, *args, township, edition, output, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"输出目录 {path.parent} 不存在。")
        place = Township.objects.filter(code=township).first()
        if place is None:
            raise CommandError(f"没有代码为 {township} 的乡镇（街道）。")
        chosen = (
            current_edition(place)
            if edition is None
            else Edition.objects.filter(township=place, number=edition).first()
        )
        if chosen is None:
            numbers = list(
                Edition.objects.filter(township=place).order_by("number").values_list("number", flat=True)
            )
            known = (
                f"已公布的版次：{'、'.join(map(str, numbers))}。"
                if numbers
                else "该乡镇（街道）还没有公布的清单。"
            )
            raise CommandError(f"{place.name}没有第 {edition} 版。{known}" if edition else known)
        rows = chosen.items.order_by(*FROZEN_ORDER)
        with path.open("wb") as stream:
            exports.write_workbook(place.name, exports.frozen_export_rows(rows), stream)
        self.stdout.write(self.style.SUCCESS(f"已导出{place.name}第 {chosen.number} 版清单到 {path}。"))
