"""The database models, one module per aggregate."""

from fieldscan.models.analysis import AnalysisRun, AnswerTag, RunStatus
from fieldscan.models.audit import AuditEvent
from fieldscan.models.auth import DeviceToken, LoginSession, SessionEndReason
from fieldscan.models.links import PatientLink
from fieldscan.models.partners import (
    Partner,
    PartnerMatch,
    PartnerMatchStatus,
    PartnerRelationship,
)
from fieldscan.models.report_rollups import ReportRollup
from fieldscan.models.respondents import Respondent
from fieldscan.models.responses import Answer, Channel, Response, ResponseStatus
from fieldscan.models.reviews import ClusterEdit, ClusterReview, TaxonomyOverlay
from fieldscan.models.sites import Site
from fieldscan.models.sms import (
    InboundSms,
    OutboundSms,
    OutboundStatus,
    SessionState,
    SmsSession,
)
from fieldscan.models.surveys import Survey, SurveyVersion
from fieldscan.models.users import Role, User

__all__ = [
    "AnalysisRun",
    "AnswerTag",
    "RunStatus",
    "ClusterEdit",
    "ClusterReview",
    "TaxonomyOverlay",
    "DeviceToken",
    "PatientLink",
    "InboundSms",
    "LoginSession",
    "OutboundSms",
    "OutboundStatus",
    "SessionState",
    "SmsSession",
    "Answer",
    "AuditEvent",
    "Channel",
    "Partner",
    "PartnerMatch",
    "PartnerMatchStatus",
    "PartnerRelationship",
    "ReportRollup",
    "Respondent",
    "Response",
    "ResponseStatus",
    "Role",
    "SessionEndReason",
    "Site",
    "Survey",
    "SurveyVersion",
    "User",
]
