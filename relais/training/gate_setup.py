"""What the gate part of training registers when the app is ready."""


def register() -> None:
    """Nothing yet."""
