from relais.challenges import views

app_name = "challenges"

urlpatterns = views.urlpatterns
