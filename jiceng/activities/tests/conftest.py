import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(media_in_tmp):
    """Each test of the app stores its uploads in a directory of its own."""
