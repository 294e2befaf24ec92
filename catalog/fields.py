from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose form assumes https:// for scheme-less input (Django 6's default, today)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
