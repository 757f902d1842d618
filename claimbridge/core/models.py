"""Small models of the core app."""

from django.db import models


class RateCounter(models.Model):
    """A rate-limit counter of `core.cache.CounterCache` (django-ratelimit's cache)."""

    key = models.CharField(max_length=255, primary_key=True)
    count = models.BigIntegerField()
    # Seconds since the epoch, like Django's cache backends; infinity for never.
    expires = models.FloatField(db_index=True)

    class Meta:
        db_table = "core_ratecounter"

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"
