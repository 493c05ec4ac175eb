from relais.challenges import views, views_results
from relais.challenges.rewards import views as rewards_views

app_name = "challenges"

urlpatterns = rewards_views.urlpatterns + views.urlpatterns + views_results.urlpatterns
