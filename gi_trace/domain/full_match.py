"""FullMatch: marshmallow's Regexp, but the pattern must match the whole value.

marshmallow's Regexp calls `re.match`, under which `$` also matches before a final
"\n": `^[0-9]{6}$` let "230184\n" through, to be stored forever (and to overflow a
PostgreSQL varchar(6) by one). Every body and argument schema validates with FullMatch;
the patterns keep their `^…$` for the OpenAPI document, where JSON Schema's `pattern`
is not anchored.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, validate


class FullMatch(validate.Regexp):
    def __init__(self, regex: str, *, error: str | None = None) -> None:
        super().__init__(regex, error=error)
        self.whole = re.compile(regex)

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value
