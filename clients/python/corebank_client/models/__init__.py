"""Contains all the data models used in inputs/outputs"""

from .accepted import Accepted
from .account_balance import AccountBalance
from .account_create import AccountCreate
from .account_out import AccountOut
from .account_status import AccountStatus
from .account_transaction_out import AccountTransactionOut
from .account_update import AccountUpdate
from .address import Address
from .address_out import AddressOut
from .allocation_out import AllocationOut
from .approval_operation import ApprovalOperation
from .approval_out import ApprovalOut
from .approval_out_request import ApprovalOutRequest
from .approval_out_result_type_0 import ApprovalOutResultType0
from .approval_status import ApprovalStatus
from .approve_in import ApproveIn
from .attestation_body import AttestationBody
from .attestation_body_currencies import AttestationBodyCurrencies
from .audit_event_out import AuditEventOut
from .audit_event_out_after_type_0 import AuditEventOutAfterType0
from .audit_event_out_before_type_0 import AuditEventOutBeforeType0
from .audit_head_out import AuditHeadOut
from .authorization_out import AuthorizationOut
from .balance_out import BalanceOut
from .capture_in import CaptureIn
from .challenge_completion import ChallengeCompletion
from .challenge_out import ChallengeOut
from .checkpoint_out import CheckpointOut
from .checkpoint_out_mode import CheckpointOutMode
from .credit_check_out import CreditCheckOut
from .currency_out import CurrencyOut
from .currency_total import CurrencyTotal
from .customer_create import CustomerCreate
from .customer_out import CustomerOut
from .customer_status import CustomerStatus
from .customer_update import CustomerUpdate
from .decision_in import DecisionIn
from .delivery_out import DeliveryOut
from .delivery_status import DeliveryStatus
from .dependency_status import DependencyStatus
from .dependency_status_status import DependencyStatusStatus
from .deposit_in import DepositIn
from .detailed_health import DetailedHealth
from .detailed_health_dependencies import DetailedHealthDependencies
from .detailed_health_status import DetailedHealthStatus
from .entry_type import EntryType
from .event_type_out import EventTypeOut
from .event_type_out_data_schema import EventTypeOutDataSchema
from .hold_capture_out import HoldCaptureOut
from .hold_in import HoldIn
from .hold_out import HoldOut
from .hold_status import HoldStatus
from .installment_out import InstallmentOut
from .installment_out_status import InstallmentOutStatus
from .invariant_out import InvariantOut
from .journal_out import JournalOut
from .kyc_change import KycChange
from .kyc_status import KycStatus
from .leg_in import LegIn
from .leg_out import LegOut
from .liveness import Liveness
from .loan_in import LoanIn
from .loan_out import LoanOut
from .loan_out_amortization import LoanOutAmortization
from .loan_out_bucket import LoanOutBucket
from .loan_out_day_count import LoanOutDayCount
from .loan_out_status import LoanOutStatus
from .loan_statement_format import LoanStatementFormat
from .loan_status import LoanStatus
from .login_data_body import LoginDataBody
from .login_json_login_request import LoginJsonLoginRequest
from .login_mfa_request import LoginMfaRequest
from .mfa_status_out import MfaStatusOut
from .mfa_ticket_out import MfaTicketOut
from .openable_type import OpenableType
from .page_account_out import PageAccountOut
from .page_account_transaction_out import PageAccountTransactionOut
from .page_approval_out import PageApprovalOut
from .page_audit_event_out import PageAuditEventOut
from .page_customer_out import PageCustomerOut
from .page_delivery_out import PageDeliveryOut
from .page_hold_out import PageHoldOut
from .page_loan_out import PageLoanOut
from .page_product_out import PageProductOut
from .page_stored_attestation_out import PageStoredAttestationOut
from .page_user_out import PageUserOut
from .page_webhook_out import PageWebhookOut
from .password_change_request import PasswordChangeRequest
from .password_forgot_request import PasswordForgotRequest
from .password_reset_request import PasswordResetRequest
from .payment_set_summary import PaymentSetSummary
from .payment_set_total import PaymentSetTotal
from .pin_set import PinSet
from .posted_transaction_out import PostedTransactionOut
from .posted_transaction_out_metadata_type_0 import PostedTransactionOutMetadataType0
from .posting_out import PostingOut
from .product_in import ProductIn
from .product_in_amortization import ProductInAmortization
from .product_in_day_count import ProductInDayCount
from .product_out import ProductOut
from .product_out_amortization import ProductOutAmortization
from .product_out_day_count import ProductOutDayCount
from .product_out_status import ProductOutStatus
from .product_patch import ProductPatch
from .product_patch_status_type_0 import ProductPatchStatusType0
from .profile_update import ProfileUpdate
from .public_jwk import PublicJwk
from .quote_out import QuoteOut
from .readiness import Readiness
from .readiness_status import ReadinessStatus
from .recovery_codes_out import RecoveryCodesOut
from .refresh_request import RefreshRequest
from .register_request import RegisterRequest
from .reject_in import RejectIn
from .repayment_in import RepaymentIn
from .repayment_out import RepaymentOut
from .reverse_in import ReverseIn
from .role import Role
from .schedule_out import ScheduleOut
from .service_info import ServiceInfo
from .session_out import SessionOut
from .settable_status import SettableStatus
from .signed_attestation import SignedAttestation
from .statement_format import StatementFormat
from .statement_line import StatementLine
from .statement_out import StatementOut
from .stored_attestation_out import StoredAttestationOut
from .stored_attestation_out_document import StoredAttestationOutDocument
from .token_pair import TokenPair
from .totp_confirm_request import TotpConfirmRequest
from .totp_disable_request import TotpDisableRequest
from .totp_enrolment_out import TotpEnrolmentOut
from .transaction_in import TransactionIn
from .transaction_in_metadata import TransactionInMetadata
from .transaction_out import TransactionOut
from .transaction_out_metadata_type_0 import TransactionOutMetadataType0
from .transfer_in import TransferIn
from .trusted_payee_create import TrustedPayeeCreate
from .trusted_payee_out import TrustedPayeeOut
from .user_admin_update import UserAdminUpdate
from .user_create import UserCreate
from .user_out import UserOut
from .webhook_create import WebhookCreate
from .webhook_created import WebhookCreated
from .webhook_out import WebhookOut
from .webhook_update import WebhookUpdate
from .withdrawal_in import WithdrawalIn

