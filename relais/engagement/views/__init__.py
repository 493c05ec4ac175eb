"""The manager's pages of network animation, one module per part, each with its own
``urlpatterns`` (joined in ``engagement/urls.py``)."""
