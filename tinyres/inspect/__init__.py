"""Looking inside networks: gradient checks, summaries (and gradient tracing)."""
from .gradcheck import GradcheckError, GradcheckReport, TOLERANCE, gradcheck
from .summary import Summary, summary

__all__ = ["gradcheck", "GradcheckReport", "GradcheckError", "TOLERANCE", "summary", "Summary"]
