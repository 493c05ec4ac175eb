"""The menu each role sees. URL names only: accounts imports no higher app."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import Role


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_STAFF = frozenset({Role.ADMIN, Role.MANAGER, Role.SALESPERSON})
_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
_PARTNERS = frozenset({Role.RESELLER, Role.INTRODUCER})

MENU: tuple[MenuItem, ...] = (
    MenuItem(_("Dashboard"), "reporting:dashboard", _STAFF),
    MenuItem(_("Map"), "reporting:map", _MANAGERS),
    MenuItem(_("Scheduled reports"), "reporting:reports", _MANAGERS),
    MenuItem(_("Leads"), "leads:list", _STAFF),
    MenuItem(_("To review"), "leads:review", _MANAGERS),
    MenuItem(_("Unassigned"), "routing:unassigned", _MANAGERS),
    MenuItem(_("Coverage"), "routing:coverage", _MANAGERS),
    MenuItem(_("Coverage requests"), "routing:coverage_requests", _MANAGERS),
    MenuItem(_("Reseller KPIs"), "routing:kpis", _MANAGERS),
    MenuItem(_("Commissions"), "commissions:dashboard", _MANAGERS),
    MenuItem(_("Commission plans"), "commissions:plans", _MANAGERS),
    MenuItem(_("Partners"), "partners:list", _MANAGERS),
    MenuItem(_("Declarations"), "partners:declarations", _MANAGERS),
    MenuItem(_("Contracts"), "partners:templates", _MANAGERS),
    MenuItem(_("Segments"), "engagement:segments", _MANAGERS),
    MenuItem(_("Campaigns"), "engagement:campaigns", _MANAGERS),
    MenuItem(_("E-mail templates"), "engagement:templates", _MANAGERS),
    MenuItem(_("Automations"), "engagement:automations", _MANAGERS),
    MenuItem(_("Training"), "training:modules", _MANAGERS),
    MenuItem(_("Challenges"), "challenges:list", _MANAGERS),
    MenuItem(_("Who knows whom"), "network:search", _STAFF),
    MenuItem(_("Introductions"), "network:introductions", _STAFF),
    MenuItem(_("Special operations"), "network:operations", _STAFF),
    MenuItem(_("Webhooks"), "integrations:endpoints", _MANAGERS),
    MenuItem(_("CRM integrations"), "integrations:crms", _MANAGERS),
    MenuItem(_("NPS"), "surveys:results", _MANAGERS),
    # A salesperson calls back the unhappy customers of the deals they sold (surveys' follow-ups;
    # the managers reach them from the NPS pages).
    MenuItem(_("Detractors to call back"), "surveys:follow_ups", frozenset({Role.SALESPERSON})),
    MenuItem(_("Leads to work"), "portal:inbox", frozenset({Role.RESELLER, Role.SALESPERSON})),
    MenuItem(_("My space"), "portal:home", _PARTNERS),
    MenuItem(_("My performance"), "portal:performance", frozenset({Role.RESELLER})),
    MenuItem(_("What I take"), "portal:coverage", frozenset({Role.RESELLER})),
    MenuItem(_("My leads"), "portal:leads", _PARTNERS),
    MenuItem(_("My earnings"), "portal:earnings", _PARTNERS),
    MenuItem(_("My documents"), "portal:documents", _PARTNERS),
    MenuItem(_("My training"), "learning:home", _PARTNERS),
    MenuItem(_("My customers' NPS"), "my_nps:home", frozenset({Role.RESELLER})),
    MenuItem(_("My challenges"), "my_challenges:home", _PARTNERS),
    MenuItem(_("My details"), "portal:profile", _PARTNERS),
    MenuItem(_("My e-mails"), "portal:mail_preferences", _PARTNERS),
    MenuItem(_("API tokens"), "accounts:tokens", _STAFF | _PARTNERS),
    MenuItem(_("Security"), "accounts:totp_setup", _STAFF),
    MenuItem(_("Settings"), "admin:index", frozenset({Role.ADMIN})),
)


def menu_for(role: str) -> list[MenuItem]:
    return [item for item in MENU if role in item.roles]
