"""What the automation part of engagement registers when the app is ready."""


def register() -> None:
    """Nothing yet."""
