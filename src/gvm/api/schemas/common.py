"""Shared field types and the error bodies every route documents."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

BoroughCode = Annotated[str, StringConstraints(pattern=r"^E09[0-9]{6}$")]
RecordId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
Justification = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=500)]
ShortText = Annotated[str, StringConstraints(max_length=200)]


class Request(BaseModel):
    """A request body: unknown fields are refused, not ignored (a misspelt criterion
    must not silently widen a search)."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong; never repeats submitted personal data")


class ProblemOut(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field")
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    detail: list[ProblemOut]
