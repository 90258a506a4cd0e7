"""Generate a realistic sample of provinces, cities, counties and townships with published lists.

    manage.py generate_sample                       # a province: 100 counties × 13 townships × 340 items
    manage.py generate_sample --national            # 6 provinces, 2,015,520 published items
    manage.py generate_sample --provinces 2 --counties 5 --townships 3 --items 20 --first-province 71

The work is `publication.sample.Generator`'s (shared with benchmarks/scale.py); this command parses
the shape, names who publishes and reports. It refuses, writing nothing, when a code exists.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalog.refusals import refusals_as_command_errors
from publication.sample import NATIONAL, PROVINCE, Generator, Progress, Shape


class Command(BaseCommand):
    help = "生成省级或全国规模的样本数据（省、市、县、乡镇和已公布的清单），用于性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--national", action="store_true", help="全国样本：6 个省，约 200 万条已公布事项")
        parser.add_argument("--provinces", type=int, help=f"省数（默认 {PROVINCE.provinces}）")
        parser.add_argument("--counties", type=int, help=f"每省县数（默认 {PROVINCE.counties}）")
        parser.add_argument("--townships", type=int, help=f"每县乡镇数（默认 {PROVINCE.townships}）")
        parser.add_argument("--items", type=int, help=f"每个乡镇的事项数（默认 {PROVINCE.items}）")
        parser.add_argument(
            "--first-province", type=int, help=f"第一个省的区划代码前两位（默认 {PROVINCE.first_province}）"
        )
        parser.add_argument("--seed", type=int, help=f"随机种子（默认 {PROVINCE.seed}）")
        parser.add_argument("--user", help="记为公布人的用户名（默认第一个超级管理员）")

    def handle(self, *args, national, user, **options):
        preset = NATIONAL if national else PROVINCE
        fields = ("provinces", "counties", "townships", "items", "first_province", "seed")
        shape = Shape(
            **{f: getattr(preset, f) if options[f] is None else options[f] for f in fields},
            counties_per_city=preset.counties_per_city,
        )
        by = publisher(user)
        start = time.perf_counter()
        with refusals_as_command_errors():
            generator = Generator(
                shape, by=by, progress=lambda total, label: Progress(total, label, self.stderr)
            )
            counts = generator.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {counts['provinces']} 个省、{counts['cities']} 个市、{counts['counties']} 个县、"
                f"{counts['townships']} 个乡镇（街道），现行事项 {counts['items']:,} 条；"
                f"{counts['second_editions']} 个乡镇公布了第 2 版（变更 {counts['changes']} 条），"
                f"群众反映 {counts['feedback']} 条。用时 {time.perf_counter() - start:.0f} 秒。"
            )
        )


def publisher(username: str | None):
    User = get_user_model()
    if username:
        found = User.objects.filter(username=username).first()
        if found is None:
            raise CommandError(f"用户 {username} 不存在。")
        return found
    found = User.objects.filter(is_superuser=True).order_by("pk").first()
    if found is None:
        raise CommandError("没有可记为公布人的用户：请用 --user 指定已有用户名，或先创建超级管理员。")
    return found
