from django.db import migrations


def create_defaults(apps, schema_editor):
    from lpse.operations.defaults import create_default_thresholds

    create_default_thresholds(apps.get_model("operations", "Threshold"))


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
