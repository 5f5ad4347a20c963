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
            # The public list reads only this index (partial: live items; covering: the order
            # and the validity), so a far page never visits the table; the 50 rows shown are
            # then read by id. Search reads CatalogueWord instead. See bench/catalog_search.py.
            models.Index(
                fields=["name", "code", "valid_from", "valid_until"],
                condition=models.Q(retired_at=None),
                name="catalogue_live_covering",
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


class CatalogueWord(models.Model):
    """One word of a live catalogue item, with the item's order and validity beside it: the
    public search's index (``search_index.py``). A word's rows are read in the list's order
    from one index, so a search stops at its page's last match instead of sorting or scanning
    every item. Kept by the catalogue's writes; a retired item has no words."""

    item = models.ForeignKey(
        CatalogueItem, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    word = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    code = models.CharField(max_length=40)
    valid_from = models.DateField()
    valid_until = models.DateField()

    class Meta:
        indexes = [
            models.Index(
                fields=["word", "name", "code", "item", "valid_from", "valid_until"],
                name="catalogue_word_ordered",
            ),
            # "Does this item also have a word starting with …": the other words of a query.
            models.Index(fields=["item", "word"], name="catalogue_word_of_item"),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.code}"


class CatalogueVocabulary(models.Model):
    """Every word ever indexed, once: a typed prefix ("sem") is first expanded to the words it
    starts ("semen", "semprot") here, a table far smaller than the words of all items. A word
    no item still has stays; it then simply matches nothing."""

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word
