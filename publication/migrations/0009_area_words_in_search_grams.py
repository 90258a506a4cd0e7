"""Items already published carry the words placing them in their province, city and county
(`publication.services.search.placed`), as every item published from now on does."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat


def place_items(apps, schema_editor):
    Township = apps.get_model("catalog", "Township")
    EditionItem = apps.get_model("publication", "EditionItem")
    for township in Township.objects.filter(editions__isnull=False).distinct().only("pk", "code"):
        # As `area_gram` wrote them when this migration was made (a migration does not follow the code).
        words = " ".join(f"area{township.code[:digits]}" for digits in (2, 4, 6))
        EditionItem.objects.filter(edition__township=township).update(
            search_grams=Concat("search_grams", Value(f" {words}"))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0014_province_catalogues_and_claims"),
        ("publication", "0008_dispatch_disputes_and_lookups"),
    ]

    operations = [migrations.RunPython(place_items, migrations.RunPython.noop, elidable=True)]
