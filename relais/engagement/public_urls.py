from relais.engagement.views import public

app_name = "mail"

urlpatterns = public.urlpatterns
