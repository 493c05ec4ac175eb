"""What the webhook part of engagement registers when the app is ready."""


def register() -> None:
    """The receiver of anymail's ``tracking`` signal: anymail's webhook views (mounted under
    ``/e/anymail/`` by ``views.public``) announce each provider event through it. A
    ``dispatch_uid`` so a second ``ready()`` (tests) does not connect it twice."""
    from anymail.signals import tracking

    from relais.engagement.webhooks import tracking_received

    tracking.connect(tracking_received, dispatch_uid="relais.engagement.webhooks")
