from relais.surveys.views import manage

app_name = "surveys"

urlpatterns = manage.urlpatterns
