"""Build the campaign at national scale (see `campaigns/management/seed.py`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ..seed import seed


class Command(BaseCommand):
    help = (
        "Add the campaign at national scale to the database: this year's running campaign with "
        "15 tasks across the four levels, the earlier years', and every unit's task states."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "national"], default="national")
        parser.add_argument(
            "--members", type=int, default=3000, help="Members, when the network is seeded too."
        )
        parser.add_argument(
            "--years", type=int, default=11, help="Campaigns: this year's and the ones before."
        )

    def handle(self, *args: Any, scale: str, members: int, years: int, **options: Any) -> None:
        result = seed(scale=scale, members=members, years=years)
        self.stdout.write(
            f"{result.campaigns} campaign(s) built; {result.completions:,} task states, "
            f"{result.rollup_rows:,} province totals (network {result.seconds_network:.1f} s, "
            f"campaigns {result.seconds_campaign:.1f} s, "
            f"rebuild {result.seconds_rebuild:.1f} s)"
        )
