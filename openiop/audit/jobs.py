# SPDX-License-Identifier: AGPL-3.0-or-later
"""The audit log's periodic job, run by the worker (see ``openiop.core.jobs``)."""

from __future__ import annotations

import logging

from django.utils import timezone

from openiop.audit.checkpoints import CheckpointRefused, checkpoint_if_due
from openiop.audit.sealing import seal_pending

logger = logging.getLogger(__name__)


def seal_audit_log() -> None:
    """One sealer pass, then a checkpoint if one is due. Another worker's
    pass already under way is left to finish (it seals the same events)."""
    result = seal_pending(wait=False)
    if result.busy:
        return
    try:
        checkpoint_if_due(now=timezone.now())
    except CheckpointRefused as refusal:
        # Not fatal for the worker, and never papered over with a new one.
        logger.error("audit checkpoint not written: %s", refusal)
