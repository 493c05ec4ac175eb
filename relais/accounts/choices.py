from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Network manager")
    SALESPERSON = "salesperson", _("Salesperson")
    RESELLER = "reseller", _("Reseller user")
    INTRODUCER = "introducer", _("Introducer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SALESPERSON})
PARTNER_ROLES = frozenset({Role.RESELLER, Role.INTRODUCER})
MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
