from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Say hello; fail on request."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--fail", action="store_true")
        parser.add_argument("--exit", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["fail"]:
            raise CommandError(f"cannot greet {options['name']}")
        self.stdout.write(f"hello {options['name']}")
        self.stderr.write("to stderr")
        print("printed", file=sys.stdout)
        if options["exit"] is not None:
            sys.exit(options["exit"])
