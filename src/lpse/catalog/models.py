"""Master data maintained by LPSE (R-5.6): business fields and sub-fields (bidang/sub-bidang),
the price index."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


class BusinessField(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BusinessSubField(models.Model):
    field = models.ForeignKey(BusinessField, on_delete=models.PROTECT, related_name="sub_fields")
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceIndex(models.Model):
    """The price index of one month (R-5.6), maintained by the administrator: it converts a
    provider's past contract values to today's prices when its basic capability (*kemampuan
    dasar*) is evaluated (value × index now / index at completion)."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    value = models.DecimalField(_("index value"), max_digits=12, decimal_places=4)
    source = models.CharField(_("source"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("price index")
        verbose_name_plural = _("price index")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="one_price_index_per_month"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="price_index_positive"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="price_index_month_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}: {self.value}"

    @property
    def value_display(self) -> str:
        """112,45 (Indonesian) or 112.45: no trailing zeros, in the reader's language."""
        return number_format(self.value.normalize(), force_grouping=True)

    @property
    def period(self) -> date:
        """The first day of the index's month."""
        return date(self.year, self.month, 1)