__all__ = (
    "Accepted",
    "AccountBalance",
    "AccountCreate",
    "AccountOut",
    "AccountStatus",
    "AccountTransactionOut",
    "AccountUpdate",
    "Address",
    "AddressOut",
    "AllocationOut",
    "ApprovalOperation",
    "ApprovalOut",
    "ApprovalOutRequest",
    "ApprovalOutResultType0",
    "ApprovalStatus",
    "ApproveIn",
    "AttestationBody",
    "AttestationBodyCurrencies",
    "AuditEventOut",
    "AuditEventOutAfterType0",
    "AuditEventOutBeforeType0",
    "AuditHeadOut",
    "AuthorizationOut",
    "BalanceOut",
    "CaptureIn",
    "ChallengeCompletion",
    "ChallengeOut",
    "CheckpointOut",
    "CheckpointOutMode",
    "CreditCheckOut",
    "CurrencyOut",
    "CurrencyTotal",
    "CustomerCreate",
    "CustomerOut",
    "CustomerStatus",
    "CustomerUpdate",
    "DecisionIn",
    "DeliveryOut",
    "DeliveryStatus",
    "DependencyStatus",
    "DependencyStatusStatus",
    "DepositIn",
    "DetailedHealth",
    "DetailedHealthDependencies",
    "DetailedHealthStatus",
    "EntryType",
    "EventTypeOut",
    "EventTypeOutDataSchema",
    "HoldCaptureOut",
    "HoldIn",
    "HoldOut",
    "HoldStatus",
    "InstallmentOut",
    "InstallmentOutStatus",
    "InvariantOut",
    "JournalOut",
    "KycChange",
    "KycStatus",
    "LegIn",
    "LegOut",
    "Liveness",
    "LoanIn",
    "LoanOut",
    "LoanOutAmortization",
    "LoanOutBucket",
    "LoanOutDayCount",
    "LoanOutStatus",
    "LoanStatementFormat",
    "LoanStatus",
    "LoginDataBody",
    "LoginJsonLoginRequest",
    "LoginMfaRequest",
    "MfaStatusOut",
    "MfaTicketOut",
    "OpenableType",
    "PageAccountOut",
    "PageAccountTransactionOut",
    "PageApprovalOut",
    "PageAuditEventOut",
    "PageCustomerOut",
    "PageDeliveryOut",
    "PageHoldOut",
    "PageLoanOut",
    "PageProductOut",
    "PageStoredAttestationOut",
    "PageUserOut",
    "PageWebhookOut",
    "PasswordChangeRequest",
    "PasswordForgotRequest",
    "PasswordResetRequest",
    "PaymentSetSummary",
    "PaymentSetTotal",
    "PinSet",
    "PostedTransactionOut",
    "PostedTransactionOutMetadataType0",
    "PostingOut",
    "ProductIn",
    "ProductInAmortization",
    "ProductInDayCount",
    "ProductOut",
    "ProductOutAmortization",
    "ProductOutDayCount",
    "ProductOutStatus",
    "ProductPatch",
    "ProductPatchStatusType0",
    "ProfileUpdate",
    "PublicJwk",
    "QuoteOut",
    "Readiness",
    "ReadinessStatus",
    "RecoveryCodesOut",
    "RefreshRequest",
    "RegisterRequest",
    "RejectIn",
    "RepaymentIn",
    "RepaymentOut",
    "ReverseIn",
    "Role",
    "ScheduleOut",
    "ServiceInfo",
    "SessionOut",
    "SettableStatus",
    "SignedAttestation",
    "StatementFormat",
    "StatementLine",
    "StatementOut",
    "StoredAttestationOut",
    "StoredAttestationOutDocument",
    "TokenPair",
    "TotpConfirmRequest",
    "TotpDisableRequest",
    "TotpEnrolmentOut",
    "TransactionIn",
    "TransactionInMetadata",
    "TransactionOut",
    "TransactionOutMetadataType0",
    "TransferIn",
    "TrustedPayeeCreate",
    "TrustedPayeeOut",
    "UserAdminUpdate",
    "UserCreate",
    "UserOut",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookOut",
    "WebhookUpdate",
    "WithdrawalIn",
)
