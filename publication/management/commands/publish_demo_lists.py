from django.core.management.base import BaseCommand

from publication.demo import publish_demo_lists


class Command(BaseCommand):
    help = (
        "把示范县的白云乡、东湖街道清单走完审核并公布（东湖街道两版），供演示公开网站（由 load_demo 调用）。"
    )

    def handle(self, *args, **options):
        publish_demo_lists()
