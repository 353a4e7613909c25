"""Recognition (认可): honours a unit received and media reports about it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import DocumentField, RandomUploadTo
from jiceng.core.locking import Locked
from jiceng.org.models import Unit


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    OTHER = "other", _("Other")


class RecognitionItem(Locked):
    """What honours and media reports share: the unit, a date and a title."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("The date cannot be later than today.")})


class Honour(RecognitionItem):
    """An honour the unit received (a title, a certificate), from whoever awarded it. Not the
    campaign's commendation of advanced units, which is another app's."""

    level = models.CharField(_("level"), max_length=16, choices=HonourLevel.choices)
    issuer = models.CharField(_("issued by"), max_length=100)
    document = DocumentField(
        _("document"), upload_to=RandomUploadTo("honours"), blank=True, max_length=200
    )

    EDITABLE_FIELDS = ["title", "level", "issuer", "date", "document"]

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-date", "-id"]
        default_related_name = "honours"
        indexes = [models.Index(fields=["unit", "-date"], name="honour_unit_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=HonourLevel.values), name="honour_level_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class MediaReport(RecognitionItem):
    outlet = models.CharField(_("outlet"), max_length=100)
    url = models.URLField(_("link"), max_length=500, blank=True)
    scan = DocumentField(
        _("scan"), upload_to=RandomUploadTo("media-reports"), blank=True, max_length=200
    )

    EDITABLE_FIELDS = ["outlet", "date", "title", "url", "scan"]

    class Meta:
        verbose_name = _("media report")
        verbose_name_plural = _("media reports")
        ordering = ["-date", "-id"]
        default_related_name = "media_reports"
        indexes = [models.Index(fields=["unit", "-date"], name="media_report_unit_date")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(scan=""),
                name="media_report_has_link_or_scan",
                violation_error_message=_("Give the report's link or upload a scan of it."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.outlet}：{self.title}"

    def clean(self) -> None:
        super().clean()
        if not self.url and not self.scan:
            raise ValidationError({"url": _("Give the report's link or upload a scan of it.")})
