from __future__ import annotations

import pytest

# helpers.py holds shared assertions: rewrite them so failures show the values.
pytest.register_assert_rewrite("tests.api.helpers")
