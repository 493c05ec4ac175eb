"""Every write of the commissions app, one module per concern."""
