"""Master data maintained by LPSE (R-5.6): business fields and sub-fields (bidang/sub-bidang)."""

from __future__ import annotations

from django.db import models
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
