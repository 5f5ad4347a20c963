from django.core.management.base import BaseCommand

from lpse.demo import loader as demo


class Command(BaseCommand):
    help = "Load the demo data (agencies, business fields, checklist, one account per role)."

    def handle(self, *args, **options):
        demo.load()
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
