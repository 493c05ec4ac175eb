"""``manage.py seed_demo --size small|large [--seed N]``: a plausible French demo network."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from relais.accounts.models import User
from relais.bulk import stats
from relais.core import demo_hooks
from relais.core.deletion import delete_in_batches
from relais.demo.challenge_rewards import seed_challenge_rewards
from relais.demo.challenges import seed_challenges
from relais.demo.engagement import build_engagement
from relais.demo.network import DEMO_LOGINS, SIZES, DemoBuilder
from relais.demo.network_work import seed_network_work
from relais.demo.sales_network import seed_sales_network
from relais.demo.surveys import seed_surveys
from relais.demo.training import seed_training
from relais.demo.webhooks import seed_crm, seed_webhooks
from relais.leads import counters
from relais.leads.models import Lead, ProspectKey
from relais.partners.models import Partner


class Command(BaseCommand):
    help = "Load a deterministic demo network (staff, resellers, introducers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--leads", type=int, help="number of leads (default: by size)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when partners already exist"
        )
        parser.add_argument(
            "--flush", action="store_true", help="delete every partner and user first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Partner.objects.exists() or User.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds data: demo network not loaded.")
                return
            if not options["flush"]:
                raise CommandError("The database already holds data; pass --flush to replace it.")
            from relais.challenges.models import Award
            from relais.commissions.models import (
                CommissionLine,
                EmployeeBonus,
                Gift,
                Invoice,
                PaymentItem,
                PaymentRun,
                PayrollExport,
                Plan,
                Redemption,
            )
            from relais.surveys.models import Customer, NpsCounter

            for model in (
                Award,  # a challenge's award keeps its winner and its cash line (protected)
                EmployeeBonus,  # an internal bonus keeps its employee, lead and rule (protected)
                PayrollExport,
                *(Redemption, Invoice, CommissionLine, PaymentItem, PaymentRun, Plan, Gift),
                *(Customer, NpsCounter),  # a customer keeps its seller (protected)
                *(Lead, ProspectKey, Partner, User),
            ):
                delete_in_batches(model._default_manager.all())
        started = time.perf_counter()
        quiet = options["verbosity"] == 0 or not sys.stderr.isatty()

        def progress(label: str, total: int) -> tqdm[Any]:
            return tqdm(total=total, desc=label, unit=" rows", disable=quiet and total < 10000)

        builder = DemoBuilder(
            seed=options["seed"], size=options["size"], progress=progress, leads=options["leads"]
        )
        counts = builder.build()
        counters.rebuild()  # the builder writes in bulk, past the services that mark changes
        build_engagement(progress, seed=options["seed"])  # segments are judged on the counters
        seed_training(seed=options["seed"])
        seed_surveys(seed=options["seed"])
        seed_webhooks()  # one disabled example endpoint
        seed_crm()  # a HubSpot integration, three leads linked to their deals
        seed_sales_network()  # six accounts, who knows whom, the sharing pilot
        seed_network_work()  # introductions and the internal bonus, a plan, operations
        seed_challenges()  # one running (progress from the deals won since), one draft
        seed_challenge_rewards()  # the ended one rewarded and awarded, the running one's budget
        demo_hooks.run_all()  # the higher apps' own rows (reporting: a scheduled report)
        stats.after_load()  # fresh statistics for the planner after bulk loading
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Demo network ({options['size']}, seed {options['seed']}): "
            f"{counts['resellers']} resellers, {counts['introducers']} introducers, "
            f"{counts['leads']} leads, {counts['lines']} commission lines "
            f"in {elapsed:.1f} s."
        )
        for email, role, secret in DEMO_LOGINS:
            self.stdout.write(f"  {role:<14} {email:<28} {secret}")
