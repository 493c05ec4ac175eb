from relais.challenges import portal_proofs, portal_views

app_name = "my_challenges"

urlpatterns = portal_views.urlpatterns + portal_proofs.urlpatterns
