"""Audit actions of the core mechanisms (labels for the history, `core/actions.py`)."""

from django.utils.translation import gettext_lazy as _

from .actions import register, register_field_labels, register_group, register_value_labels

register("rollups.rebuild", _("Rebuild summary figures"))

# Security events (issue 9, item 19): written by accounts/exports/lookups with `audit.record`,
# usually with no object and the user's own unit; the entry keeps the source address.
register("security.sign_in", _("Signed in"), fields={"second_factor": _("second factor")})
register("security.sign_in_failed", _("Sign-in failed"), fields={"step": _("step that failed")})
register("security.locked_out", _("Account locked"))
register("security.unlocked", _("Account unlocked"), fields={"by": _("unlocked by")})
register("security.sign_out", _("Signed out"))
register(
    "security.mfa_enabled",
    _("Second factor enabled"),
    fields={"recovery_codes": _("recovery codes")},
)
register("security.mfa_disabled", _("Second factor disabled"))
register("security.mfa_reset", _("Second factor reset"), fields={"by": _("reset by")})
register("security.recovery_codes_renewed", _("New recovery codes made"))
register(
    "security.recovery_code_used",
    _("Recovery code used"),
    fields={"left": _("recovery codes left")},
)
register(
    "security.reauthenticated", _("Identity confirmed again"), fields={"with": _("confirmed with")}
)
register(
    "security.session_ended",
    _("Session ended"),
    fields={"reason": _("reason"), "device": _("device"), "address": _("address")},
)
register(
    "security.identifier_search",
    _("Searched by identifier"),
    fields={"kind": _("searched by"), "query_hash": _("search term (keyed hash)")},
)
register(
    "security.export",
    _("Exported data"),
    fields={
        "what": _("what was exported"),
        "format": _("file format"),
        "unmasked": _("full ID numbers and phones"),
        "filters": _("filters"),
    },
)
register(
    "security.existence_probe",
    _("Checked whether a record exists"),
    fields={"what": _("checked"), "count": _("times"), "fields": _("checked")},
)

# The log's filter offers each group of codes (by their first word) under one label.
register_group("account", _("All account actions"))
register_group("activity", _("All activity actions"))
register_group("complaint", _("All complaint actions"))
register_group("dues", _("All dues actions"))
register_group("member", _("All member actions"))
register_group("profile", _("All unit profile actions"))
register_group("recognition", _("All recognition actions"))
register_group("rollups", _("All summary figure actions"))
register_group("rules", _("All rules actions"))
register_group("security", _("All security events"))
register_group("seed", _("All demo data actions"))
register_group("unit", _("All unit actions"))

# Before/after keys many actions write that are no model's field: counts, digests, searches.
register_field_labels(
    {
        "rows": _("data rows"),
        "created": _("members added"),
        "updated": _("members updated"),
        "unchanged": _("members unchanged"),
        "rejected": _("rows refused"),
        "warnings": _("rows with warnings"),
        "skipped": _("skipped rows"),
        "sha256": _("SHA-256"),
        "measure": _("summary figure"),
        "years": _("years"),
        "units": _("units"),
        "accounts": _("accounts"),
        "scale": _("demo scale"),
        "activities": _("activities"),
        "photos": _("Photos"),
        "complaints": _("Complaints"),
        "rule_documents": _("rule documents"),
        "honours": _("honours"),
        "media_reports": _("Media reports"),
        "fields": _("fields"),
        "via": _("how"),
        "filters": _("filters"),
        "id_number": _("ID number"),
        "query": _("search term"),
        "results": _("results"),
        "username": _("Username"),
        "revoked": _("revoked"),
        "prefix": _("token prefix"),
        "existing": _("existing members"),
    }
)

# Values of those keys that are codes, as people read them.
_FACTORS = {
    "none": _("none"),
    "password": _("password"),
    "totp": _("authenticator app"),
    "recovery": _("recovery code"),
}
_IDENTIFIERS = {
    "id_number": _("ID number"),
    "phone": _("phone"),
    "username": _("Username"),
    "credit_code": _("credit code"),
}
register_value_labels("second_factor", _FACTORS)
register_value_labels("with", _FACTORS)
register_value_labels("step", {"password": _("password"), "second_factor": _("second factor")})
register_value_labels("kind", _IDENTIFIERS)
register_value_labels("what", _IDENTIFIERS)
register_value_labels("what", {"members.member": _("members"), "org.unit": _("units")})
register_value_labels("fields", _IDENTIFIERS)
register_value_labels(
    "reason", {"absolute lifetime": _("the session reached its longest lifetime")}
)
register_value_labels("recovery_codes", {"renewed": _("renewed")})
register_value_labels("existing", {"update": _("updated"), "skip": _("left as they were")})
