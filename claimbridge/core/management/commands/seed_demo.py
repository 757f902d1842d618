"""Create the demo organisations, people and cases (once; then it does nothing)."""

from typing import Any

from django.core.management.base import BaseCommand

from claimbridge.core.demo import builder, data


class Command(BaseCommand):
    help = (
        "Create realistic demo data through the services: clients, partners, "
        "a platform operator, about 40 cases in every status with invoices and "
        "chat. Does nothing if the demo organisations already exist."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = builder.seed()
        if summary is None:
            self.stdout.write("Demo data already present; nothing created.")
            return
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(f"  Password for every demo login: {data.PASSWORD}")
