"""Import a township's list from a workbook: the same engine as the upload page."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalog.actors import SystemActor
from catalog.imports import ImportFileError, apply_import, plan_import
from catalog.models import Township
from catalog.refusals import refusals_as_command_errors


class Command(BaseCommand):
    help = "从 Excel 工作簿导入乡镇（街道）清单到其当前草稿；先预览，有问题则不写入。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="工作簿文件（.xlsx 或 .csv）")
        parser.add_argument("--township", required=True, help="乡镇（街道）代码")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入；有问题时退出码为 1")
        parser.add_argument(
            "--create-missing", action="store_true", help="新建文件中出现而系统中没有的类别、科室和部门"
        )
        parser.add_argument("--remove-missing", action="store_true", help="删除清单中有而文件中没有的事项")
        parser.add_argument("--user", help="记入历史的用户名")

    def handle(self, *args, path, township, dry_run, create_missing, remove_missing, user, **options):
        try:
            place = Township.objects.select_related("county").get(code=township)
        except Township.DoesNotExist:
            raise CommandError(f"没有代码为 {township} 的乡镇（街道）。") from None
        # The command line is the server's operator: the system acts, on the record of the user named.
        acting = SystemActor()
        if user:
            try:
                acting = SystemActor(recorded_as=get_user_model().objects.get(username=user))
            except get_user_model().DoesNotExist:
                raise CommandError(f"没有用户名为 {user} 的用户。") from None
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件 {path}。")
        try:
            with refusals_as_command_errors():
                plan = plan_import(
                    file.read_bytes(), file.name, place, create_missing=create_missing, by=acting
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("\n".join(plan.summary_lines()))
        if not plan.ok:
            raise CommandError(f"发现 {len(plan.problems)} 个问题，未导入。")
        if dry_run:
            self.stdout.write("预览完毕，未写入（--dry-run）。")
            return
        if not plan.has_changes and not any(plan.to_create.values()):
            self.stdout.write("文件与清单一致，没有需要导入的内容。")
            return
        with refusals_as_command_errors():
            duty_list = apply_import(plan, by=acting, remove_missing=remove_missing)
        kept = (
            ""
            if remove_missing or not plan.missing
            else f"；文件中没有的 {len(plan.missing)} 项保留未删（加 --remove-missing 删除）"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入到“{duty_list.title}”：新增 {len(plan.added)} 项，修改 {len(plan.changed)} 项{kept}。"
            )
        )
