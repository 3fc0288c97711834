from django.urls import re_path

from ingestion.views import segment_endpoint

urlpatterns = [
    # Segment-compatible ingestion; with or without a trailing slash, so no SDK is ever redirected.
    re_path(
        r"^v1/(?P<kind>batch|track|identify|group|page|screen|alias)/?$",
        segment_endpoint,
        name="segment",
    ),
]
