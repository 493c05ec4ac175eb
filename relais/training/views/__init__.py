"""Training pages, one module per part, each with its own ``urlpatterns``."""
