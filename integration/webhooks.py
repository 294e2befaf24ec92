"""E7 webhook for RetailCRM triggers — being written."""

from django.http import HttpResponse


def retailcrm_webhook(request, token=None):
    return HttpResponse(status=501)
