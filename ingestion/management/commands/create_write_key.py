from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from ingestion.services.write_keys import write_key_create


class Command(BaseCommand):
    help = (
        "Create a write key for the Segment-compatible endpoints (/v1/*). It can only send events. The "
        "secret is printed once, alone on the last line; only its digest is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True, help="Who will use it, e.g. 'Product backend'.")
        parser.add_argument(
            "--source",
            default=None,
            help="Stored with each event; messageIds are deduplicated per source (default: the name's slug).",
        )

    def handle(self, *args, name: str, source: str | None, **options) -> None:
        source = slugify(source or name)[:64]
        if not name.strip() or not source:
            raise CommandError("Give a name (and a source) with letters or digits in it.")
        key, secret = write_key_create(name=name.strip()[:120], source=source)
        self.stdout.write(
            f"Write key {key.name!r} (source {key.source}). Keep the secret; it is not shown again:"
        )
        self.stdout.write(secret)
