"""Members: the individual businesses and private enterprises an association serves."""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.locking import Locked
from jiceng.core.scope import ScopedQuerySet
from jiceng.core.validators import validate_phone
from jiceng.org.models import Unit

from .. import crypto
from ..identifiers import mask_id_number

if TYPE_CHECKING:
    pass


class MemberType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual business")
    ENTERPRISE = "enterprise", _("Private enterprise")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    LEFT = "left", _("Left")


class MemberQuerySet(ScopedQuerySet["Member"]):
    """`in_subtree(unit)` / `for_user(user)` go through the narrowest indexed column: the
    denormalised province or grassroots association where the unit is one, the unit path
    otherwise (see `core/scope.py` and `org/anchors.py`)."""


class Member(Locked):
    # The foreign keys are served by the (unit, id), (grassroots, id) and (province, id)
    # indexes below; Django's own single-column FK indexes would only slow every insert.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,
    )
    # Denormalised from the unit's place in the tree (rewritten when a unit moves), so that
    # national roll-ups are one GROUP BY and a province's or association's list one index range.
    grassroots = models.ForeignKey(
        Unit,
        verbose_name=_("grassroots association"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    province = models.ForeignKey(
        Unit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    member_type = models.CharField(_("member type"), max_length=16, choices=MemberType.choices)
    business_name = models.CharField(_("business name"), max_length=200)
    operator = models.CharField(_("operator"), max_length=50, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=15,
        blank=True,
        help_text=_(
            "The old 13- or 15-digit business registration number, for businesses "
            "registered before credit codes."
        ),
    )
    id_number_encrypted = models.BinaryField(_("ID number (encrypted)"), null=True, editable=False)
    id_number_index = models.CharField(max_length=32, blank=True, editable=False)
    id_number_legacy = models.BooleanField(_("legacy 15-digit ID number"), default=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    join_date = models.DateField(_("join date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    #: Codes of warnings raised when the member was entered or imported, for a person to check
    #: (a phone that is no phone number, a credit code of another member type, ...).
    flags = models.JSONField(_("flags"), default=list, blank=True)
    last_import = models.ForeignKey(
        "members.MemberImport",
        verbose_name=_("last import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # import jobs are kept, never deleted
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    #: Carries its unit's province and association (`org/anchors.py`).
    anchored = True

    objects = MemberQuerySet.as_manager()

    #: Fields a person edits (the ID number goes through `id_number`, see services).
    EDITABLE_FIELDS = [
        "member_type",
        "business_name",
        "operator",
        "credit_code",
        "registration_number",
        "phone",
        "industry",
        "address",
        "join_date",
        "status",
    ]
    AUDITED_FIELDS = [*EDITABLE_FIELDS, "unit"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(status="active") & ~Q(credit_code=""),
                name="member_credit_code_active_unique",
                violation_error_message=_("Another active member already has this credit code."),
            ),
            models.CheckConstraint(
                condition=Q(member_type__in=["individual", "enterprise"]),
                name="member_type_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "lapsed", "left"]), name="member_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["grassroots", "id"], name="member_grassroots_id"),
            models.Index(fields=["province", "id"], name="member_province_id"),
            models.Index(fields=["unit", "id"], name="member_unit_id"),
            models.Index(fields=["id_number_index"], name="member_id_number_index"),
            # Equality and prefix search (`core.lookups.Prefix`): a range on the plain index on
            # SQLite; on PostgreSQL, whose default collation is not bytewise, a range in the
            # pattern operators, which need the pattern operator class.
            models.Index(
                fields=["credit_code"], name="member_credit_code", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["phone"], name="member_phone", opclasses=["varchar_pattern_ops"]),
            # Few members still have only an old registration number: a partial index is
            # small and costs rows without one nothing.
            models.Index(
                fields=["registration_number"],
                name="member_registration_number",
                opclasses=["varchar_pattern_ops"],
                condition=~models.Q(registration_number=""),
            ),
        ]

    def __str__(self) -> str:
        return self.business_name

    @property
    def id_number(self) -> str:
        """The ID number in the clear. Only for people allowed to unmask, who are audited."""
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def id_number_masked(self) -> str:
        number = self.id_number
        return mask_id_number(number) if number else ""

    @property
    def phone_masked(self) -> str:
        from jiceng.core.validators import mask_phone

        return mask_phone(self.phone) if self.phone else ""
