"""Helpers of the DataLoader, mirroring torch.utils.data._utils."""
from . import collate, worker  # noqa: F401

MP_STATUS_CHECK_INTERVAL = 5.0
