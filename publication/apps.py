from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "公布"

    def ready(self):
        # 待我处理 lists the public feedback, the admission requests and the 12345 dispatch disputes
        # waiting for someone (review cannot import us).
        from review import inbox

        from . import admission_queries, annual_review, evidence, queries

        inbox.register(queries.feedback_tasks)
        inbox.register(admission_queries.admission_tasks)
        inbox.register(queries.dispute_tasks)
        # 履职体检: the hotline's evidence beside the feedback and adjustments annual_review reads itself.
        annual_review.register("dispatch_lookups", "12345 派单查询", evidence.lookup_counts)
        annual_review.register("dispatch_disputes", "12345 派单异议", evidence.dispute_counts)
