"""Documents sent down the tree (下发 / 转发 / 签收): a unit issues a document to units of its
subtree; each recipient unit has a receipt (received, read, acknowledged, forwarded).

- `Document` is never changed after issue: no service edits it; a correction is a new document
  that `supersedes` the old one (the old one is then shown as superseded). A forward is a new
  document by the recipient, for its own subtree, `forwarded_from` the one it received; every
  document of one forwarding chain shares the chain's first document as `origin` (None on that
  first document itself).
- `Receipt` is one row per (document, recipient unit), written in bulk at issue. It carries the
  chain's `origin` and the unit's tree anchors (`anchored = True`), so the status of a national
  document over 50,000 associations is one `GROUP BY` over an index range (`selectors.py`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import DocumentField, RandomUploadTo
from jiceng.core.scope import ScopedQuerySet
from jiceng.org.models import Level, Unit

#: Attachments per document, and the longest number (文号) and title.
MAX_ATTACHMENTS = 10
NUMBER_LENGTH = 64
TITLE_LENGTH = 200


class Document(models.Model):
    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+"
    )
    #: The document number (文号, e.g. 个协发〔2009〕12号): unique per issuing unit; a forward may
    #: have none.
    number = models.CharField(_("document number"), max_length=NUMBER_LENGTH, blank=True)
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    body = models.TextField(_("text"), blank=True)
    issued_on = models.DateField(_("date of issue"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    #: The levels of the issuer's subtree it was sent to (besides any units chosen one by one).
    recipient_levels = models.JSONField(_("recipient levels"), default=list, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    forward_required = models.BooleanField(_("recipients must forward it"), default=False)
    ack_deadline = models.DateField(_("acknowledge by"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("forwarded from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
    )
    #: The first document of the forwarding chain (None: this one is).
    origin = models.ForeignKey(
        "self",
        verbose_name=_("original document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_via = "issuer"

    objects = ScopedQuerySet.as_manager()

    AUDITED_FIELDS = [
        "issuer",
        "number",
        "title",
        "issued_on",
        "recipient_levels",
        "recipient_count",
        "forward_required",
        "ack_deadline",
        "supersedes",
        "forwarded_from",
    ]

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number"],
                condition=~Q(number=""),
                name="document_issuer_number",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "issued_at"], name="document_issuer_issued")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def origin_pk(self) -> int:
        return self.origin_id or self.pk


class Attachment(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = DocumentField(_("file"), upload_to=RandomUploadTo("documents"))
    #: The name it was uploaded under (with the detected type's extension), for people.
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_id(self) -> int:
        """Stored files are grouped by the issuing unit (`RandomUploadTo`)."""
        return int(self.document.issuer_id)


class Receipt(models.Model):
    """A recipient unit's copy of a document: received at issue; read (the first time a user of
    the unit opened it), acknowledged (签收: who, when, on time or not) and forwarded (the
    forwarding document)."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="receipts"
    )
    origin = models.ForeignKey(
        Document,
        verbose_name=_("original document"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province = models.ForeignKey(
        Unit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_index=False,
    )
    grassroots = models.ForeignKey(
        Unit,
        verbose_name=_("grassroots association"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_index=False,
    )
    #: The recipient's level, kept here so that the status by level needs no join (a unit's
    #: level does not change).
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    received_at = models.DateTimeField(_("received at"))
    #: The document's deadline and whether it asks to be forwarded, kept here so that the
    #: status figures need no join.
    deadline = models.DateField(_("acknowledge by"), null=True, blank=True)
    must_forward = models.BooleanField(_("to forward"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    #: Acknowledged on or before the deadline (a date in Asia/Shanghai); False otherwise.
    on_time = models.BooleanField(_("on time"), default=False)
    forwarded = models.ForeignKey(
        Document,
        verbose_name=_("forwarded as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    anchored = True

    objects = ScopedQuerySet.as_manager()

    AUDITED_FIELDS = ["document", "unit", "read_at", "acknowledged_at", "on_time", "forwarded"]

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["document", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="receipt_document_unit"),
        ]
        indexes = [
            models.Index(fields=["unit", "document"], name="receipt_unit_document"),
            models.Index(fields=["origin", "province"], name="receipt_origin_province"),
            models.Index(fields=["origin", "grassroots"], name="receipt_origin_grassroots"),
            # The units still to acknowledge, in fan-out order (the status page's list).
            models.Index(
                fields=["origin", "id"],
                condition=Q(acknowledged_at__isnull=True),
                name="receipt_pending_origin",
            ),
            models.Index(
                fields=["deadline"],
                condition=Q(acknowledged_at__isnull=True),
                name="receipt_pending_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.unit_id}"
