from tests.quality.conftest import small_delivery  # noqa: F401 - shared session fixture
