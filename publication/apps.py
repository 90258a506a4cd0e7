from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "公布"

    def ready(self):
        # 待我处理 lists the public feedback and the 12345 dispatch disputes waiting for the county editor (review cannot import us).
        from review import inbox

        from . import queries

        inbox.register(queries.feedback_tasks)
        inbox.register(queries.dispute_tasks)
