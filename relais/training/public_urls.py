from relais.training.views import public

app_name = "verify"

urlpatterns = public.urlpatterns
