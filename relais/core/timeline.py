"""One line of a timeline as a page shows it (a lead's, a partner's): made by each app's
presenter from what was stored, when the page is shown, so it reads in the reader's language.
``templates/_timeline.html`` shows a list of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The kernel may not import the accounts app: Django's base class stands for its User.
    from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class Entry:
    """When; what happened, as a sentence (then the amount it names, formatted by the page);
    the system's explanation; a person's own words, quoted as written; and who."""

    at: datetime
    sentence: str
    detail: str = ""
    quote: str = ""
    actor: AbstractBaseUser | None = None
    amount: str | None = None
