"""Export a township's current draft, or every draft of a county, in the printed layout.
Published editions are the publication app's `export_edition`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog import exports, queries
from catalog.models import County, Township


class Command(BaseCommand):
    help = "导出乡镇（街道）当前清单为 Excel（--township），或全县各乡镇（街道）清单为 zip（--county）。"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--township", help="乡镇（街道）代码")
        target.add_argument("--county", help="县级行政区划代码：每个乡镇（街道）一个工作簿，打包为 zip")
        parser.add_argument("--output", required=True, help="输出文件路径")

    def handle(self, *args, township, county, output, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"输出目录 {path.parent} 不存在。")
        if township:
            place = Township.objects.filter(code=township).first()
            if place is None:
                raise CommandError(f"没有代码为 {township} 的乡镇（街道）。")
            duty_list = queries.current_draft(place)
            if duty_list is None:
                raise CommandError(f"{place.name}还没有清单。")
            path.write_bytes(exports.list_workbook(duty_list))
            self.stdout.write(self.style.SUCCESS(f"已导出“{duty_list.title}”到 {path}。"))
            return
        area = County.objects.filter(code=county).first()
        if area is None:
            raise CommandError(f"没有代码为 {county} 的县。")
        lists = queries.current_drafts(area)
        with path.open("wb") as stream:
            count = exports.write_county_zip(lists, stream)
        self.stdout.write(self.style.SUCCESS(f"已导出{area.name} {count} 个乡镇（街道）的清单到 {path}。"))
