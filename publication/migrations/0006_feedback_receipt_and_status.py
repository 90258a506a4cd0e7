import secrets

from django.db import migrations, models

# The receipt number's random part: no 0/O or 1/I, which a visitor reading it out would confuse.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def number_existing_reports(apps, schema_editor):
    """Reports made before receipt numbers get one, and a status from whether they were handled."""
    Feedback = apps.get_model("publication", "Feedback")
    for report in Feedback.objects.all():
        random_part = "".join(secrets.choice(ALPHABET) for _ in range(8))
        report.receipt_number = f"{report.created_at:%Y%m%d}-{random_part}"
        report.status = "closed" if report.handled_at else "pending"
        report.save(update_fields=["receipt_number", "status"])


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0005_frozen_category_path"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="receipt_number",
            field=models.CharField(max_length=20, null=True, verbose_name="受理编号"),
        ),
        migrations.AddField(
            model_name="feedback",
            name="status",
            field=models.CharField(
                choices=[("pending", "待处理"), ("forwarded", "已转办"), ("closed", "已办结")],
                default="pending",
                max_length=20,
                verbose_name="办理状态",
            ),
        ),
        migrations.AddField(
            model_name="feedback",
            name="forwarded_to",
            field=models.CharField(blank=True, max_length=100, verbose_name="转办单位"),
        ),
        migrations.AddField(
            model_name="feedback",
            name="reply",
            field=models.TextField(blank=True, verbose_name="答复"),
        ),
        migrations.RunPython(number_existing_reports, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="feedback",
            name="receipt_number",
            field=models.CharField(max_length=20, unique=True, verbose_name="受理编号"),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(fields=["township", "status"], name="feedback_queue"),
        ),
    ]
