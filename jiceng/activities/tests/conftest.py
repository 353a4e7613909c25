import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Each test stores its uploads in a directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
