"""KPI arithmetic on both databases: rates, the median time to open, the network average."""

from datetime import timedelta
from fractions import Fraction
from itertools import accumulate

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.leads import counters
from relais.routing import services
from relais.routing.kpis import kpi_table, network_average
from relais.routing.models import OPEN_BANDS, Assignment
from relais.routing.tests.conftest import make_qualified, make_reseller

pytestmark = pytest.mark.django_db


def test_median_time_to_open_and_rates(manager):
    reseller = make_reseller(capacity=50)
    t0 = timezone.now() - timedelta(days=20)
    for n, hours in enumerate((2, 6, 10, None)):
        lead = make_qualified(manager, n)
        services.lead_route(lead_id=lead.pk, now=t0)
        if hours is not None:
            services.assignment_open(lead=lead, reseller=reseller, actor=None)
            Assignment.objects.filter(lead=lead).update(opened_at=t0 + timedelta(hours=hours))
            services.assignee_declare(
                lead=lead,
                reseller=reseller,
                to="won" if n == 0 else "in_progress",
                amount=1000,
                actor=None,
            )
    start, end = t0 - timedelta(days=1), timezone.now()
    (kpi,) = kpi_table(start=start, end=end)
    # Opened after 2, 6 and 10 hours: the middle lead is in the 4–6 h band, the estimate too.
    assert 4 < kpi.median_open_hours <= 6
    assert (kpi.received, kpi.opened, kpi.treated, kpi.won) == (4, 3, 3, 1)
    assert (kpi.open_rate, kpi.closure_rate) == (0.75, 0.25)
    assert network_average([kpi]).median_open_hours == kpi.median_open_hours


def test_the_median_is_interpolated_inside_the_band_of_the_middle_lead():
    from relais.routing.kpis import median_from_bands

    # OPEN_BANDS: 1, 2, 4, 6, 8, 12, 18, 24, 36, 48, 72, 96 hours (counts opened within each).
    assert median_from_bands(0, [0] * 12) is None
    assert median_from_bands(2, [2] * 12) == 0.5  # both within the first hour
    # 10 opened: 4 within 12 h, 8 within 18 h; the 5th is a quarter into the 12–18 h band.
    assert median_from_bands(10, [0, 0, 1, 1, 2, 4, 8, 9, 10, 10, 10, 10]) == 13.5
    assert median_from_bands(4, [0] * 11 + [1]) == 96.0  # most opened later than the last band


def _months(*rows: tuple[int, int, int, int, int]) -> tuple:
    """KPI months this month for (assignee, received, opened, treated, won); the period."""
    from relais.routing.models import KpiMonth

    now = timezone.now()
    month = timezone.localtime(now, counters.local_zone()).date().replace(day=1)
    KpiMonth.objects.bulk_create(
        KpiMonth(
            kind="reseller",
            assignee_id=pk,
            month=month,
            received=received,
            opened=opened,
            treated=treated,
            won=won,
        )
        for pk, received, opened, treated, won in rows
    )
    return now - timedelta(days=40), now


def test_equal_scores_go_to_the_reseller_with_more_leads_then_the_lowest_id():
    # 5 and 4 score 0.4 exactly: (3 + 2 + 1 + 6) / (3 × (6 + 4)) and (0 + 0 + 0 + 6) / (3 × 5);
    # 9 too, with as few leads as 4; 7 scores more with fewer leads.
    start, end = _months((9, 1, 0, 0, 0), (5, 6, 3, 2, 1), (4, 1, 0, 0, 0), (7, 2, 2, 2, 1))
    table = kpi_table(start=start, end=end)
    assert [k.assignee for k in table] == [7, 5, 4, 9]
    assert [k.rank for k in table] == [1, 2, 3, 4]
    assert table[1].score == pytest.approx(table[2].score) == pytest.approx(0.4)


