"""The demo's scheduled report: the monthly network report mailed to the demo's manager, so
the reports page has a subscription to open, edit or send (``core.demo_hooks``: the demo may
not import reporting)."""

from __future__ import annotations

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.reporting.choices import Frequency
from relais.reporting.models import ReportSubscription
from relais.reporting.reports import subscription_save

DEMO_REPORT = "Bilan mensuel du réseau"


def demo_report_seed() -> None:
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        return
    subscription = ReportSubscription.objects.filter(name=DEMO_REPORT).first()
    if subscription is not None:
        # after a flush the old manager is gone (SET_NULL): the new one owns it
        subscription.created_by = manager
    subscription_save(
        subscription=subscription
        or ReportSubscription(
            name=DEMO_REPORT,
            frequency=Frequency.MONTHLY,
            filters="period=12m",
            subject="Bilan mensuel du programme d'apporteurs",
            message=(
                "Bonjour,\n\nVoici le bilan du mois : leads, conversion, commissions et carte "
                "des départements. Le détail est dans le PDF et le classeur joints."
            ),
            language="fr",
        ),
        users=[manager],
        outside="",
        by=manager,
    )
