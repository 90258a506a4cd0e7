from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "公布"

    def ready(self):
        # 待我处理 lists the public feedback waiting for the county editor (review cannot import us).
        from review import inbox

        from . import admission_queries, queries

        inbox.register(queries.feedback_tasks)
        inbox.register(admission_queries.admission_tasks)
