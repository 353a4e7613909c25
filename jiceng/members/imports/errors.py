"""Input the import cannot use at all: refused as a whole, with nothing changed."""

from typing import Any

from django.utils.translation import gettext_lazy as _

#: Codes of unusable input, with the message each gives (formatted with the error's params).
UNUSABLE_MESSAGES: dict[str, Any] = {
    "too_large": _("The file is %(size)s MB; rosters of up to %(limit)s MB can be imported."),
    "empty_file": _("The file is empty."),
    "not_a_spreadsheet": _(
        "“%(name)s” is not a spreadsheet: upload an Excel workbook (.xlsx or .xls) or a CSV file."
    ),
    "zip_bomb": _(
        "“%(name)s” unpacks to far more data than a roster holds (%(unpacked)s MB); it was "
        "refused as unsafe."
    ),
    "encrypted": _(
        "“%(name)s” is password-protected: save it without a password and upload it again."
    ),
    "unreadable": _("“%(name)s” could not be read as %(format)s: %(detail)s"),
    "bad_encoding": _(
        "Line %(line)s of “%(name)s” is not valid %(encoding)s text. Save the CSV as UTF-8 and "
        "upload it again."
    ),
    "no_sheets": _("“%(name)s” has no worksheet with data."),
    "unknown_sheet": _("The workbook has no sheet named “%(sheet)s”."),
    "empty_sheet": _("The sheet “%(sheet)s” is empty."),
    "no_header": _(
        "No header row was found in the first %(rows)s rows of “%(sheet)s”: the roster needs a "
        "row of column titles that includes the business name (字号名称, 商户名称 or 企业名称)."
    ),
    "no_business_name_column": _(
        "No column is mapped to the business name; every member needs one."
    ),
    "no_data": _("The sheet “%(sheet)s” has a header but no member rows below it."),
    "file_expired": _(
        "“%(name)s” has expired: uploaded rosters are deleted after a while. Upload the file "
        "again to import it."
    ),
    "unknown_unit": _(
        "No unit with code %(unit_code)s that holds members (a grassroots association, branch or "
        "group) in your area."
    ),
}


class UnusableInput(Exception):
    """The whole file is refused: not a spreadsheet, unsafe, empty, no header, unknown unit."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")

    @property
    def message(self) -> str:
        return str(UNUSABLE_MESSAGES[self.code]) % self.params
