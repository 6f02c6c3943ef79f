"""Shared field types and the error bodies every route documents."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from gvm.domain.register import MIN_RATIONALE_CHARS

# Text may hold anything but NUL, which PostgreSQL cannot store or compare: refused as
# malformed (422) at the edge, the same on either backend.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
# The documented patterns also say what remains after stripping must not be blank, so
# that a client can tell from the document alone which values are accepted.
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"
# Ids the database assigns are INTEGER (32-bit on PostgreSQL): a larger number is no id,
# and is refused as malformed before it reaches a driver that cannot bind it.
MAX_ID = 2**31 - 1
# A scoring date: scores look back years from it, and a date near year 1 has no years
# before it to look back into.
# The pattern says the same range in the document (JSON Schema has no date bounds).
FIRST_SCORING_DATE, LAST_SCORING_DATE = date(1900, 1, 1), date(2199, 12, 31)
SCORING_DATE_DOC: dict[str, Any] = {"pattern": r"^(19|20|21)[0-9]{2}-"}
ScoringDate = Annotated[date, Field(ge=FIRST_SCORING_DATE, le=LAST_SCORING_DATE,
                                    json_schema_extra=SCORING_DATE_DOC)]
BoroughCode = Annotated[str, StringConstraints(pattern=r"^E09[0-9]{6}$")]
RecordId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$"),
                     Field(json_schema_extra={
                         "pattern": r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"})]
Justification = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=500, pattern=NO_NUL),
                          Field(json_schema_extra={"pattern": NOT_BLANK})]
# A supervisor's reasons (R-HUMAN): the services' rule, MIN_RATIONALE_CHARS or more from
# the first to the last non-blank character, said in the document as a pattern.
RATIONALE_PATTERN = (rf"^[^\x00]*[^\x00\s][^\x00]{{{MIN_RATIONALE_CHARS - 2},}}"
                     r"[^\x00\s][^\x00]*$")
Rationale = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NO_NUL),
                      Field(json_schema_extra={"pattern": RATIONALE_PATTERN})]
# Borough codes as the document says them: exactly the 33 of R-SCOPE.
BOROUGH_PATTERN = r"^E090000(0[1-9]|[12][0-9]|3[0-3])$"
ShortText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]


# A day is written YYYY-MM-DD, as the document says (format: date). Pydantic would also
# take a number, or text such as "0.0" or "2024-01-01T00:00", as a day since 1970.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(value: Any) -> Any:
    """A date as the document allows it (a `date` already made passes too), or refused."""
    if value is None or isinstance(value, date) or (
            isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("expected a date written YYYY-MM-DD")


IsoDay = BeforeValidator(iso_day)


def _is_day(annotation: Any) -> bool:
    return annotation is date or date in get_args(annotation)


class Request(BaseModel):
    """A request body: unknown fields are refused, not ignored (a misspelt criterion
    must not silently widen a search); days only as YYYY-MM-DD."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _days_as_written(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return iso_day(value) if field is not None and _is_day(field.annotation) else value


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong; never repeats submitted personal data")


class ProblemOut(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field")
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    detail: list[ProblemOut]
