from django.urls import path

from milestones import views

app_name = "milestones"

urlpatterns = [
    path("funnel/", views.funnel, name="funnel"),
]
