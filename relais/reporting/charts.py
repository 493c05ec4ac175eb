"""The chart definitions live in ``relais.core.charts`` (the portal draws them too); the
dashboard's modules import them from here as before."""

from relais.core.charts import PALETTE, Chart, Number, Series

__all__ = ["PALETTE", "Chart", "Number", "Series"]
