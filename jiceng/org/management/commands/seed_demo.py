import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiceng.assessments.demo import seed_demo_assessments
from jiceng.campaigns.demo import (
    link_standard_notice,
    seed_demo_campaigns,
    standard_notice_day,
)
from jiceng.documents.demo import seed_demo_documents
from jiceng.notifications.reminders import run_reminders
from jiceng.org.demo import DEMO_PASSWORD, seed_demo
from jiceng.org.models import Unit


class Command(BaseCommand):
    help = "Build the demo national network (real divisions) with profiles and one login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "national"], default="small")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) when units already exist.",
        )
        parser.add_argument(
            "--seed", type=int, default=2009, help="Random seed (same seed, same data)."
        )
        parser.add_argument(
            "--members",
            type=int,
            default=None,
            help="Members in all (default: 40-160 per association; 10,000,000 national).",
        )

    def handle(
        self, *args: Any, scale: str, if_empty: bool, seed: int, members: int | None, **options: Any
    ) -> None:
        if Unit.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds a network; nothing seeded.")
                self._print_logins()
                return
            raise CommandError(
                "The database already holds units. seed_demo builds into an empty database; "
                "point DATABASE_URL at a new one or use --if-empty."
            )
        started = time.monotonic()
        result = seed_demo(scale=scale, seed=seed, members=members)
        # The construction-year campaigns: 2009's, and this year's part-done across 安徽.
        current = seed_demo_campaigns(Unit.objects.get(depth=1))
        # The notice forwarding the Standard down the tree, part-acknowledged.
        notice = seed_demo_documents(Unit.objects.get(depth=1), today=standard_notice_day(current))
        # Acknowledging that notice completes the campaign's 签收《规范》 task.
        link_standard_notice(current, notice)
        # The nine-standards assessment across 安徽, in every state (蜀山区, 包河区 in draft).
        seed_demo_assessments(current)
        # Today's reminders, so that the bell has something to show.
        run_reminders()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.units:,} units and {result.members:,} members ({scale}) "
                f"in {elapsed:.1f} s."
            )
        )
        self._print_logins()

    def _print_logins(self) -> None:
        from jiceng.accounts.models import User
        from jiceng.org.demo import DEMO_ACCOUNTS

        names = [a[0] for a in DEMO_ACCOUNTS]
        users = {
            u.username: u for u in User.objects.filter(username__in=names).select_related("unit")
        }
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for name in names:
            if name in users:
                u = users[name]
                self.stdout.write(f"  {u.username:<16} {u.get_role_display():<12} {u.unit.name}")
        if "shushan" in users:
            from django.urls import reverse

            path = reverse("activities:public_complaint_new", args=[users["shushan"].unit.code])
            self.stdout.write(f"Public complaint page (no sign-in needed): {path}")
            self.stdout.write(
                "A walk through the campaign (建设年): as shushan, open the unit's 建设年 tab, "
                "follow 签收《规范》 to the notice and acknowledge it; "
                "as hefei, see the 进度与图表 page change; as national, copy this year's "
                "campaign into next year from 方案 → 全部建设年活动.\n"
                "A walk through the assessment (评估): as shushan, open the 评估 tab, see the "
                "flagged indicator, attach evidence to 1.3 and 5.1 and submit (建设年's 自查 is "
                "done), and close the overdue 整改 item with proof; as hefei, verify it, "
                "adjust a score with a reason, return or approve it (and 包河区's); as anhui, "
                "approve 合肥's area on 安徽's 评估 tab and see 结果与排名."
            )
