from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Make a REST API token for a user (it acts with the user's role). The secret is printed alone on the "
        "last line, once: only its digest is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="The username the token acts as.")
        parser.add_argument("--name", default="", help="What the token is for (default: 'CLI token').")

    def handle(self, *args, user: str, name: str, **options) -> None:
        owner = User.objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        if not owner.is_active:
            raise CommandError(f"{user!r} is deactivated: its tokens would be refused.")
        try:
            token, secret = api_token_create(user=owner, name=name.strip() or "CLI token")
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        role = owner.role.label if owner.role else "no role: the API will refuse it until the user has one"
        self.stdout.write(f"API token “{token.name}” ({token.prefix}…) for {owner.username} ({role}).")
        self.stdout.write("Send it as 'Authorization: Token <secret>'. The secret, shown only this once:")
        self.stdout.write(secret)
