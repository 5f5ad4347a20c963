"""The four goods categories of the regulation (Perpres 54/2010, renamed by Perpres 16/2018) exist
from the first migration on: a package's category is chosen from the administrator's list
(R-5.6), and that list must never be empty. Written as ``lpse setup`` writes them (origin
"reference", the file's version), so setup later finds them current and changes nothing."""

import csv
import json
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


def seed(apps, schema_editor):
    GoodsCategory = apps.get_model("catalog", "GoodsCategory")
    if GoodsCategory.objects.exists():
        return
    manifest = json.loads((REFERENCE / "manifest.json").read_text(encoding="utf-8"))
    datasets = manifest if isinstance(manifest, list) else manifest["datasets"]
    version = next(d["version"] for d in datasets if d["key"] == "goods-categories")
    with open(REFERENCE / "goods-categories.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            GoodsCategory.objects.create(
                code=row["code"],
                name=row["name"],
                name_2010=row["name_2010"],
                order=int(row["order"]),
                origin="reference",
                reference_version=version,
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_master_data_lifecycle")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
