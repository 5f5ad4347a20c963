"""R-2.3: the LPSE has a training room. It exists from the start so a training can be scheduled
at once; the head of LPSE corrects its capacity, renames it or adds rooms on the rooms page."""

from django.db import migrations


def add_room(apps, schema_editor):
    Room = apps.get_model("training", "Room")
    if not Room.objects.exists():
        Room.objects.create(name="Ruang Pelatihan LPSE", capacity=20, active=True)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(add_room, migrations.RunPython.noop)]
