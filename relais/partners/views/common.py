"""What every staff view of partners shares: the scoped lookup of a partner."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from relais.accounts.decorators import request_user
from relais.partners import selectors
from relais.partners.models import Partner


def get_partner_for_user(request: HttpRequest, pk: int) -> Partner:
    """The one way a view reaches a partner: scoped to what the user may see, else 404."""
    try:
        return selectors.partner_get_for_user(request_user(request), pk)
    except Partner.DoesNotExist:
        raise Http404 from None
