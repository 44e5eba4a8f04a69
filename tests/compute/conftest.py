from tests.cleaning.conftest import small_delivery  # noqa: F401 - shared session fixture
