"""The invoicing stage's timed jobs (see aftersales.jobs.registry for the contract)."""

from datetime import datetime

from aftersales.jobs.registry import register_job

from . import services


@register_job("chain_head_copies")
def run_chain_head_copies(*, now: datetime) -> int:
    """Each day, each site's invoice chain head e-mailed to its managers: a copy outside the database (issue 22)."""
    return services.email_chain_heads(now=now)
