"""Dues: the yearly standard, the payments members make, and the roll-up the pages read.

Money is `Decimal` in everything people see and enter. The roll-up table keeps its sums in
whole cents (分) as integers, so that sums over millions of rows are exact on both databases
(SQLite keeps a DECIMAL column as a floating-point number).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.locking import Locked
from jiceng.core.rollups import SummaryRow
from jiceng.core.scope import ScopedQuerySet
from jiceng.members.models import MemberType
from jiceng.org.models import Unit

#: Dues years people may enter: far enough back for old receipts, one year ahead for prepaying.
MIN_YEAR = 2000
MAX_YEAR = 2100

#: Levels that may set a dues standard. Branches and groups collect under their grassroots
#: association's standard; a province or city standard is a default for its subtree.
STANDARD_LEVELS = frozenset({"national", "province", "city", "grassroots"})


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class DuesStandard(Locked):
    """What a member of one type owes for one year, set by a unit for its whole subtree.
    The standard in force for a member is the one set by the nearest ancestor of the
    member's grassroots association (the association itself included)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dues_standards"
    )
    year = models.PositiveSmallIntegerField(
        _("dues year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    member_type = models.CharField(_("member type"), max_length=16, choices=MemberType.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 means members of this type owe no dues that year."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    AUDITED_FIELDS = ["unit", "year", "member_type", "amount"]

    class Meta:
        verbose_name = _("dues standard")
        verbose_name_plural = _("dues standards")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "member_type"], name="dues_standard_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_standard_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(member_type__in=["individual", "enterprise"]),
                name="dues_standard_type_known",
            ),
        ]
        indexes = [models.Index(fields=["year", "member_type"], name="dues_standard_year_type")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_member_type_display()} {self.amount}"


class PaymentQuerySet(ScopedQuerySet["Payment"]):
    """`in_subtree(unit)`: receipts issued in `unit`'s subtree, through the narrowest indexed
    column (`core/scope.py`)."""

    def valid(self) -> "PaymentQuerySet":
        return self.filter(voided_at__isnull=True)


class Payment(models.Model):
    """One receipt: a member paid an amount towards one dues year.

    `unit` is the member's unit when the payment was recorded and `grassroots` the association
    that issued the receipt: receipt numbers are unique per issuing association, and both stay
    with the receipt if the member later moves. `province` is the issuing association's province,
    rewritten when that association moves in the tree."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="dues_payments",
        db_index=False,  # the (member, dues_year) index leads with it
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    grassroots = models.ForeignKey(
        Unit,
        verbose_name=_("issuing association"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the receipt-number constraint leads with it
    )
    province = models.ForeignKey(
        Unit, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    dues_year = models.PositiveSmallIntegerField(
        _("dues year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    paid_on = models.DateField(_("date paid"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)
    #: Set by the form when it is shown: a second submit of the same form finds the payment
    #: the first one made. Bulk-loaded payments have none.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    #: Scoped through its anchors; the association is the one that issued the receipt and stays
    #: when the member's unit moves (dues follows `unit_moved` for the province).
    anchored = True
    anchors_follow_moves = False

    objects = PaymentQuerySet.as_manager()

    AUDITED_FIELDS = [
        "member",
        "dues_year",
        "paid_on",
        "amount",
        "method",
        "receipt_number",
        "note",
        "voided_at",
        "void_reason",
    ]
    #: What makes two payments the same receipt (a second clerk entering the same slip).
    SAME_RECEIPT_FIELDS = ("member_id", "dues_year", "amount", "paid_on", "method")

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grassroots", "receipt_number"],
                name="dues_payment_receipt_unique",
                violation_error_message=_("This receipt number is already used."),
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="dues_payment_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(method__in=["cash", "bank_transfer", "wechat", "alipay", "other"]),
                name="dues_payment_method_known",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "dues_year"], name="dues_payment_member_year"),
            # The latest receipts of a province, an association or a unit: ordering by the time
            # recorded (not by id) keeps PostgreSQL on these ranges instead of walking the
            # primary key backwards past millions of other provinces' rows.
            models.Index(fields=["province", "recorded_at"], name="dues_payment_province_at"),
            models.Index(fields=["grassroots", "recorded_at"], name="dues_payment_grassroots_at"),
            models.Index(fields=["unit", "recorded_at"], name="dues_payment_unit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} · {self.amount}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def amount_cents(self) -> int:
        return to_cents(self.amount)


class DuesRollup(SummaryRow):
    """The dues figures of one unit's OWN members (members whose unit is this unit) for one
    year: the dues measure's summary rows on the roll-up engine (`core/rollups.py`). A
    subtree's figures are the sum of its units' rows; pages never read payments.

    A row exists while the unit has members due or payments received that year."""

    # The unit's anchors, denormalised like Member's, so a national page groups by province
    # and an association's page filters on its id without joining the tree.
    province = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    grassroots = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    #: Active members who had joined by the year's end and owe a non-zero standard.
    members_due = models.IntegerField(default=0)
    #: Of those, members whose payments cover what they owe.
    members_paid = models.IntegerField(default=0)
    due_cents = models.BigIntegerField(default=0)
    #: Paid towards what is due, each member's payments capped at their due: paid ÷ due ≤ 1.
    paid_cents = models.BigIntegerField(default=0)
    #: Everything received, uncapped (overpayments, members no longer due).
    received_cents = models.BigIntegerField(default=0)

    FIGURES = ("members_due", "members_paid", "due_cents", "paid_cents", "received_cents")
    #: Rows exist only at and below grassroots associations (where members are).
    anchored_above_grassroots = False

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="dues_rollup_unit_year"),
        ]
        indexes = [
            models.Index(fields=["year", "province"], name="dues_rollup_year_province"),
            models.Index(fields=["grassroots", "year"], name="dues_rollup_grassroots_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}"
