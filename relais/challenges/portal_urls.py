from relais.challenges import portal_views, portal_proofs

app_name = "my_challenges"

urlpatterns = portal_views.urlpatterns + portal_proofs.urlpatterns