def _exact_order(row: tuple[int, int, int, int, int]) -> tuple:
    pk, received, opened, treated, won = row
    return (-Fraction(opened + treated + won + 6, received + 4), -received, pk)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 400), st.integers(0, 400)).map(
            lambda t: (t[0], min(t[1], t[0]), min(t[2], t[1], t[0]))
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_table_is_ranked_by_the_exact_score(figures):
    """The database orders by a floating division: the same order as the exact fractions."""
    from relais.routing.models import KpiMonth

    KpiMonth.objects.all().delete()  # hypothesis reruns the body in one test transaction
    rows = [(pk, r, o, t, t // 2) for pk, (r, o, t) in enumerate(figures, 1)]
    start, end = _months(*rows)
    expected = [row[0] for row in sorted(rows, key=_exact_order)]
    assert [k.assignee for k in kpi_table(start=start, end=end)] == expected


@pytest.mark.django_db
def test_a_kpi_row_keeps_its_figures_and_lights_through_the_shared_cache():
    """The KPI pages share their table through the cache (pickled): a row read back is the
    same row, its lights included."""
    import pickle
    from decimal import Decimal

    from relais.routing.kpis import Kpi

    kpi = Kpi(assignee=7, name="Sud", received=10, opened=9, treated=2, revenue=Decimal("12.30"))
    lights = dict(kpi.lights)
    back = pickle.loads(pickle.dumps(kpi))  # noqa: S301 — our own object
    assert back == kpi
    assert (back.name, back.revenue, back.opened) == ("Sud", Decimal("12.30"), 9)
    assert back.lights == lights
    assert lights["open_rate"] != lights["treatment_rate"]  # 90 % opened, 20 % treated


def _median_band_by_band(opened, within):
    """The definition, band by band: the first band whose count reaches half the opened."""
    if not opened:
        return None
    middle, low_hours, low_count = opened / 2, 0, 0
    for hours, count in zip(OPEN_BANDS, within, strict=True):
        if count >= middle:
            return round(
                low_hours + (middle - low_count) / (count - low_count) * (hours - low_hours), 1
            )
        low_hours, low_count = hours, count
    return float(OPEN_BANDS[-1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=12, max_size=12), st.integers(0, 60))
def test_the_median_found_by_bisection_is_the_band_by_band_one(steps, late):
    from relais.routing.kpis import median_from_bands

    within = list(accumulate(steps))  # opened within 1 h, 2 h, …: counts never decrease
    opened = within[-1] + late  # and some opened after the last band
    assert median_from_bands(opened, within) == _median_band_by_band(opened, within)


def test_the_routers_scores_are_computed_once_a_day(manager, django_assert_num_queries):
    """A reseller who wins today is ranked on it from tomorrow: the day's scores are cached."""
    from relais.routing.kpis import scores

    reseller = make_reseller(capacity=50)
    now = timezone.now()
    assert scores([reseller.pk], assignee="reseller", now=now) == {reseller.pk: 0.5}
    lead = make_qualified(manager, 1)
    services.lead_route(lead_id=lead.pk, now=now - timedelta(days=2))
    services.assignment_open(lead=lead, reseller=reseller, actor=None)
    services.assignee_declare(lead=lead, reseller=reseller, to="won", amount=900, actor=None)
    with django_assert_num_queries(0):
        assert scores([reseller.pk], assignee="reseller", now=now) == {reseller.pk: 0.5}
    counters.refresh()  # the scheduled refresh has run by tomorrow
    tomorrow = scores([reseller.pk], assignee="reseller", now=now + timedelta(days=1))
    assert tomorrow[reseller.pk] > 0.5


def test_the_last_12_months_are_this_month_and_the_eleven_before_it():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from relais.routing.kpis import default_period

    paris = ZoneInfo("Europe/Paris")
    for now, first in (
        (datetime(2026, 11, 22, 12, tzinfo=paris), datetime(2025, 12, 1, tzinfo=paris)),
        (datetime(2026, 1, 1, 0, 30, tzinfo=paris), datetime(2025, 2, 1, tzinfo=paris)),
        (datetime(2026, 12, 31, 23, 30, tzinfo=paris), datetime(2026, 1, 1, tzinfo=paris)),
    ):
        assert default_period(now) == (first, now)
