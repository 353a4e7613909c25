"""Rules (规章制度): the national checklist, and each unit's adopted documents against it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import DocumentField, RandomUploadTo
from jiceng.core.locking import Locked
from jiceng.org.models import Unit


class RuleItem(Locked):
    """One rule a grassroots association should have. National data: its names are stored in
    Chinese and English (not in the translation catalogue), so admins can add items."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description = models.TextField(_("what it should cover"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    EDITABLE_FIELDS = ["code", "name", "name_en", "description"]
    AUDITED_FIELDS = [*EDITABLE_FIELDS, "position", "is_active"]

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("rules checklist")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the language of the page being shown."""
        language = translation.get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class RuleDocument(Locked):
    """A unit's adopted document for one checklist item."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT)
    item = models.ForeignKey(RuleItem, verbose_name=_("checklist item"), on_delete=models.PROTECT)
    document = DocumentField(
        _("document"), upload_to=RandomUploadTo("rule-documents"), max_length=200
    )
    document_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    adopted_on = models.DateField(_("adopted on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    AUDITED_FIELDS = ["item", "document", "document_name", "adopted_on"]

    class Meta:
        verbose_name = _("rule document")
        verbose_name_plural = _("rule documents")
        ordering = ["item__position", "id"]
        default_related_name = "rule_documents"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item"],
                name="rule_document_one_per_unit_item",
                violation_error_message=_("This unit already has a document for this rule."),
            ),
            models.CheckConstraint(condition=~Q(document=""), name="rule_document_has_file"),
        ]

    def __str__(self) -> str:
        return str(self.item)

    def clean(self) -> None:
        if self.adopted_on and self.adopted_on > timezone.localdate():
            raise ValidationError({"adopted_on": _("A rule cannot have been adopted after today.")})
