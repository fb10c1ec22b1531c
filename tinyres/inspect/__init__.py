"""Looking inside networks: gradient checks (and, later, gradient tracing and summaries)."""
from .gradcheck import GradcheckError, GradcheckReport, TOLERANCE, gradcheck

__all__ = ["gradcheck", "GradcheckReport", "GradcheckError", "TOLERANCE"]
