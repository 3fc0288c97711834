from django.urls import path

from journey import views

app_name = "journey"

urlpatterns = [
    path("", views.company_list, name="company_list"),
    path("<str:external_id>/", views.company_detail, name="company_detail"),
    path("<str:external_id>/events/", views.company_event_list, name="company_events"),
    path("<str:external_id>/journey/", views.company_journey, name="company_journey"),
]
