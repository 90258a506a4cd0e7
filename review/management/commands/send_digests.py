from django.core.management.base import BaseCommand

from review.notifications import send_digests


class Command(BaseCommand):
    help = "给每位有待办或新通知的用户发送当天的汇总邮件（每人每天最多一封；请每天定时运行）。"

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"已发送 {sent} 封汇总邮件。")
