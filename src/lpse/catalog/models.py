"""Master data maintained by LPSE (R-5.6): business fields and sub-fields (bidang/sub-bidang),
goods categories, the local catalogue, the price index.

Master data in use is never deleted: a row is *retired* (``retired_at``) so packages, companies
and experiences that name it keep their history, and new choices no longer offer it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    """Where a master-data row came from: a shipped reference file (upgraded by ``lpse setup``),
    the administrator's screen, or a CSV import."""

    REFERENCE = "reference", _("Reference data file")
    ADMIN = "admin", _("Entered by the administrator")
    IMPORT = "import", _("CSV import")


class MasterData(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.ADMIN
    )
    # The reference file version that last wrote this row: a newer file updates it.
    reference_version = models.CharField(_("reference version"), max_length=40, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    # Named here so code that handles any kind of master data (master_data.KINDS) can query it.
    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class BusinessField(MasterData):
    """A business field (bidang usaha); the reference data ships the KBLI 2020 sections."""

    class Meta(MasterData.Meta):
        verbose_name = _("business field")


class BusinessSubField(MasterData):
    """A business sub-field (sub-bidang): what a company registers for and a package names.
    The reference data ships the KBLI 2020 two-digit divisions; 5-digit codes are imported."""

    field = models.ForeignKey(BusinessField, on_delete=models.PROTECT, related_name="sub_fields")

    class Meta(MasterData.Meta):
        verbose_name = _("business sub-field")


class GoodsCategory(MasterData):
    """A procurement category (jenis pengadaan). ``code`` is the stable key packages store
    (goods, works, consulting, other_services); ``name`` is today's name (Perpres 16/2018) and
    ``name_2010`` the name under Perpres 54/2010, kept for old packages and reports."""

    name_2010 = models.CharField(_("name under Perpres 54/2010"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta(MasterData.Meta):
        ordering = ["order", "code"]
        verbose_name = _("goods category")
        verbose_name_plural = _("goods categories")


# The kinds of master data the administrator's pages and the CSV import handle, by URL kind.
MASTER_DATA_KINDS: dict[str, type[MasterData]] = {
    "fields": BusinessField,
    "sub_fields": BusinessSubField,
    "categories": GoodsCategory,
}


class ReferenceDataset(models.Model):
    """Which version of each shipped reference file is loaded (``lpse setup`` upgrades)."""

    key = models.CharField(max_length=60, unique=True)
    version = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} {self.version}"


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


class CatalogueItem(models.Model):
    """An item of the local catalogue (katalog lokal, R-5.6): what a provider offers at a
    reference price for a period. Public and searchable; retired, never deleted."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    specification = models.TextField(_("specification"), blank=True)
    unit = models.CharField(_("unit"), max_length=40)
    reference_price = models.DecimalField(_("reference price"), max_digits=18, decimal_places=2)
    # A name, not a foreign key: the catalogue sits below the providers app (DESIGN layers),
    # and an item may name a supplier that is not (yet) registered here.
    provider_name = models.CharField(_("provider"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    # Lower-case code, name, provider and the start of the specification: what search reads,
    # kept short (SEARCH_TEXT_MAX) so it fits in the covering index below.
    search_text = models.CharField(max_length=400, editable=False, default="")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "code"]
        verbose_name = _("catalogue item")
        indexes = [
            # The public list reads only this index (partial: live items; covering: the order,
            # the validity and the search text), so its count, a far page and a search never
            # visit the table; the 50 rows shown are then read by id. See bench/catalog_search.py.
            models.Index(
                fields=["name", "code", "valid_from", "valid_until", "search_text"],
                condition=models.Q(retired_at=None),
                name="catalogue_live_covering",
            ),
            # Narrow, for the count of the unfiltered list (the page number line).
            models.Index(
                fields=["valid_until", "valid_from"],
                condition=models.Q(retired_at=None),
                name="catalogue_live_validity",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="catalogue_validity_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(reference_price__gt=0), name="catalogue_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
