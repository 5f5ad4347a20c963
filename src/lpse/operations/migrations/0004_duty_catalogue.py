from django.db import migrations


def load(apps, schema_editor):
    from lpse.operations.duty_catalogue import load_catalogue

    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("operations", "0003_server_room_facility_duties")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
